"""Creating an assessment cycle with its phases and one assessment per unit."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import PHASES, UNIT_KINDS, Cycle, CyclePhase, Unit, UnitAssessment
from . import audit, frameworks
from .calendar import today
from .cycle_templates import phases_for
from .transaction import transaction
from ..converters import MAX_ID
from .validation import MAX_LEN, clean_date, clean_int, clean_text

MAX_UNITS = 10_000
MIN_YEAR, MAX_YEAR = 2000, 2100


def _clean_phases(raw, errors: dict) -> list[CyclePhase]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict) or set(raw) - set(PHASES):
        errors["phases"] = f"阶段只能是：{'、'.join(f'{k}（{v}）' for k, v in PHASES.items())}"
        return []
    phases, previous = [], None
    for position, (phase, label) in enumerate(PHASES.items(), start=1):
        spec = raw.get(phase) or {}
        if not isinstance(spec, dict):
            errors[f"phases.{phase}"] = f"{label}阶段应包含 start 与 due"
            continue
        start = clean_date(spec.get("start"), f"phases.{phase}.start", f"{label}开始日期", errors, required=False)
        due = clean_date(spec.get("due"), f"phases.{phase}.due", f"{label}截止日期", errors, required=False)
        if start and due and start > due:
            errors[f"phases.{phase}"] = f"{label}阶段的开始日期晚于截止日期"
        if previous and start and start < previous:
            errors[f"phases.{phase}.start"] = f"{label}阶段不能早于上一阶段开始"
        previous = start or previous
        phases.append(CyclePhase(phase=phase, position=position, starts_on=start, due_on=due))
    return phases


def _clean_unit_ids(raw, errors: dict) -> list[int]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                            and 1 <= i <= MAX_ID for i in raw):
        errors["unit_ids"] = f"unit_ids 应为单位编号（1 到 {MAX_ID} 的整数）列表"
        return []
    if len(raw) > MAX_UNITS or len(set(raw)) != len(raw):
        errors["unit_ids"] = "unit_ids 不能重复，且不超过 10000 个"
        return []
    found = set(db.session.scalars(sa.select(Unit.id).where(Unit.id.in_(raw), Unit.is_active.is_(True))))
    if missing := [i for i in raw if i not in found]:
        errors["unit_ids"] = f"单位不存在或已停用：{'、'.join(map(str, missing[:10]))}"
    return raw


def _units_of_kinds(raw, errors: dict) -> list[int]:
    """Every active unit of the kinds named (``unit_kinds``), in id order."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(k, str) and k in UNIT_KINDS for k in raw):
        errors["unit_kinds"] = f"unit_kinds 只能包含：{'、'.join(UNIT_KINDS)}"
        return []
    if not raw:
        return []
    return list(db.session.scalars(sa.select(Unit.id).where(Unit.kind.in_(raw), Unit.is_active.is_(True))
                                   .order_by(Unit.id)))


