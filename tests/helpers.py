"""Small builders shared by the workflow tests (not fixtures: plain functions)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from pufa_flow.extensions import db
from pufa_flow.services import cycles, notices, workflow

PHASE_DATES = {
    "self_assessment": {"start": "2026-10-15", "due": "2026-11-05"},
    "field_research": {"start": "2026-11-06", "due": "2026-11-25"},
    "acceptance": {"start": "2026-11-26", "due": "2026-12-25"},
    "results": {"start": "2026-12-26", "due": "2027-01-25"},
}


def new_cycle(office, units, **overrides):
    data = {"name": "2026年度普法责任制考评", "year": 2026, "phases": PHASE_DATES,
            "unit_ids": [u.id for u in units], **overrides}
    return cycles.create_cycle(data, actor=office)


def new_notice(office, unit, n_items=2, due=None):
    due = due or (date.today() + timedelta(days=30))
    items = [{"problem": f"问题{i}", "requirement": f"要求{i}", "due_date": due.isoformat(),
              "category": "archives"} for i in range(1, n_items + 1)]
    return notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                  "items": items}, actor=office)


def walk_item(item, unit_user, office, to: str):
    """Move an item along the main path to `to` through the service."""
    path = [("acknowledge", unit_user, {}, None),
            ("submit", unit_user, {"measures": "已建立档案"}, None),
            ("verify", office, {}, None)]
    targets = {"issued": 0, "in_progress": 1, "submitted": 2, "closed": 3}
    for trigger, actor, data, comment in path[: targets[to]]:
        workflow.fire(item, trigger, actor=actor, data=data, comment=comment)
    db.session.refresh(item)
    return item


def assign(user, cycle, units, role=None):
    """Give an evaluator or panel member these units of the cycle (the row policy's assignment)."""
    from pufa_flow.models import CycleAssignment

    for unit in units:
        db.session.add(CycleAssignment(cycle_id=cycle.id, unit_id=unit.id, user_id=user.id,
                                       role=role or user.role))
    db.session.commit()


#: inside PHASE_DATES' 自评 phase (10:00 in Shanghai on 2026-10-20)
IN_SELF_ASSESSMENT = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)


def fill_self_assessment(assessment, unit_user, entries=({"rule_id": "n23-03-c"},)):
    """A complete 自评 through the service: score sheet, report text, one problem."""
    from pufa_flow.services import self_assessment

    self_assessment.save_entries(assessment, {"entries": list(entries)}, actor=unit_user)
    self_assessment.save_report_text(assessment, "自评报告正文", actor=unit_user)
    self_assessment.save_problems(assessment, {"problems": [{"title": "普法形式单一", "body": "具体表现" * 60}]},
                                  actor=unit_user)
