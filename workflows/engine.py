"""One shared transitions.Machine per workflow, fired on objects it never owns.

A machine per object costs tens of µs and ~27 KiB, and a shared machine that
keeps every model it was given leaks. So each Workflow builds one Machine with
`model=None` and fires `machine.events[trigger].trigger(obj)`: the machine
reads and writes `obj.status` for the duration of the call and keeps nothing.

All rules (state, role, comment, guards, force) are checked here *before* the
machine runs, so a refusal is always a TransitionRefused with a Chinese
sentence, never a transitions.MachineError, and buttons (`allowed_triggers`)
come from the same checks as `fire`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from transitions import Machine

from .definitions import ROLES, Guard, Transition, WorkflowDefinition
from .refusals import REASONS, TransitionRefused

__all__ = [
    "ROLES",
    "REASONS",
    "Guard",
    "Transition",
    "WorkflowDefinition",
    "TransitionEvent",
    "TransitionRefused",
    "Workflow",
]


@dataclass(frozen=True)
class TransitionEvent:
    """What happened, complete enough for the service to write the audit row."""

    workflow: str
    trigger: str
    source: str
    dest: str
    role: str
    comment: str | None
    forced: bool
    data: dict
    #: when it happened, as the caller's clock says (effects stamp columns with it)
    at: datetime | None = None


class Workflow:
    def __init__(self, definition: WorkflowDefinition):
        self.definition = definition
        self.name = definition.name
        self.states = list(definition.states)
        self.triggers = [t.trigger for t in definition.transitions]
        self._by_trigger = {t.trigger: t for t in definition.transitions}
        self._machine = self._build_machine()
        self._mermaid: str | None = None

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"

    @property
    def machine(self) -> Machine:
        """Exposed so tests (and the curious) can see it holds no models."""
        return self._machine

    def _build_machine(self) -> Machine:
        d = self.definition
        return Machine(
            model=None,
            states=self.states,
            initial=d.initial,
            transitions=[self._machine_transition(t) for t in d.transitions],
            auto_transitions=False,
            model_attribute="status",
            send_event=True,
            name=f"{d.name}: ",
        )

    def _machine_transition(self, t: Transition) -> dict:
        spec: dict[str, Any] = {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
        if t.effects:
            spec["after"] = [self._run_effects]
        return spec

    # ---- labels -----------------------------------------------------------

    def state_label(self, state: str) -> str:
        return self.definition.states.get(state, str(state))

    def trigger_label(self, trigger: str) -> str:
        t = self._by_trigger.get(trigger)
        return t.label if t else str(trigger)

    def transition(self, trigger: str) -> Transition:
        return self._by_trigger[trigger]

    def object_label(self, obj: Any) -> str:
        label = getattr(obj, "workflow_label", None)
        if label:
            return str(label)
        return f"{self.definition.label}#{getattr(obj, 'id', None)}"

    # ---- binding ----------------------------------------------------------

    def check_binding(self, cls: type) -> None:
        missing = [m for m in self._required_methods() if not callable(getattr(cls, m, None))]
        if missing:
            raise TypeError(
                f"{cls.__qualname__} cannot carry workflow {self.name!r}: "
                f"missing {', '.join(missing)}"
            )

    def _required_methods(self) -> list[str]:
        names: list[str] = []
        for t in self.definition.transitions:
            names += [g.method for g in t.guards] + list(t.effects)
        return list(dict.fromkeys(names))

    # ---- asking -----------------------------------------------------------

    def allowed_triggers(self, obj: Any, role: str) -> list[str]:
        state = getattr(obj, "status", None)
        return [
            t.trigger
            for t in self.definition.transitions
            if state in t.sources and role in t.roles and self._guards_hold(obj, t)
        ]

    def refusal(
        self, obj: Any, trigger: str, role: str, *, comment: str | None = None, force: bool = False
    ) -> TransitionRefused | None:
        reason, failed = self._reason(obj, trigger, role, comment, force)
        if reason is None:
            return None
        return self._refused(obj, trigger, role, reason, failed, force)

    def _reason(self, obj, trigger, role, comment, force) -> tuple[str | None, list[Guard]]:
        t = self._by_trigger.get(trigger)
        if t is None:
            return "unknown_trigger", []
        if getattr(obj, "status", None) not in t.sources:
            return "wrong_state", []
        if role not in t.roles:
            return "forbidden_role", []
        if (t.requires_comment or force) and _clean(comment) is None:
            return "comment_required", []
        if force:
            return (None if role in self.definition.forcible_by else "force_not_allowed"), []
        failed = self._failed_guards(obj, t)
        return ("guard_failed" if failed else None), failed

    def _guards_hold(self, obj: Any, t: Transition) -> bool:
        return all(getattr(obj, g.method)() for g in t.guards)

    def _failed_guards(self, obj: Any, t: Transition) -> list[Guard]:
        return [g for g in t.guards if not getattr(obj, g.method)()]

    def _refused(self, obj, trigger, role, reason, failed, force) -> TransitionRefused:
        state = getattr(obj, "status", None)
        allowed = self.allowed_triggers(obj, role)
        return TransitionRefused(
            workflow=self.name,
            object_label=self.object_label(obj),
            state=state,
            state_label=self.state_label(state),
            trigger=trigger,
            trigger_label=self.trigger_label(trigger),
            role=role,
            allowed=allowed,
            allowed_labels=[self.trigger_label(a) for a in allowed],
            reason=reason,
            failed_guards=failed,
            forced=force,
        )

    # ---- doing ------------------------------------------------------------

    def fire(
        self,
        obj: Any,
        trigger: str,
        *,
        role: str,
        comment: str | None = None,
        force: bool = False,
        at: datetime | None = None,
        **data: Any,
    ) -> TransitionEvent:
        refused = self.refusal(obj, trigger, role, comment=comment, force=force)
        if refused is not None:
            raise refused
        source = obj.status
        event = TransitionEvent(
            workflow=self.name,
            trigger=trigger,
            source=source,
            dest=self._by_trigger[trigger].dest,
            role=role,
            comment=_clean(comment),
            forced=force,
            data=dict(data),
            at=at,
        )
        try:
            done = self._machine.events[trigger].trigger(obj, transition_event=event)
        except BaseException:
            # The database transaction is the real rollback; restoring the
            # attribute keeps non-database callers (and retries) sane.
            obj.status = source
            raise
        if not done:  # cannot happen while the machine carries no conditions
            raise RuntimeError(f"machine refused {trigger!r} after the engine allowed it")
        return event

    def _run_effects(self, event_data) -> None:
        event: TransitionEvent = event_data.kwargs["transition_event"]
        for name in self._by_trigger[event.trigger].effects:
            getattr(event_data.model, name)(event)

    # ---- reading ----------------------------------------------------------

    def mermaid(self) -> str:
        if self._mermaid is None:
            from .diagrams import mermaid  # GraphMachine only when a page asks

            self._mermaid = mermaid(self.definition)
        return self._mermaid

    def replay(self, events: Iterable[tuple[str, str, str]]) -> str:
        state = self.definition.initial
        for step, (trigger, source, dest) in enumerate(events, start=1):
            state = self._replay_step(step, state, trigger, source, dest)
        return state

    def _replay_step(self, step: int, state: str, trigger: str, source: str, dest: str) -> str:
        t = self._by_trigger.get(trigger)
        if t is None:
            raise ValueError(f"step {step}: unknown trigger {trigger!r}")
        if source != state:
            raise ValueError(f"step {step}: {trigger!r} recorded from {source!r} but the object was in {state!r}")
        if source not in t.sources:
            raise ValueError(f"step {step}: {trigger!r} cannot fire from {source!r}")
        if dest != t.dest:
            raise ValueError(f"step {step}: {trigger!r} leads to {t.dest!r}, not {dest!r}")
        return dest


def _clean(comment: str | None) -> str | None:
    """A blank comment is no comment: the rule asks for a reason, not a space."""
    if comment is None:
        return None
    comment = comment.strip()
    return comment or None
