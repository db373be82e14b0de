"""The office's daily digest (working days, 08:30): what became overdue, what
was submitted, what failed to deliver since the last one. One outbox row per
channel and local day (``kind = "digest"``): the scheduler may call this as
often as it likes."""
from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from notifications.policy import is_digest_time

from ...clock import format_date_cn, utcnow
from ...extensions import db
from ...models import OutboxAttempt, OutboxMessage, RectificationItem
from ...models.outbox import outbox_key
from ..calendar import calendar as app_calendar
from . import recipients
from .context import aware, local_day, naive_utc, policy, workdays
from .sweep import _insert, record_run


def summary(now: datetime) -> dict:
    """Counts and lines for the last 24 hours and the items overdue today."""
    now_naive = naive_utc(now)
    since = now_naive - timedelta(days=1)
    cal = app_calendar()
    cutoff = cal.overdue_cutoff(local_day(now))
    open_states = RectificationItem.workflow.definition.open_states
    overdue = db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem).where(
        RectificationItem.status.in_(open_states), RectificationItem.due_date <= cutoff))
    newly_overdue = db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem).where(
        RectificationItem.status.in_(open_states), RectificationItem.due_date == cutoff))
    submitted = db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem).where(
        RectificationItem.submitted_at > since, RectificationItem.status == "submitted"))
    failed = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == "failed"))
    return {"overdue": overdue, "newly_overdue": newly_overdue, "submitted": submitted, "failed": failed}


def fold_held(now: datetime) -> int:
    """Each recipient on the daily digest gets one message per channel with
    their held reminders; the held rows become sent, naming that message."""
    now_naive = naive_utc(now)
    day = local_day(now)
    held = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == "held")
                                   .order_by(OutboxMessage.id)))
    groups: dict[tuple[str, str], list[OutboxMessage]] = {}
    for row in held:
        groups.setdefault((row.channel, row.recipient), []).append(row)
    dialect = db.session.get_bind().dialect.name
    made = 0
    base = current_app.config.get("PUFA_BASE_URL", "")
    for (channel, recipient), rows in groups.items():
        first = rows[0]
        body = "\n".join(f"{i}. {r.subject}" for i, r in enumerate(rows, 1)) + f"\n请登录系统查看：{base}/items/"
        new_id = db.session.scalar(_insert(dialect).returning(OutboxMessage.id), {
            "key": outbox_key("digest.recipient", day.isoformat(), channel, recipient), "channel": channel,
            "recipient": recipient, "recipient_role": first.recipient_role, "recipient_name": first.recipient_name,
            "kind": "digest.recipient", "local_day": day, "object_type": "digest", "object_id": 0,
            "unit_id": first.unit_id, "status": "pending", "created_at": now_naive, "send_after": now_naive,
            "attempts": 0, "subject": f"【普法考评】整改提醒汇总（{len(rows)} 条）", "body": body,
            "template": "reminder_digest" if channel == "sms" else None,
            "variables": {"count": str(len(rows))} if channel == "sms" else None, "link": f"{base}/items/"})
        if new_id is None:
            continue  # today's digest for this address went already; these wait for tomorrow's
        made += 1
        for r in rows:
            r.status, r.sent_at, r.provider_message_id = "sent", now_naive, f"digest-{new_id}"
            db.session.add(OutboxAttempt(message_id=r.id, attempt=r.attempts, status="sent",
                                         started_at=now_naive, finished_at=now_naive, provider="digest",
                                         provider_message_id=f"outbox-{new_id}",
                                         error=f"并入每日汇总消息 #{new_id}"))
    db.session.commit()
    return made


def digest(now: datetime | None = None, *, force: bool = False) -> int:
    """Queue today's digest for the office, and the held reminders of the
    recipients who asked for a digest; returns rows queued (0 on a second call)."""
    started = time.monotonic()
    now = aware(now or utcnow())
    pol = policy()
    if not force and not is_digest_time(now, workdays(), pol.digest):
        return 0
    folded = fold_held(now)
    facts = summary(now)
    day = local_day(now)
    subject = f"【普法考评】每日汇总 {format_date_cn(day)}"
    body = (f"{format_date_cn(day)}汇总：逾期未整改事项 {facts['overdue']} 条（今日新增 {facts['newly_overdue']} 条）；"
            f"近 24 小时报送待验收 {facts['submitted']} 条；发送失败的消息 {facts['failed']} 条。\n"
            f"查看详情：{current_app.config.get('PUFA_BASE_URL', '')}/reminders/log")
    rows = []
    for role in pol.digest.recipients:
        for channel in pol.digest.channels:
            for a in recipients.addresses(None, role, channel):
                rows.append({"key": outbox_key("digest", day.isoformat(), a.channel, a.address),
                             "channel": a.channel, "recipient": a.address, "recipient_role": a.role,
                             "recipient_name": a.name, "kind": "digest", "local_day": day,
                             "object_type": "digest", "object_id": 0, "unit_id": None, "status": "pending",
                             "created_at": naive_utc(now), "send_after": naive_utc(now), "attempts": 0,
                             "subject": subject, "body": body, "link": f"{current_app.config.get('PUFA_BASE_URL', '')}/reminders/log"})
    inserted = []
    if rows:
        dialect = db.session.get_bind().dialect.name
        inserted = list(db.session.scalars(_insert(dialect).returning(OutboxMessage.id), rows))
        db.session.commit()
    record_run("digest", naive_utc(now), started, len(inserted) + folded)
    return len(inserted) + folded
