"""An item's planned reminder timeline beside what was actually sent.

The plan is the policy's, for the item's current ladder(s), expanded to the
people and addresses on file now; quiet channels show when they will really
go. Repeating rungs are shown up to ten working days past the last rung.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from notifications.policy import CHANNELS, ROLES, SHANGHAI, next_allowed_time, plan

from ...clock import utcnow
from ...extensions import db
from ...models import OutboxMessage, ReminderSchedule
from . import recipients
from .context import aware, policy, workdays
from .messages import stage_label
from .schedule import wanted


@dataclass(frozen=True)
class PlannedLine:
    at: datetime  # Asia/Shanghai
    kind: str
    stage: str
    role: str
    channel: str
    address: str
    name: str
    #: past (should have gone), next (the next-reminder row's time), future
    when: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def channel_label(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


@dataclass
class Timeline:
    planned: list[PlannedLine]
    sent: list[OutboxMessage]
    next_at: datetime | None
    #: roles of the ladder with no address on file (nobody will be reached)
    unreachable: list[str]

    @property
    def grouped(self) -> list[dict]:
        """One line per time, stage and person, their channels together (the page's view)."""
        out: dict[tuple, dict] = {}
        for line in self.planned:
            key = (line.at, line.stage, line.role)
            entry = out.setdefault(key, {"at": line.at, "stage": line.stage, "role_label": line.role_label,
                                         "names": [], "when": line.when, "channels": []})
            if line.channel == "in_app":
                entry["channels"].append(f"{line.channel_label}（{line.name}消息箱）")
                continue
            if line.name not in entry["names"]:
                entry["names"].append(line.name)
            entry["channels"].append(f"{line.channel_label}（{line.address}）")
        return list(out.values())


def next_digest_time(after: datetime, cal, at) -> datetime:
    """The first digest (``at`` on a working day) after ``after``."""
    from notifications.calendar import next_workday_on_or_after

    local = after.astimezone(SHANGHAI)
    day = local.date() if local.timetz().replace(tzinfo=None) < at else local.date() + timedelta(days=1)
    return datetime.combine(next_workday_on_or_after(cal, day), at, tzinfo=SHANGHAI)


def preview(item, *, now: datetime | None = None) -> Timeline:
    now = aware(now or utcnow())
    cal = workdays()
    pol = policy()
    lines: list[PlannedLine] = []
    unreachable: set[str] = set()
    audience = recipients.audience(item.unit)
    prefs = recipients.preferences([item.unit_id])
    for ladder_kind, anchor in wanted(item).items():
        ladder = pol.ladder(ladder_kind)
        # the last two weeks and the next five working days (a repeating rung has no end)
        today = now.astimezone(SHANGHAI).date()
        through = cal.add_workdays(max(anchor, today), 5)
        since = today - timedelta(days=14) if today - timedelta(days=14) > anchor else None
        for p in plan(anchor, ladder, cal, audience=audience, through=through, since_day=since):
            at = next_allowed_time(p.at, cal, pol.quiet, p.channel)
            found = recipients.addresses(item.unit, p.recipient, p.channel, prefs)
            if not found:
                unreachable.add(f"{ROLES.get(p.recipient, p.recipient)}（{CHANNELS.get(p.channel, p.channel)}）")
            for a in found:
                # a contact on the daily digest gets it in the next morning's message
                when_at = next_digest_time(p.at, cal, pol.digest.at) if a.held else at
                lines.append(PlannedLine(when_at, p.kind, stage_label(p.offset) if "unverified" not in p.kind
                                         else f"报送后 {p.offset} 个工作日", a.role, a.channel, a.address, a.name,
                                         "past" if p.at < now else "future"))
        # roles that exist but have no contact at all are outside the audience
        for rung in ladder.rungs:
            for role in rung.recipients:
                if role not in audience:
                    unreachable.add(f"{ROLES.get(role, role)}（未登记联系人）")
    sent = list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.object_type == item.object_type, OutboxMessage.object_id == item.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)))
    next_at = db.session.scalar(sa.select(sa.func.min(ReminderSchedule.next_at)).where(
        ReminderSchedule.object_type == item.object_type, ReminderSchedule.object_id == item.id))
    return Timeline(sorted(lines, key=lambda line: (line.at, line.role, line.channel)), sent,
                    aware(next_at) if next_at else None, sorted(unreachable))
