"""Evaluators and panel members reminded of their pending work (issue 9 item 2).

While a cycle is in 实地调研 or 评估验收, its 评估验收 phase's due date is
chased by the ``cycle_review`` ladder (5, 2 and 1 working days before, then
each working day after). One next-reminder row per cycle
(``object_type = "cycle"``, ladder ``"cycle_review"``); when the sweep reaches
it, each assigned person's pending units are read in two queries:

* a 评议团成员 (panel) owes a submitted 评议得分表 for every assigned unit not
  yet scored (its assessment not past 已受理);
* a 评委会成员 (evaluator) owes the field record (调研发现的问题, saved at
  least once) for every assigned unit.

Someone with nothing pending gets nothing; the chase ends when the cycle
leaves those phases. People are reached in their own in-app inbox
(``user:<id>``): accounts have no email address or mobile on file.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from markupsafe import escape

from notifications.calendar import next_workday_on_or_after
from notifications.channels.sms import short
from notifications.policy import CHANNELS, ROLES, PlannedReminder, sweep_deadline

from ...clock import format_date_cn, utcnow
from ...extensions import db
from ...models import (
    Cycle, CycleAssignment, FieldFindings, PanelScore, ReminderSchedule, Unit, UnitAssessment, User,
)
from ...models.outbox import outbox_key
from .context import aware, naive_utc, policy, workdays
from .messages import stage_label
from .schedule import advance, keep_row

OBJECT_TYPE = "cycle"
LADDER = "cycle_review"
#: the cycle states in which review work is chased
REVIEW_STATES = ("field_research", "acceptance")
#: assessment states in which a panel sheet is still wanted
UNSCORED = ("pending", "submitted", "returned", "accepted")


def review_due(cycle: Cycle) -> date | None:
    """The 评估验收 phase's due date while the cycle is in review, else None."""
    if cycle is None or cycle.status not in REVIEW_STATES:
        return None
    phase = cycle.phase("acceptance")
    return phase.due_on if phase else None


def replan(cycle: Cycle, *, now: datetime | None = None, calendar=None) -> None:
    """The cycle's review row in step with its state and the phase's due date."""
    keep_row(OBJECT_TYPE, cycle.id, LADDER, review_due(cycle), now=aware(now or utcnow()), calendar=calendar)


def pending(cycle_id: int) -> dict[tuple[int, str], list[str]]:
    """(user id, role) → the names of the units whose work that person still owes."""
    out: dict[tuple[int, str], list[str]] = defaultdict(list)
    a = UnitAssessment
    submitted = sa.select(PanelScore.id).where(PanelScore.assessment_id == a.id,
                                               PanelScore.user_id == CycleAssignment.user_id,
                                               PanelScore.status == "submitted").exists()
    panel = (sa.select(CycleAssignment.user_id, Unit.name)
             .join(a, sa.and_(a.cycle_id == CycleAssignment.cycle_id, a.unit_id == CycleAssignment.unit_id))
             .where(CycleAssignment.cycle_id == cycle_id, CycleAssignment.role == "panel",
                    a.status.in_(UNSCORED), ~submitted))
    recorded = sa.select(FieldFindings.assessment_id).where(FieldFindings.assessment_id == a.id).exists()
    evaluator = (sa.select(CycleAssignment.user_id, Unit.name)
                 .join(a, sa.and_(a.cycle_id == CycleAssignment.cycle_id, a.unit_id == CycleAssignment.unit_id))
                 .where(CycleAssignment.cycle_id == cycle_id, CycleAssignment.role == "evaluator", ~recorded))
    for role, stmt in (("panel", panel), ("evaluator", evaluator)):
        for user_id, name in db.session.execute(stmt.join(Unit, Unit.id == a.unit_id).order_by(a.unit_id)).all():
            out[(user_id, role)].append(name)
    return dict(out)


