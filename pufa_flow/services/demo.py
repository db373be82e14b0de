"""Demo data, loaded through the same services as real work.

Every state in the demo was reached by firing triggers, so the audit trail,
history pages and outbox look exactly as they would after real use. Each step
runs with the clock (``clock.frozen``) set to the day it happened, so audit
times, ages and notices tell one story: 2023's cycle in 2023, this year's
in its phases, notices over the last two months. Dates are relative to today
so there is always something due soon and something overdue; a step planned
after today happens now.
"""
from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from .. import clock
from ..extensions import db
from ..models import Contact, CycleAssignment, Unit, User, UnitAssessment
from . import board, cycles, demo_filings, demo_results, notices, record_suggestions, workflow
from . import self_assessment as workspace
from .calendar import calendar, today
from .demo_data import (GIVEN, GRADED_UNITS_2023, INSPECTION_BODIES, INSPECTION_PLAN, INSPECTION_PROBLEMS, PROBLEMS,
                        SELF_PROBLEMS, SELF_REPORT, SURNAMES, WITHOUT_ENFORCEMENT)
from .transaction import transaction

DEMO_PASSWORD = "demo1234"
STAFF = [("admin", "office", "普法办管理员"), ("pingwei", "evaluator", "评委会 李明"),
         ("pingyi", "panel", "评议团 赵律师"), ("lingdao", "viewer", "分管副区长"), *demo_results.PANEL_STAFF]


@contextmanager
def _on(day: date, step: int = 0):
    """Run the block at 09:00 Shanghai time on ``day`` (+ ``step`` minutes), never later than now."""
    real_now = clock.utcnow()
    at = datetime.combine(day, time(9), tzinfo=clock.local_zone()) + timedelta(minutes=step)
    with clock.frozen(min(at, real_now)):
        yield


def is_loaded() -> bool:
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(Unit)))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _units_and_users(rng: random.Random) -> tuple[dict[str, Unit], dict[str, User], dict]:
    password_hash = generate_password_hash(DEMO_PASSWORD)  # one hash for every demo account
    names = [n for group in GRADED_UNITS_2023.values() for n in group]
    units, unit_users = {}, {}
    with transaction():
        for i, name in enumerate(names, start=1):
            unit = Unit(name=name, kind="city_department", has_enforcement_power=name not in WITHOUT_ENFORCEMENT)
            unit.contacts = [
                Contact(role=role, name=_person(rng), phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                        email=f"u{i:02d}.{role}@junshan.example.cn" if role != "principal" else None)
                for role in ("principal", "leader", "liaison")]
            units[name] = unit
        db.session.add_all(units.values())
        db.session.flush()
        for i, (name, unit) in enumerate(units.items(), start=1):
            username = "sifaju" if name == "区司法局" else f"unit{i:02d}"
            unit_users[name] = User(username=username, display_name=f"{name}联络员", role="unit",
                                    unit_id=unit.id, password_hash=password_hash)
        staff = {u: User(username=u, role=r, display_name=d, password_hash=password_hash) for u, r, d in STAFF}
        db.session.add_all([*unit_users.values(), *staff.values()])
        db.session.flush()  # ids now: the load is one transaction and commits only at its end
    return units, unit_users, staff


def _phases(year: int) -> dict:
    return {"self_assessment": {"start": f"{year}-10-16", "due": f"{year}-11-05"},
            "field_research": {"start": f"{year}-11-06", "due": f"{year}-11-28"},
            "acceptance": {"start": f"{year}-11-29", "due": f"{year}-12-26"},
            "results": {"start": f"{year}-12-27", "due": f"{year + 1}-01-26"}}


def _assessments(cycle) -> dict[str, UnitAssessment]:
    rows = db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == cycle.id))
    return {a.unit.name: a for a in rows}


#: deductions a demo unit may claim: (rule id, points, per unit?) — none that needs 执法权限
_DEDUCTIONS = [("n23-02-b", 2, False), ("n23-03-c", 2, False), ("n23-06-d", 2, False), ("n23-07-c", 2, False),
               ("n23-08-a", 2, False), ("n23-09-b", 3, False), ("n23-06-c", 3, False), ("n23-08-c", 4, False),
               ("n23-04-a", 1, True), ("n23-14-b", 1, True), ("n23-15-a", 1, True)]


