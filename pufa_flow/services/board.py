"""The office's overdue board (督办看板): every figure one GROUP BY, each with the list filter behind it.

Rules (the same as the item lists, so a number and its list always agree):
overdue = open, not waiting for verification, and past the effective
deadline (calendar.overdue_filter); waiting = submitted, the office's turn;
closed on time = closed on or before the effective deadline (local date);
逾期率 = (overdue now + closed late) / (open + closed). Ages are in working days.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from ..clock import local_zone
from ..extensions import db
from ..models import ITEM_CATEGORIES, Inspection, Notice, RectificationItem, Unit
from ..models.scoping import scope
from .calendar import calendar, today
from .items import AGE_BUCKETS, age_bucket_range

I = RectificationItem  # noqa: E741


def _open_states():
    return sorted(I.workflow.definition.open_states)


def _local_offset_hours() -> int:
    zone = local_zone(current_app.config["PUFA_TIMEZONE"])
    return int(datetime.now(zone).utcoffset().total_seconds() // 3600)


def _local_day(column):
    """The local calendar date of a naive-UTC timestamp, in SQL."""
    hours = _local_offset_hours()
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.date(column, f"{hours:+d} hours")
    return sa.cast(column + sa.text(f"interval '{hours} hours'"), sa.Date)


def _scoped(stmt, user):
    return scope(stmt, I, user)


NAMES = ("open", "overdue", "waiting", "waiting_overdue", "extension_requested", "cancelled")


def _counts(user, on: date) -> dict:
    """One scan, one row, no GROUP BY (no sort): every count the totals, categories and age buckets need.

    Categories are a fixed list, so "open / overdue in category c" are two more FILTER columns each.
    Kept on ``g`` for the request, so the board's sections share the scan. Returns
    {"totals": (NAMES..., age buckets...), "categories": {category: (open, overdue)}}.
    """
    from flask import g

    key = ("board_counts", getattr(user, "id", None), on)
    cache = g.setdefault("board_counts", {})
    if key in cache:
        return cache[key]
    cutoff = calendar().overdue_cutoff(on)
    is_open = I.status.in_(_open_states())
    overdue = sa.and_(I.status.in_(["issued", "in_progress", "extension_requested"]), I.due_date <= cutoff)
    columns = [sa.func.count().filter(is_open), sa.func.count().filter(overdue),
               sa.func.count().filter(I.status == "submitted"),
               sa.func.count().filter(sa.and_(I.status == "submitted", I.due_date <= cutoff)),
               sa.func.count().filter(I.status == "extension_requested"),
               sa.func.count().filter(I.status == "cancelled")]
    for key_, _, _, _ in AGE_BUCKETS:
        lower, upper = age_bucket_range(key_, on)
        columns.append(sa.func.count().filter(sa.and_(overdue, I.due_date <= upper,
                                                      *([I.due_date > lower] if lower else []))))
    for category in ITEM_CATEGORIES:
        columns.append(sa.func.count().filter(sa.and_(I.category == category, is_open)))
        columns.append(sa.func.count().filter(sa.and_(I.category == category, overdue)))
    row = tuple(db.session.execute(_scoped(sa.select(*columns).select_from(I), user)).one())
    first = len(NAMES) + len(AGE_BUCKETS)
    out = {"totals": row[:first],
           "categories": {c: row[first + 2 * k:first + 2 * k + 2] for k, c in enumerate(ITEM_CATEGORIES)}}
    cache[key] = out
    return out


def totals(user, on: date | None = None) -> dict:
    on = on or today()
    out = dict(zip(NAMES, _counts(user, on)["totals"]))
    on_time, late = closed_split(user)
    base = out["open"] + on_time + late
    out.update(closed_on_time=on_time, closed_late=late,
               overdue_rate=round(100 * (out["overdue"] + late) / base, 1) if base else 0.0)
    return out


def closed_split(user) -> tuple[int, int]:
    """(closed on time, closed late): one GROUP BY (due date, local closing day), judged with the calendar."""
    day = _local_day(I.closed_at)
    stmt = _scoped(sa.select(I.due_date, day, sa.func.count()).select_from(I)
                   .where(I.status == "closed", I.closed_at.is_not(None)).group_by(I.due_date, day), user)
    cal = calendar()
    on_time = late = 0
    for due, closed_day, n in db.session.execute(stmt):
        if isinstance(closed_day, str):
            closed_day = date.fromisoformat(closed_day)
        if closed_day > cal.effective_deadline(due):
            late += n
        else:
            on_time += n
    return on_time, late


def closed_late_condition(user):
    """SQL for 'closed after its effective deadline' (the list behind the closed-late figure)."""
    dues = db.session.scalars(_scoped(sa.select(I.due_date).distinct().where(I.status == "closed"), user)).all()
    zone = local_zone(current_app.config["PUFA_TIMEZONE"])
    cal = calendar()
    clauses = []
    for due in dues:
        end = datetime.combine(cal.effective_deadline(due) + timedelta(days=1), time(0), tzinfo=zone)
        clauses.append(sa.and_(I.due_date == due, I.closed_at >= end.astimezone(timezone.utc).replace(tzinfo=None)))
    return sa.and_(I.status == "closed", sa.or_(*clauses) if clauses else sa.false())


def by_unit(user, on: date | None = None, *, sort: str = "overdue", limit: int = 200) -> list[dict]:
    """Units with open items: open, overdue, waiting and the oldest overdue age; most overdue first.

    Grouped by unit first (an index-only pass), the unit names joined to the groups, not to every item.
    """
    on = on or today()
    cutoff = calendar().overdue_cutoff(on)
    is_open = I.status.in_(_open_states())
    overdue = sa.and_(I.status != "submitted", I.due_date <= cutoff)
    groups = (_scoped(sa.select(I.unit_id.label("unit_id"), sa.func.count().label("open"),
                                sa.func.count().filter(overdue).label("overdue"),
                                sa.func.count().filter(I.status == "submitted").label("waiting"),
                                sa.func.min(sa.case((overdue, I.due_date))).label("oldest")), user)
              .where(is_open).group_by(I.unit_id).subquery())
    n_overdue, oldest, n_open = groups.c.overdue, groups.c.oldest, groups.c.open
    stmt = sa.select(groups.c.unit_id, Unit.name, n_open, n_overdue, groups.c.waiting, oldest).join(
        Unit, Unit.id == groups.c.unit_id)
    order = {"overdue": (n_overdue.desc(), oldest, Unit.name), "open": (n_open.desc(), Unit.name),
             "name": (Unit.name,), "oldest": (oldest.asc().nulls_last(), Unit.name)}
    stmt = stmt.order_by(*order.get(sort, order["overdue"])).limit(limit)
    rows, ages = [], {}
    cal = calendar()
    for unit_id, name, open_, overdue_n, waiting, oldest_due in db.session.execute(stmt):
        if isinstance(oldest_due, str):
            oldest_due = date.fromisoformat(oldest_due)
        if oldest_due and oldest_due not in ages:  # many units share a date: count each once
            ages[oldest_due] = cal.working_days_overdue(oldest_due, True, on)
        rows.append({"unit_id": unit_id, "unit_name": name, "open": open_, "overdue": overdue_n, "waiting": waiting,
                     "max_overdue_working_days": ages.get(oldest_due, 0)})
    return rows


def by_notice(user, on: date | None = None, *, limit: int = 50) -> list[dict]:
    on = on or today()
    cutoff = calendar().overdue_cutoff(on)
    overdue = sa.and_(I.status.in_(_open_states()), I.status != "submitted", I.due_date <= cutoff)
    n = sa.func.count().label("n")
    stmt = (_scoped(sa.select(I.notice_id, n).where(overdue), user).group_by(I.notice_id)
            .order_by(n.desc(), I.notice_id).limit(limit))
    counts = db.session.execute(stmt).all()
    notices = {x.id: x for x in db.session.scalars(sa.select(Notice).where(Notice.id.in_([c[0] for c in counts])))}
    return [{"notice_id": nid, "doc_number": notices[nid].doc_number, "title": notices[nid].title,
             "unit_name": notices[nid].unit.name, "overdue": k} for nid, k in counts if nid in notices]


def by_inspection(user, on: date | None = None) -> list[dict]:
    on = on or today()
    cutoff = calendar().overdue_cutoff(on)
    is_open = I.status.in_(_open_states())
    overdue = sa.and_(is_open, I.status != "submitted", I.due_date <= cutoff)
    stmt = (_scoped(sa.select(Inspection.id, Inspection.name, sa.func.count().filter(is_open),
                              sa.func.count().filter(overdue))
                    .select_from(I).join(Notice, Notice.id == I.notice_id)
                    .join(Inspection, Inspection.id == Notice.inspection_id), user)
            .where(Notice.inspection_id.is_not(None))  # lets the planner start from the inspections' notices
            .group_by(Inspection.id, Inspection.name).order_by(Inspection.id.desc()))
    return [{"inspection_id": i, "name": name, "open": o, "overdue": k} for i, name, o, k in db.session.execute(stmt)]


def by_category(user, on: date | None = None) -> list[dict]:
    counts = _counts(user, on or today())["categories"]
    return [{"category": c, "label": label, "open": counts[c][0], "overdue": counts[c][1]}
            for c, label in ITEM_CATEGORIES.items()]


def by_age(user, on: date | None = None) -> list[dict]:
    """Overdue items by working days late: 1–5, 6–20, more than 20."""
    counts = _counts(user, on or today())["totals"]
    return [{"key": key, "label": label, "count": counts[len(NAMES) + k]} for k, (key, label, _, _) in enumerate(AGE_BUCKETS)]


def _bucket(column, bounds):
    """SQL: the index of the first bound the value is below (len(bounds) when none; NULL stays NULL)."""
    return sa.case(*[(column < bound, k) for k, bound in enumerate(bounds)],
                   else_=sa.case((column.is_(None), sa.null()), else_=len(bounds)))


def trend(user, on: date | None = None, weeks: int = 12) -> list[dict]:
    """Open and overdue items at the end of each of the last ``weeks`` weeks: one GROUP BY of three buckets.

    An item is open at a week's end ``at`` when created before it and not yet ended (closed, or cancelled,
    at or after it); overdue then when also due on or before that week's cutoff. Each item falls in
    (created bucket, ended bucket, due bucket) and the weeks are summed from the few groups.
    """
    on = on or today()
    cal = calendar()
    zone = local_zone(current_app.config["PUFA_TIMEZONE"])
    ends = [on - timedelta(days=7 * k) for k in range(weeks - 1, -1, -1)]
    ats = [datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
           .replace(tzinfo=None) for end in ends]
    cutoffs = [cal.overdue_cutoff(end) for end in ends]
    ended = sa.case((sa.and_(I.status == "cancelled", sa.or_(I.closed_at.is_(None), I.updated_at < I.closed_at)),
                     I.updated_at), else_=I.closed_at)
    created_b = _bucket(I.created_at, ats)  # open from this week on
    # open through the week before this one (NULL: still open). SQLite evaluates a CASE arm by arm and
    # repeats a repeated expression, so the common answers come first: most items are still open, and
    # most of the rest not yet due on the last cutoff.
    ended_b = sa.case((sa.and_(I.closed_at.is_(None), I.status != "cancelled"), sa.null()),
                      else_=_bucket(ended, ats))
    due_b = sa.case((I.due_date > cutoffs[-1], weeks),
                    *[(I.due_date <= cutoff, k) for k, cutoff in enumerate(cutoffs)], else_=weeks)
    rows = _scoped(sa.select(created_b.label("c"), ended_b.label("e"), due_b.label("d")).select_from(I),
                   user).subquery()
    stmt = sa.select(rows.c.c, rows.c.e, rows.c.d, sa.func.count()).group_by(rows.c.c, rows.c.e, rows.c.d)
    open_, overdue = [0] * weeks, [0] * weeks
    for first, end, due_from, n in db.session.execute(stmt):
        last = weeks if end is None else end  # ended at or after ats[k] ⟺ k < bucket
        for k in range(first, last):
            open_[k] += n
            if k >= due_from:
                overdue[k] += n
    return [{"week_end": end.isoformat(), "open": open_[k], "overdue": overdue[k]} for k, end in enumerate(ends)]


def figures(user, on: date | None = None, *, with_trend: bool = True) -> dict:
    on = on or today()
    out = {"as_of": on.isoformat(), "totals": totals(user, on), "by_unit": by_unit(user, on),
           "by_notice": by_notice(user, on), "by_inspection": by_inspection(user, on),
           "by_category": by_category(user, on), "by_age": by_age(user, on)}
    if with_trend:
        out["trend"] = trend(user, on)
    return out