def create_cycle(data: dict, *, actor) -> Cycle:
    """``template`` fills the phase dates the body leaves out; ``unit_kinds`` adds every active
    unit of those kinds to ``unit_ids``; ``frameworks`` ({unit kind: library framework id})
    overrides the default framework of a kind. The frameworks are copied into the cycle."""
    errors: dict[str, str] = {}
    name = clean_text(data.get("name"), "name", "周期名称", errors, max_len=MAX_LEN["name"], name_like=True)
    year = clean_int(data.get("year"), "year", "年度", errors, minimum=MIN_YEAR, maximum=MAX_YEAR)
    raw_phases = data.get("phases")
    template = data.get("template")
    if template not in (None, ""):
        if not isinstance(template, str):
            errors["template"] = "template 必须是文本"
        elif year is not None and "year" not in errors:
            try:
                filled = phases_for(template, year)
            except ValidationFailed as exc:
                errors.update(exc.fields)
            else:
                if isinstance(raw_phases, dict):
                    filled.update({k: v for k, v in raw_phases.items() if v})
                    raw_phases = filled
                elif raw_phases is None:
                    raw_phases = filled
    phases = _clean_phases(raw_phases, errors)
    unit_ids = _clean_unit_ids(data.get("unit_ids"), errors)
    for uid in _units_of_kinds(data.get("unit_kinds"), errors):
        if uid not in unit_ids:
            unit_ids.append(uid)
    chosen = frameworks.clean_choice(data.get("frameworks"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        cycle = Cycle(name=name, year=year, phases=phases)
        db.session.add(cycle)
        db.session.flush()
        frameworks.copy_into_cycle(cycle, chosen)
        if unit_ids:
            # status and version take their column defaults: the machine's initial state, version 1
            db.session.execute(sa.insert(UnitAssessment), [{"cycle_id": cycle.id, "unit_id": uid}
                                                            for uid in unit_ids])
        audit.record("cycle.create", "cycle", cycle.id, actor=actor,
                     data={"name": name, "year": year, "units": len(unit_ids), "template": template or None})
    return cycle


def add_units(cycle: Cycle, unit_ids: list, *, actor) -> int:
    """Add units to a draft cycle (by hand, after creation); units already in it are skipped."""
    if cycle.status != "draft":
        raise Conflict("考评周期已启动，不能再增加参评单位")
    errors: dict[str, str] = {}
    ids = _clean_unit_ids(unit_ids, errors)
    if errors:
        raise ValidationFailed(errors)
    present = set(db.session.scalars(sa.select(UnitAssessment.unit_id).where(UnitAssessment.cycle_id == cycle.id)))
    new = [uid for uid in ids if uid not in present]
    with transaction():
        if new:
            db.session.execute(sa.insert(UnitAssessment), [{"cycle_id": cycle.id, "unit_id": uid} for uid in new])
        audit.record("cycle.add_units", "cycle", cycle.id, actor=actor, data={"units": new})
    return len(new)


def extend_deadline(assessment: UnitAssessment, new_due, reason, *, actor) -> UnitAssessment:
    """A unit's own 自评 deadline, later than the one it has, with a reason; audited; its
    reminders re-planned on the new date (what was sent before is not sent again)."""
    errors: dict[str, str] = {}
    due = clean_date(new_due, "new_due_date", "延期后的截止日期", errors)
    reason = clean_text(reason, "reason", "延期理由", errors, max_len=500)
    current = assessment.due_on
    if due is not None and current is not None and due <= current:
        errors["new_due_date"] = f"延期后的截止日期应晚于当前截止日期 {current.isoformat()}"
    elif due is not None and due < today():
        errors["new_due_date"] = "延期后的截止日期不能早于今天"
    if errors:
        raise ValidationFailed(errors)
    if assessment.status not in UnitAssessment.workflow.definition.groups["awaiting_submission"] \
            or assessment.cycle.status not in ("draft", "self_assessment"):
        raise Conflict(f"{assessment.unit.name}的自评已提交或周期已过自评阶段，无需延期")
    with transaction():
        before = current
        assessment.extended_due_on = due
        assessment.extension_reason = reason
        db.session.flush()
        from . import reminders

        reminders.replan(assessment)  # the unit's 自评 reminders now count from its own date
        audit.record("assessment.extend", "assessment", assessment.id, actor=actor, unit_id=assessment.unit_id,
                     comment=reason, data={"from": before.isoformat() if before else None, "to": due.isoformat()})
    return assessment


def update_cycle(cycle: Cycle, data: dict, *, actor) -> Cycle:
    """Name and phase dates; refused once the cycle is archived. Units and frameworks change only in draft."""
    from .results import check_not_archived

    check_not_archived(cycle)
    errors: dict[str, str] = {}
    name = clean_text(data.get("name"), "name", "周期名称", errors, max_len=100, name_like=True)
    phases = _clean_phases(data.get("phases"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        before = {p.phase: [p.starts_on.isoformat() if p.starts_on else None,
                            p.due_on.isoformat() if p.due_on else None] for p in cycle.phases}
        cycle.name = name
        by_phase = {p.phase: p for p in cycle.phases}
        for new in phases:
            old = by_phase.get(new.phase)
            if old is None:
                cycle.phases.append(new)
            else:
                old.starts_on, old.due_on = new.starts_on, new.due_on
        db.session.flush()
        after = {p.phase: [p.starts_on.isoformat() if p.starts_on else None,
                           p.due_on.isoformat() if p.due_on else None] for p in cycle.phases}
        if after != before:  # a phase's due date moved: the units' reminders follow it
            from . import reminders

            reminders.replan(cycle)
        audit.record("cycle.update", "cycle", cycle.id, actor=actor,
                     data={"name": name, "phases": {k: [before.get(k), v] for k, v in after.items()
                                                    if before.get(k) != v}})
    return cycle
