"""The reminder policy the office edits: stored as ``Policy.to_dict()`` in one row.

``stored()`` is what ``context.policy()`` returns: the shipped defaults
(``notifications.policy.DEFAULT_POLICY``) until the office saves a policy;
a ladder kind the stored policy does not name (one added by a later release)
keeps its default. ``save`` validates (``Policy.from_dict`` plus the app's own
rules: the ladders are the app's, each keeps what it counts from and whom it
can reach), audits, and re-plans every pending reminder (``replan_all``).
"""
from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from notifications.policy import CHANNELS, DEFAULT_POLICY, ROLES, Ladder, Policy, PolicyError

from ...errors import Forbidden, ValidationFailed
from ...extensions import db
from ...models import ReminderPolicySetting
from .. import audit
from ..transaction import transaction

MAX_RUNGS = 20
MAX_LABEL = 50
UNIT_ROLES = ("liaison", "leader", "principal", "office")
REVIEW_ROLES = ("evaluator", "panel", "office")
_CACHE = "reminder_policy"


def allowed_roles(kind: str) -> tuple[str, ...]:
    """Whom a ladder can reach: a unit's contacts (and the office), or a cycle's evaluators and panel."""
    default = DEFAULT_POLICY.ladders.get(kind)
    roles = {r for rung in default.rungs for r in rung.recipients} if default else set()
    return REVIEW_ROLES if roles & {"evaluator", "panel"} else UNIT_ROLES


def _row() -> ReminderPolicySetting | None:
    return db.session.scalar(sa.select(ReminderPolicySetting).order_by(ReminderPolicySetting.id).limit(1))


def _merged(data: Mapping) -> Policy:
    """A stored policy over the defaults: kinds it does not name keep theirs."""
    stored = Policy.from_dict(data)
    ladders = {kind: stored.ladders.get(kind, ladder) for kind, ladder in DEFAULT_POLICY.ladders.items()}
    return Policy(ladders=ladders, quiet=stored.quiet, digest=stored.digest)


def stored() -> Policy:
    """The policy in force, read once per app context (a request, a CLI command, a job)."""
    from flask import g, has_app_context

    if has_app_context() and _CACHE in g:
        return g.get(_CACHE)
    row = _row()
    try:
        found = _merged(row.data) if row is not None else DEFAULT_POLICY
    except PolicyError:  # saved by an older release under other rules: the defaults rather than nothing
        found = DEFAULT_POLICY
    if has_app_context():
        setattr(g, _CACHE, found)
    return found


def forget() -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.pop(_CACHE, None)


def is_default() -> bool:
    return _row() is None


def validate(data) -> Policy:
    """The edited policy, or ValidationFailed listing every mistake in Chinese."""
    if not isinstance(data, Mapping):
        raise ValidationFailed({"policy": "提醒规则应为一个对象"})
    errors: list[str] = []
    try:
        policy = Policy.from_dict(data)
    except PolicyError as exc:
        errors.extend(exc.errors)
        policy = None
    ladders = data.get("ladders") if isinstance(data.get("ladders"), Mapping) else {}
    unknown = [str(k) for k in ladders if k not in DEFAULT_POLICY.ladders]
    missing = [k for k in DEFAULT_POLICY.ladders if k not in ladders]
    if unknown:
        errors.append(f"没有这种提醒阶梯：{'、'.join(unknown)}（可选：{'、'.join(DEFAULT_POLICY.ladders)}）")
    if missing:
        errors.append(f"缺少提醒阶梯：{'、'.join(DEFAULT_POLICY.ladders[k].label for k in missing)}")
    if policy is not None:
        for kind, ladder in policy.ladders.items():
            default = DEFAULT_POLICY.ladders.get(kind)
            if default is not None:
                errors.extend(_ladder_rules(ladder, default, policy))
    if errors:
        raise ValidationFailed({"policy": "；".join(errors)}) from None
    return policy


def _ladder_rules(ladder: Ladder, default: Ladder, policy: Policy) -> list[str]:
    name = f"“{default.label}”"
    errors = []
    if ladder.anchor != default.anchor:
        errors.append(f"{name}的起算日不能改变（应为 {default.anchor}）")
    if not ladder.label.strip() or len(ladder.label) > MAX_LABEL:
        errors.append(f"{name}的名称应为 1 到 {MAX_LABEL} 个字")
    if len(ladder.rungs) > MAX_RUNGS:
        errors.append(f"{name}最多 {MAX_RUNGS} 级提醒")
    if not policy.quiet.end <= ladder.send_at < policy.quiet.start:
        errors.append(f"{name}的发送时间 {ladder.send_at:%H:%M} 在免打扰时段内（应在 "
                      f"{policy.quiet.end:%H:%M} 至 {policy.quiet.start:%H:%M} 之间）")
    allowed = allowed_roles(ladder.kind)
    for rung in ladder.rungs:
        wrong = [r for r in rung.recipients if r not in allowed]
        if wrong:
            errors.append(f"{name}的“{rung.key}”级不能发给{'、'.join(ROLES.get(r, r) for r in wrong)}"
                          f"（可选：{'、'.join(ROLES[r] for r in allowed)}）")
    offsets = [(r.offset, r.every) for r in ladder.rungs]
    if len(set(offsets)) != len(offsets):
        errors.append(f"{name}有两级提醒的工作日偏移与重复间隔完全相同")
    return errors