def _entries(rng: random.Random, target: int, settled: dict | None = None) -> list[dict]:
    """Score-sheet entries that compute to ``target`` (60…100), chosen as a unit would tick them;
    ``settled``: rule id → points the sheet already takes off (the filing record's)."""
    settled = settled or {}
    remaining, entries = max(0, 100 - target - int(sum(settled.values()))), []
    pool = [d for d in _DEDUCTIONS[:8] if d[0] not in settled]
    rng.shuffle(pool)
    for rule_id, points, _ in pool:
        if points <= remaining and rng.random() < 0.6:
            entries.append({"rule_id": rule_id, "note": "经自查，该项工作未落实到位"})
            remaining -= points
    for rule_id, _, _ in _DEDUCTIONS[8:]:
        count = min(remaining, 5) if rule_id not in settled else 0
        if count:
            entries.append({"rule_id": rule_id, "count": count, "note": f"少{count}次（篇、条）"})
            remaining -= count
    return entries


def _points(rule, count: int):
    if rule.kind == "per_unit":
        return min(rule.per_unit * count, rule.cap) if rule.cap is not None else rule.per_unit * count
    return rule.points or 0


def _sheet(a, rng: random.Random, target: int) -> list[dict]:
    """The filing record's deductions first, as the sheet opens with them (a unit keeps
    what its record settles), then the unit's own ticks up to ``target``."""
    entries = record_suggestions.preselected(a)
    rules = record_suggestions.applicable(a)
    settled = {e["rule_id"]: _points(rules[e["rule_id"]], e.get("count", 1)) for e in entries}
    return entries + _entries(rng, target, settled)


def _fill_workspace(a, user, rng: random.Random, target: int) -> None:
    """A complete 自评: score sheet, written report and a problem list of 3–5 problems."""
    workspace.save_entries(a, {"entries": _sheet(a, rng, target)}, actor=user)
    workspace.save_report_text(a, f"{a.unit.name}{a.cycle.year}年度普法责任制履职自评报告\n" + SELF_REPORT, actor=user)
    chosen = rng.sample(SELF_PROBLEMS, rng.randint(3, 5))
    workspace.save_problems(a, {"problems": [{"title": t, "body": b} for t, b in chosen]}, actor=user)


def _assign(cycle, user, units) -> None:
    """The units this evaluator or panel member examines (until issue 12's teams fill this)."""
    with transaction():
        db.session.add_all(CycleAssignment(cycle_id=cycle.id, unit_id=u.id, user_id=user.id, role=user.role)
                           for u in units)


def _submitted_workspace(a, user, rng: random.Random, target: int) -> None:
    _fill_workspace(a, user, rng, target)
    workspace.submit(a, actor=user)


def _current_cycle(units, unit_users, office, staff, rng) -> None:
    """This year's cycle from the 003 template, in 自评.

    Most units submitted complete materials (some already accepted), one was
    returned for revision, a few are drafting or have not started (the office
    extended their deadline), and 区科协 and 区总工会 are late. The evaluator
    李明 and the panel member 赵律师 each examine a few units of it.
    """
    year = today().year
    with _on(date(year, 10, 12)):
        cycle = cycles.create_cycle({"name": f"{year}年度普法责任制考评", "year": year, "template": "nanchang-003",
                                     "unit_kinds": ["city_department"]}, actor=office)
    names = sorted(units)
    _assign(cycle, staff["pingwei"], [units[n] for n in names[0:12:2]])
    _assign(cycle, staff["pingyi"], [units[n] for n in names[1:12:2]])
    start = cycle.phase("self_assessment").starts_on
    due = cycle.phase("self_assessment").due_on
    with _on(start):
        workflow.fire(cycle, "start", actor=office)
    late = {"区科协", "区总工会"}
    not_started = {"区行政审批局", "区生态环境局", "区税务局", "区商粮局"}
    drafting = {"区住建局", "区民政局"}
    returned = "区城管局"
    extended_to = calendar().add_workdays(max(today(), due), 7)
    for i, (name, a) in enumerate(_assessments(cycle).items()):
        user = unit_users[name]
        if name in late:
            continue
        if name in not_started or name in drafting:
            if name in drafting:
                with _on(start + timedelta(days=5 + i % 7), step=i):
                    workspace.save_entries(a, {"entries": _sheet(a, rng, rng.randint(80, 95))}, actor=user)
            with _on(due + timedelta(days=1), step=i):
                cycles.extend_deadline(a, extended_to, "单位机构改革、主要负责人调整，经普法办研究同意延期报送",
                                       actor=office)
            continue
        submitted = start + timedelta(days=4 + i % 15)
        with _on(submitted, step=i):
            _fill_workspace(a, user, rng, rng.randint(75, 100))
            workspace.submit(a, actor=user)
        with _on(submitted + timedelta(days=2), step=i):
            if name == returned:
                workflow.fire(a, "return_for_revision", actor=office,
                              comment="自测得分表第4项“每少报送1条工作信息扣1分”未附佐证材料，问题清单缺少具体数据，请补充后重新提交")
                cycles.extend_deadline(a, extended_to, "退回修改，给予补正期限", actor=office)
            elif i % 3 == 0:
                workflow.fire(a, "accept", actor=office)