def words(cycle: Cycle, role: str, units: list[str], planned: PlannedReminder, deadline: date) -> dict:
    overdue = planned.offset > 0
    work = "评议得分表" if role == "panel" else "实地调研记录（调研发现的问题）"
    link = f"{current_app.config.get('PUFA_BASE_URL', '')}/worklist"
    listing = "、".join(units)
    stage = stage_label(planned.offset)
    text = (f"{cycle.name}：您负责的 {len(units)} 个单位尚未提交{work}（{listing}）。"
            f"评估验收阶段截止{format_date_cn(deadline)}（{stage}）。\n请登录系统办理：{link}\n")
    html = (f"<p>{escape(cycle.name)}：您负责的 {len(units)} 个单位尚未提交{escape(work)}（{escape(listing)}）。</p>"
            f"<p>评估验收阶段截止{escape(format_date_cn(deadline))}（{escape(stage)}）。</p>"
            f'<p><a href="{escape(link)}">登录系统办理</a></p>')
    return {"subject": f"【普法考评】{'评估工作逾期' if overdue else '评估工作提醒'}：{short(cycle.name)}"[:200],
            "body": text, "html": html, "template": "review_overdue" if overdue else "review_due",
            "variables": {"cycle": short(cycle.name), "count": str(len(units)),
                          "date": f"{deadline.month}月{deadline.day}日"}, "link": link}


def chase(row: ReminderSchedule, cycle: Cycle, *, now: datetime, calendar) -> tuple[list[dict], list[tuple]]:
    pol = policy()
    ladder = pol.ladder(LADDER)
    now_naive = naive_utc(now)
    since = aware(row.swept_at) if row.swept_at else None
    deadline = next_workday_on_or_after(calendar, row.anchor)
    owed = pending(cycle.id)
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_({k[0] for k in owed})))}
    outbox, lines = [], []
    for (user_id, role), units in sorted(owed.items()):
        user = users[user_id]
        if not user.is_active_account:
            continue
        result = sweep_deadline(row.anchor, ladder, calendar, now=now, since=since, audience={role},
                                quiet=pol.quiet)
        for queued in result.queue:
            p = queued.planned
            if p.channel != "in_app":
                continue  # no email or mobile on an account: the inbox is where they are reached
            w = words(cycle, role, units, p, deadline)
            address = f"user:{user.id}"
            key = outbox_key(OBJECT_TYPE, cycle.id, p.kind, p.day.isoformat(), p.channel, address)
            outbox.append({
                "key": key, "channel": "in_app", "recipient": address, "recipient_role": role,
                "recipient_name": user.label[:50], "kind": p.kind, "local_day": p.day,
                "object_type": OBJECT_TYPE, "object_id": cycle.id, "unit_id": None, "status": "pending",
                "created_at": now_naive, "send_after": naive_utc(queued.not_before), "attempts": 0,
                "subject": w["subject"], "body": w["body"], "html": None, "template": None, "variables": None,
                "link": w["link"]})
            lines.append((key, f"{p.at.strftime('%Y-%m-%d %H:%M')} {cycle.name} {p.kind} → "
                                     f"{ROLES.get(role, role)} {user.label} {CHANNELS['in_app']} {address}"
                                     f"（待办 {len(units)} 个单位）"))
    return outbox, lines


def sweep(now: datetime, report, *, dry_run: bool = False) -> None:
    """The cycles whose review rows are due at ``now`` → inbox rows; adds to the sweep's ``report``."""
    from .sweep import due_schedules, enqueue_rows

    now = aware(now)
    now_naive = naive_utc(now)
    calendar = workdays()
    dialect = db.session.get_bind().dialect.name
    for row in due_schedules(OBJECT_TYPE, now_naive, dialect=dialect, dry_run=dry_run, ladder=LADDER):
        report.looked_at += 1
        cycle = db.session.get(Cycle, row.object_id)
        if cycle is None or review_due(cycle) is None:
            report.dropped += 1
            if not dry_run:
                db.session.delete(row)
            continue
        outbox, lines = chase(row, cycle, now=now, calendar=calendar)
        enqueue_rows(outbox, lines, report, dialect=dialect, dry_run=dry_run)
        if dry_run:
            continue
        advance(row, calendar, now=now)
    if not dry_run:
        db.session.commit()
