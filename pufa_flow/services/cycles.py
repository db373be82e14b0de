"""Creating an assessment cycle with its phases and one assessment per unit."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import ValidationFailed
from ..extensions import db
from ..models import PHASES, Cycle, CyclePhase, Unit, UnitAssessment
from . import audit
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


def create_cycle(data: dict, *, actor) -> Cycle:
    errors: dict[str, str] = {}
    name = clean_text(data.get("name"), "name", "周期名称", errors, max_len=MAX_LEN["name"], name_like=True)
    year = clean_int(data.get("year"), "year", "年度", errors, minimum=MIN_YEAR, maximum=MAX_YEAR)
    phases = _clean_phases(data.get("phases"), errors)
    unit_ids = _clean_unit_ids(data.get("unit_ids"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        cycle = Cycle(name=name, year=year, phases=phases)
        db.session.add(cycle)
        db.session.flush()
        if unit_ids:
            # status and version take their column defaults: the machine's initial state, version 1
            db.session.execute(sa.insert(UnitAssessment), [{"cycle_id": cycle.id, "unit_id": uid}
                                                            for uid in unit_ids])
        audit.record("cycle.create", "cycle", cycle.id, actor=actor,
                     data={"name": name, "year": year, "units": len(unit_ids)})
    return cycle