# (unit, days since issued, [(days from issue to deadline, target state)])
NOTICE_PLAN = [
    ("区科协", 60, [(30, "in_progress"), (30, "issued"), (45, "submitted")]),
    ("区生态环境局", 50, [(20, "closed"), (40, "in_progress"), (70, "extension_requested")]),
    ("区总工会", 45, [(15, "issued"), (30, "in_progress")]),
    ("区行政审批局", 40, [(30, "submitted"), (60, "in_progress"), (60, "cancelled")]),
    ("区司法局", 20, [(25, "in_progress"), (40, "issued"), (10, "closed")]),
    ("区城管局", 10, [(30, "issued"), (45, "in_progress")]),
]


#: days after the notice each step of a path happens
_STEP_DAYS = {"acknowledge": 2, "submit": 12, "verify": 15, "request_extension": 8, "cancel": 5}


def _move_item(item, target, unit_user, office, issued: date) -> None:
    steps = {
        "issued": [],
        "in_progress": [("acknowledge", unit_user, {}, None)],
        "submitted": [("acknowledge", unit_user, {}, None), ("submit", unit_user, {"measures": "已按要求完成整改，佐证材料已上传。"}, None)],
        "closed": [("acknowledge", unit_user, {}, None), ("submit", unit_user, {"measures": "已建立台账并公示。"}, None),
                   ("verify", office, {}, "材料齐全，同意销号")],
        "extension_requested": [("acknowledge", unit_user, {}, None),
                                ("request_extension", unit_user,
                                 {"new_due_date": (item.due_date + timedelta(days=30)).isoformat()},
                                 "需待年度预算调整后落实经费")],
        "cancelled": [("cancel", office, {}, "该问题已在另一份通知书中下发，本条撤销")],
    }[target]
    for trigger, actor, data, comment in steps:
        with _on(issued + timedelta(days=_STEP_DAYS[trigger]), step=item.seq):
            workflow.fire(item, trigger, actor=actor, data=data, comment=comment)


def _notices(units, unit_users, office, rng) -> None:
    now = today()
    problems = list(PROBLEMS)
    for name, age, plan in NOTICE_PLAN:
        issued = now - timedelta(days=age)
        rng.shuffle(problems)
        items = [{"category": c, "problem": p, "requirement": r,
                  "due_date": (issued + timedelta(days=days)).isoformat()}
                 for (c, p, r), (days, _) in zip(problems, plan)]
        with _on(issued):
            notice = notices.create_notice({"unit_id": units[name].id, "source": "evaluation",
                                            "title": f"关于{name}普法责任制考评问题的整改通知书",
                                            "issued_on": issued.isoformat(), "items": items}, actor=office)
        for item, (_, target) in zip(notice.items, plan):
            _move_item(item, target, unit_users[name], office, issued)


# what happens to an item of the inspection, step by step: (trigger, who, days after issue, data, comment)
def _inspection_steps(path: str, item, other_unit_id: int) -> list[tuple]:
    submit = ("submit", "unit", None, {"measures": "已制定整改方案并逐项落实，佐证材料已上传。"}, None)
    ack = ("acknowledge", "unit", 2, {}, None)
    due_offset = (item.due_date - item.notice_issued_on).days
    late = due_offset + 12  # closed well after the deadline
    return {
        "issued": [], "issued_overdue": [],
        "in_progress": [ack],
        "overdue": [ack],
        "waiting": [ack, submit[:2] + (due_offset - 3,) + submit[3:]],
        "closed_on_time": [ack, ("evidence", "unit", due_offset - 6, {}, None),
                           submit[:2] + (due_offset - 5,) + submit[3:],
                           ("verify", "office", due_offset - 2, {}, "材料齐全，整改到位，同意销号")],
        "sent_back_closed_late": [ack, submit[:2] + (due_offset - 4,) + submit[3:],
                                  ("send_back", "office", due_offset - 1, {}, "缺少党组会议记录，请补充后重新提交"),
                                  ("evidence", "unit", late - 2, {}, None),
                                  submit[:2] + (late - 1,) + submit[3:],
                                  ("verify", "office", late, {}, "补充材料齐全，同意销号")],
        "extension_approved_other_date": [ack, ("request_extension", "unit", 10,
                                                {"new_due_date": (item.due_date + timedelta(days=45)).isoformat()},
                                                "需经党组会议研究，会期在下月"),
                                          ("approve_extension", "office", 12,
                                           {"approved_due_date": (item.due_date + timedelta(days=30)).isoformat()},
                                           "同意延期，但须在30日内完成")],
        "extension_denied": [ack, ("request_extension", "unit", 8,
                                   {"new_due_date": (item.due_date + timedelta(days=60)).isoformat()}, "人员不足"),
                             ("deny_extension", "office", 10, {}, "理由不充分，请按原时限完成")],
        "extension_pending": [ack, ("request_extension", "unit", 20,
                                    {"new_due_date": (item.due_date + timedelta(days=30)).isoformat()},
                                    "案卷数量较多，需延长时限集中整改")],
        "cancelled": [("cancel", "office", 6, {}, "该问题已在考评整改通知书中下发，本条撤销")],
        "reassigned": [("reassign", "office", 3, {"unit_id": other_unit_id}, "该项职责已调整至区司法局")],
    }[path]


