"""Open filing deadlines, in the form a reminder sweep reads.

The reminders outbox (another module) chases deadlines with a ladder; this
module says which filing deadlines are open on a day and who is chased for
each, and names the ladder filings use. A deadline is open while the unit
owes something: a single-shot type not filed (no filing, 待报送, or 退回修改),
a stream below its target. The ladder is ``notifications.policy``'s
``filing`` one (10, 5 and 1 working days before, then every 5 working days,
i.e. weekly, until filed).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from notifications.policy import DEFAULT_LADDERS, Ladder, plan

from ..extensions import db
from ..models import Filing, FilingType, Unit
from .calendar import calendar

#: the filings ladder (issue 13: 10, 5, 1 working days before, then weekly)
FILING_LADDER: Ladder = DEFAULT_LADDERS["filing"]
#: the same, as plain data (working-day offsets from the deadline; repeat every N working days)
FILING_LADDER_DEFAULTS = {"before_workdays": (10, 5, 1), "then_every_workdays": 5}


@dataclass(frozen=True)
class OpenDeadline:
    filing_type_id: int
    unit_id: int
    #: the filing that was returned or is pending, if there is one
    filing_id: int | None
    #: e.g. "区司法局·年度普法工作计划（2026年）"
    label: str
    #: the type's due date (a non-working day moves on: see ``deadline``)
    due: date
    #: the effective last day (next working day on or after ``due``)
    deadline: date
    #: (channel, recipient): the unit's inbox and its liaisons' email addresses
    recipients: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        """A stable name for the outbox's unique key."""
        return f"filing:{self.filing_type_id}:{self.unit_id}"


def _recipients(unit: Unit) -> tuple[tuple[str, str], ...]:
    emails = [("email", c.email) for c in unit.contacts if c.role == "liaison" and c.email]
    return (("inapp", f"unit:{unit.id}"), *emails)


def open_filing_deadlines(on: date) -> list[OpenDeadline]:
    """Every (type, unit) whose filing is still owed on ``on``, in the years ``on`` can see.

    Types of ``on``'s year and the year before (a deadline chased past New Year).
    """
    cal = calendar()
    types = list(db.session.scalars(sa.select(FilingType).where(FilingType.year.in_((on.year - 1, on.year)))
                                    .order_by(FilingType.due_date, FilingType.id)))
    if not types:
        return []
    units = list(db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.id)).unique())
    rows = db.session.execute(sa.select(Filing.filing_type_id, Filing.unit_id, Filing.id, Filing.status)
                              .where(Filing.filing_type_id.in_([t.id for t in types]))).all()
    filed_count: dict[tuple[int, int], int] = {}
    owed: dict[tuple[int, int], int] = {}
    filed_states = Filing.workflow.definition.groups["filed"]
    for type_id, unit_id, filing_id, status in rows:
        if status in filed_states:
            filed_count[(type_id, unit_id)] = filed_count.get((type_id, unit_id), 0) + 1
        else:
            owed[(type_id, unit_id)] = filing_id
    out = []
    for ft in types:
        needed = ft.target if ft.is_stream else 1
        deadline = cal.effective_deadline(ft.due_date)
        for unit in units:
            if not ft.requires(unit) or filed_count.get((ft.id, unit.id), 0) >= needed:
                continue
            out.append(OpenDeadline(ft.id, unit.id, owed.get((ft.id, unit.id)), f"{unit.name}·{ft.name}（{ft.year}年）",
                                    ft.due_date, deadline, _recipients(unit)))
    return out


def reminder_days(due: date, *, through: date) -> list[date]:
    """The days the filing ladder chases a deadline on ``due``, up to ``through`` (all working days)."""
    days = {p.day for p in plan(due, FILING_LADDER, calendar(), through=through)}
    return sorted(days)
