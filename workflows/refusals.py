"""The one domain error a workflow raises, and its Chinese sentence.

Every way a trigger can be refused ends here so the API (409) and the page
show the same explanation: which object, what state it is in, what was tried
and what the user may do instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .definitions import ROLES, Guard

if TYPE_CHECKING:
    from collections.abc import Sequence

REASONS = (
    "unknown_trigger",
    "wrong_state",
    "forbidden_role",
    "guard_failed",
    "comment_required",
    "force_not_allowed",
)


class TransitionRefused(Exception):
    def __init__(
        self,
        *,
        workflow: str,
        object_label: str,
        state: str,
        state_label: str,
        trigger: str,
        trigger_label: str,
        role: str,
        allowed: list[str],
        allowed_labels: Sequence[str],
        reason: str,
        failed_guards: Sequence[Guard] = (),
        forced: bool = False,
    ) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown refusal reason {reason!r}")
        self.workflow = workflow
        self.object_label = object_label
        self.state = state
        self.state_label = state_label
        self.trigger = trigger
        self.trigger_label = trigger_label
        self.role = role
        self.allowed = list(allowed)
        self.reason = reason
        self.failed_guards = list(failed_guards)
        self.message = _sentence(self, list(allowed_labels), forced)
        super().__init__(self.message)


def _sentence(e: TransitionRefused, allowed_labels: list[str], forced: bool) -> str:
    head = f"{e.object_label} 当前状态为「{e.state_label}」，"
    tail = "；当前可执行：" + ("、".join(allowed_labels) or "无")
    return head + _why(e, forced) + tail


def _why(e: TransitionRefused, forced: bool) -> str:
    action = f"「{e.trigger_label}」"
    role = f"「{ROLES.get(e.role, e.role)}」"
    if e.reason == "unknown_trigger":
        return f"没有{action}这一操作"
    if e.reason == "wrong_state":
        return f"不能执行{action}"
    if e.reason == "forbidden_role":
        return f"{role}无权执行{action}"
    if e.reason == "guard_failed":
        unmet = "、".join(f"「{g.label}」" for g in e.failed_guards)
        return f"暂不能执行{action}：尚未满足{unmet}"
    if e.reason == "comment_required":
        what = "强制执行" if forced else "执行"
        return f"{what}{action}须填写意见或理由"
    return f"{role}不能强制执行{action}"