def _evidence(item, unit_user, n: int) -> None:
    """A photo and a scanned report as evidence (tiny but real PNG and PDF files)."""
    from . import items as item_service

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS"
           b"\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00"
           b"\x00IEND\xaeB`\x82")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    item_service.add_evidence(item, [(f"整改现场照片{n}.png", png), (f"整改情况报告{n}.pdf", pdf)], actor=unit_user)


def _inspection(units, unit_users, office) -> None:
    """This year's 督查 (modelled on 002): notices issued through draft → review → issue, items on every path."""
    from . import inspections, items as item_service

    now = today()
    start = now - timedelta(days=80)
    with _on(start):
        inspection = inspections.create_inspection({
            "name": f"{now.year}年全区法治建设工作督查", "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=2)).isoformat(), "bodies": INSPECTION_BODIES,
            "unit_ids": [units[name].id for name, _, _ in INSPECTION_PLAN]}, actor=office)
    problems = iter(INSPECTION_PROBLEMS * 3)
    for name, age, plan in INSPECTION_PLAN:
        issued = now - timedelta(days=age)
        drafted = []
        for deadline, _ in plan:
            category, problem, requirement = next(problems)
            due = ({"due_workdays": int(deadline[:-2])} if isinstance(deadline, str)
                   else {"due_date": (issued + timedelta(days=deadline)).isoformat()})
            drafted.append({"category": category, "problem": problem, "requirement": requirement,
                            "responsible": _person(random.Random(name + problem)), **due})
        with _on(issued - timedelta(days=3)):
            notice = notices.create_draft({"unit_id": units[name].id, "inspection_id": inspection.id,
                                           "title": inspections.notice_title(inspection, name),
                                           "items": drafted}, actor=office)
        with _on(issued - timedelta(days=1)):
            workflow.fire(notice, "review", actor=office)
        with _on(issued):
            notices.issue(notice, actor=office)
        for item, (_, path) in zip(notice.items, plan):
            item.notice_issued_on = issued
            unit_user = unit_users[name]
            for n, (trigger, who, day, data, comment) in enumerate(_inspection_steps(path, item, units["区司法局"].id)):
                actor = unit_user if who == "unit" else office
                with _on(issued + timedelta(days=day), step=item.seq * 10 + n):
                    if trigger == "evidence":
                        _evidence(item, unit_user, item.id)
                    elif trigger == "reassign":
                        item_service.reassign(item, data["unit_id"], comment, actor=office)
                    else:
                        item_service.fire_item(item, trigger, actor=actor, data=data, comment=comment)


def load(seed: int = 2023) -> dict:
    """Everything in one transaction (the services' own blocks join it): one commit, not thousands."""
    rng = random.Random(seed)
    with transaction():
        with _on(date(2023, 9, 1)):
            units, unit_users, staff = _units_and_users(rng)
        office = staff["admin"]
        demo_results.load(units, unit_users, office, staff, on=_on, phases=_phases(2023),
                          fill_workspace=_submitted_workspace)
        demo_filings.load(units, unit_users, office, _on)  # before this year's 自评: the sheets read the record
        _current_cycle(units, unit_users, office, staff, rng)
        _notices(units, unit_users, office, rng)
        _inspection(units, unit_users, office)
        board.forget_past_days()  # the items' history was written after the fact: any kept day is stale
    return {"units": len(units), "users": len(unit_users) + len(staff)}


__all__ = ["DEMO_PASSWORD", "is_loaded", "load"]
