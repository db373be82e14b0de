"""``deliver(now)``: due outbox rows → the channels, one transaction each side
of the network.

1. Claim: the due rows (pending and ``send_after <= now``, or ``sending``
   whose lease ran out: the process that held them died) are marked
   ``sending`` under a random claim token with a lease, and committed.
   PostgreSQL picks them FOR UPDATE SKIP LOCKED; on both backends the UPDATE
   re-checks the state, so two workers never hold one row.
2. Send, outside any transaction (``notifications.delivery.deliver_batch``).
3. Record: one ``outbox_attempts`` row per attempt; the row to ``sent``,
   back to ``pending`` with the retry time (or the end of quiet hours), or
   ``failed``; committed.

A reclaimed row gets an "expired" attempt in its log: the one message that
may have gone twice is visible.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from notifications.channels import IN_APP, DeliveryResult, Message, Provider, build_registry
from notifications.delivery import DEFERRED, FAILED, RETRY, SENT, Outgoing, RetryPolicy, deliver_batch

from ...clock import utcnow, utcnow_naive
from ...errors import Conflict, NotFound
from ...extensions import db
from ...models import OutboxAttempt, OutboxMessage
from . import schedule  # noqa: F401 - keeps the package's import order explicit
from . import robots
from .context import aware, naive_utc, policy, workdays
from .sweep import record_run

#: rows claimed at once, per channel. A process killed mid-batch may send its
#: claimed rows again (after the lease): one SMS or robot message at most, a
#: few emails (which share one SMTP connection for speed), any in-app rows
#: (which only mark the row itself sent).
CHUNK = {"email": 50, "in_app": 500}
PICK = 500
RETRY_POLICY = RetryPolicy()


class InAppProvider(Provider):
    """The inbox is the sent in-app rows themselves: delivering one is marking it sent."""

    channel = IN_APP
    name = "inbox"

    def send(self, message: Message) -> DeliveryResult:
        return DeliveryResult(provider_message_id=f"inbox-{message.key}", provider=self.name)


def registry():
    """The channels configured by PUFA_* settings, plus the inbox; built once per app
    (tests and the demo may put their own in ``app.extensions['pufa_channels']``)."""
    ext = current_app.extensions
    if "pufa_channels" not in ext:
        reg = build_registry(current_app.config)
        reg.add(IN_APP, InAppProvider())
        ext["pufa_channels"] = reg
    return ext["pufa_channels"]


@dataclass
class DeliveryReport:
    now: datetime
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    reclaimed: int = 0
    lines: list[str] = field(default_factory=list)


def _claim(now_naive: datetime, dialect: str, token: str, lease) -> tuple[list[OutboxMessage], int]:
    due = sa.or_(sa.and_(OutboxMessage.status == "pending", OutboxMessage.send_after <= now_naive),
                 sa.and_(OutboxMessage.status == "sending", OutboxMessage.lease_until <= now_naive))
    pick = sa.select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.attempts, OutboxMessage.channel) \
        .where(due).order_by(OutboxMessage.send_after, OutboxMessage.id).limit(PICK)
    if dialect == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    picked = db.session.execute(pick).all()
    if not picked:
        db.session.rollback()
        return [], 0
    channel = picked[0].channel  # the longest-waiting row's channel, a chunk of it
    picked = [p for p in picked if p.channel == channel][:CHUNK.get(channel, 1)]
    ids = [p.id for p in picked]
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(ids), due)
                       .values(status="sending", claimed_by=token, lease_until=now_naive + lease),  # outbox state
                       execution_options={"synchronize_session": False})
    reclaimed = 0
    for p in picked:
        if p.status == "sending":  # its worker died mid-batch: say so in its log
            reclaimed += 1
            db.session.add(OutboxAttempt(message_id=p.id, attempt=p.attempts, status="expired",
                                         started_at=now_naive, finished_at=now_naive,
                                         error="上次投递未完成（进程中断，租约过期），重新投递；该消息可能已发出一次"))
    db.session.commit()
    rows = list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.claimed_by == token, OutboxMessage.status == "sending").order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)))
    db.session.rollback()  # nothing open while we send
    return rows, reclaimed


def _message(row: OutboxMessage, secrets: dict | None = None) -> Message:
    return Message(recipient=row.recipient, subject=row.subject, text=row.body, html=row.html,
                   template=row.template, variables=row.variables or {}, link=row.link, key=f"outbox-{row.id}",
                   secret=(secrets or {}).get(row.recipient))


def _record(rows: dict[int, OutboxMessage], outcomes, token: str, report: DeliveryReport) -> None:
    for outcome in outcomes:
        row = rows[outcome.key]
        values: dict = {"lease_until": None, "claimed_by": None}
        started, finished = naive_utc(outcome.started_at), naive_utc(outcome.finished_at)
        if outcome.status == SENT:
            report.sent += 1
            values.update(status="sent", sent_at=finished, attempts=outcome.attempt,
                          provider_message_id=outcome.provider_message_id, last_error=None)
        elif outcome.status == RETRY:
            report.retried += 1
            values.update(status="pending", attempts=outcome.attempt, last_error=outcome.error,
                          send_after=naive_utc(outcome.next_attempt_at))
        elif outcome.status == DEFERRED:
            report.deferred += 1
            values.update(status="pending", send_after=naive_utc(outcome.next_attempt_at))
        else:
            report.failed += 1
            values.update(status="failed", attempts=outcome.attempt, last_error=outcome.error)
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id,
                                                          OutboxMessage.claimed_by == token).values(**values),
                           execution_options={"synchronize_session": False})
        db.session.add(OutboxAttempt(
            message_id=row.id, attempt=outcome.attempt, status=outcome.status, started_at=started,
            finished_at=finished, provider=outcome.provider[:50], provider_message_id=outcome.provider_message_id,
            error=outcome.error if outcome.status != DEFERRED else "免打扰时段，顺延至 " +
            aware(outcome.next_attempt_at).astimezone(policy_zone()).strftime("%Y-%m-%d %H:%M")))
        report.lines.append(f"#{row.id} {row.channel} {row.recipient} {outcome.status}"
                            + (f"：{outcome.error}" if outcome.error else ""))
    db.session.commit()


def policy_zone():
    from notifications.policy import SHANGHAI
    return SHANGHAI


def deliver(now: datetime | None = None, *, channels=None, retry: RetryPolicy = RETRY_POLICY,
            wall_clock=utcnow) -> DeliveryReport:
    """Send what is queued and due at ``now``; returns what happened."""
    started = time.monotonic()
    now = aware(now or utcnow())
    now_naive = naive_utc(now)
    report = DeliveryReport(now)
    channels = channels or registry()
    dialect = db.session.get_bind().dialect.name
    calendar = workdays()
    quiet = policy().quiet
    lease = timedelta(seconds=float(current_app.config.get("PUFA_DELIVERY_LEASE_SECONDS") or 0)) or retry.lease()
    while True:
        token = secrets.token_hex(16)
        rows, reclaimed = _claim(now_naive, dialect, token, lease)
        report.reclaimed += reclaimed
        if not rows:
            break
        # robot messages carry their group's signing secret, never stored in the outbox
        robot_secrets = robots.secrets_by_url(r.recipient for r in rows if r.channel in robots.HOSTS)
        batch = [Outgoing(key=row.id, channel=row.channel, message=_message(row, robot_secrets),
                          attempts=row.attempts) for row in rows]
        outcomes = deliver_batch(batch, channels, now=now, retry=retry, calendar=calendar, quiet=quiet,
                                 clock=wall_clock)
        _record({row.id: row for row in rows}, outcomes, token, report)
    if report.sent or report.failed or report.retried or report.reclaimed:
        record_run("deliver", now_naive, started, report.sent, report.failed)
    return report


def resend(message_id: int, *, actor) -> OutboxMessage:
    """The office's resend button: a failed (or sent) message goes again at the next delivery."""
    from .. import audit
    from ..transaction import transaction

    with transaction():
        row = db.session.get(OutboxMessage, message_id)
        if row is None:
            raise NotFound("消息不存在")
        if row.status not in ("failed", "sent"):
            raise Conflict(f"该消息{row.status_label}，无需重新发送")
        row.status, row.send_after, row.last_error = "pending", utcnow_naive(), None
        audit.record("outbox.resend", "outbox", row.id, actor=actor, unit_id=row.unit_id,
                     data={"channel": row.channel, "recipient": row.recipient})
    return row