def _check_actor(actor) -> None:
    if getattr(actor, "role", None) != "office":
        raise Forbidden("只有普法办可以修改提醒规则")


def save(data, *, actor) -> Policy:
    """Store the office's policy, audited, and re-plan every pending reminder under it."""
    _check_actor(actor)
    policy = validate(data)
    if policy.to_dict() == DEFAULT_POLICY.to_dict():  # the defaults submitted whole: a restore
        return restore_defaults(actor=actor)
    before = stored().to_dict()
    after = policy.to_dict()
    with transaction():
        row = _row() or ReminderPolicySetting()
        row.data, row.updated_by_id = after, actor.id
        db.session.add(row)
        db.session.flush()
        audit.record("reminders.policy", "reminder_policy", row.id, actor=actor,
                     data={"changes": _changes(before, after)})
    _replan()
    return policy


def restore_defaults(*, actor) -> Policy:
    """Back to the issue's defaults (the stored row goes), audited, re-planned."""
    _check_actor(actor)
    before = stored().to_dict()
    with transaction():
        row = _row()
        if row is not None:
            db.session.delete(row)
        audit.record("reminders.policy_restore", "reminder_policy", None, actor=actor,
                     data={"changes": _changes(before, DEFAULT_POLICY.to_dict())})
    _replan()
    return DEFAULT_POLICY


def _replan() -> None:
    from .schedule import replan_all

    forget()
    replan_all()


def _changes(before: dict, after: dict) -> dict:
    """What moved, by ladder (and quiet hours, digest): [before, after]."""
    out = {}
    for kind in sorted(set(before["ladders"]) | set(after["ladders"])):
        old, new = before["ladders"].get(kind), after["ladders"].get(kind)
        if old != new:
            out[kind] = [old, new]
    for part in ("quiet_hours", "digest"):
        if before[part] != after[part]:
            out[part] = [before[part], after[part]]
    return out


def describe(ladder: Ladder) -> list[str]:
    """A ladder's rungs as the office reads them: "截止前 5 个工作日：联络员（电子邮件、短信、站内消息）"."""
    from .messages import stage_label

    out = []
    for rung in ladder.rungs:
        stage = f"报送后 {rung.offset} 个工作日" if ladder.anchor == "submitted" else stage_label(rung.offset)
        repeat = f"，此后每 {rung.every} 个工作日" if rung.every else ""
        out.append(f"{stage}{repeat}：{'、'.join(ROLES.get(r, r) for r in rung.recipients)}"
                   f"（{'、'.join(CHANNELS.get(c, c) for c in rung.channels)}）")
    return out


SIDES = {"before": "截止前", "on": "当日", "after": "截止后"}


def from_form(form, current: Policy) -> dict:
    """The policy page's fields as ``Policy.to_dict`` would write them (validated by ``save``).

    Per ladder ``K``: ``K.label``, ``K.send_at``; per rung ``i`` (one blank row
    to add one): ``K.i.key``, ``K.i.side`` (before / on / after), ``K.i.days``,
    ``K.i.every``, ``K.i.recipients`` and ``K.i.channels`` (several), ``K.i.delete``.
    Numbers that are not numbers stay text, for the validator to name.
    """
    from ..validation import parse_int

    def number(raw, blank=None):
        raw = (raw or "").strip()
        if not raw:
            return blank
        found = parse_int(raw, minimum=0, maximum=10_000)
        return raw if found is None else found

    ladders = {}
    for kind, ladder in current.ladders.items():
        rungs = []
        for i in range(len(ladder.rungs) + 1):
            p = f"{kind}.{i}."
            key = (form.get(p + "key") or "").strip()
            if form.get(p + "delete") or (i == len(ladder.rungs) and not key and not form.get(p + "days")):
                continue
            side = form.get(p + "side", "before")
            days = 0 if side == "on" else number(form.get(p + "days"), blank="")
            offset = (-days if side == "before" else days) if isinstance(days, int) else days
            rung = {"key": key, "offset": offset, "recipients": form.getlist(p + "recipients"),
                    "channels": form.getlist(p + "channels")}
            every = number(form.get(p + "every"))
            if every:
                rung["every"] = every
            rungs.append(rung)
        ladders[kind] = {"label": (form.get(f"{kind}.label") or "").strip(), "anchor": ladder.anchor,
                         "send_at": (form.get(f"{kind}.send_at") or "").strip(), "rungs": rungs}
    return {"ladders": ladders,
            "quiet_hours": {"start": (form.get("quiet.start") or "").strip(),
                            "end": (form.get("quiet.end") or "").strip(),
                            "channels": form.getlist("quiet.channels")},
            "digest": {"at": (form.get("digest.at") or "").strip(), "recipients": list(current.digest.recipients),
                       "channels": list(current.digest.channels)}}
