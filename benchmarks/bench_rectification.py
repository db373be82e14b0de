"""The overdue board and the item import at province size (issue 10).

* ``overdue.board``: ``GET /api/v1/overdue`` (every figure of the board: totals,
  by unit, notice, inspection, category, age bucket and the 12-week trend) as
  the office, with 5,000 units and 200,000 items of which a quarter are
  overdue (20,000 items at --scale small). Server time = the request through
  Flask's test client (no network), median of the runs.
* ``overdue.list``: the first page of the overdue list, ``GET /api/v1/items?overdue=1``.
* ``overdue.raw_sql`` / ``overdue.raw_list``: the baselines: the same totals
  and per-unit GROUP BY, and the same first page, as hand-written SQL on the
  same database. Target: board and list each < 150 ms and within 2× of raw.
* ``import.items``: preview and confirm of a 10,000-row .xlsx (1,000 small)
  over the same units; target < 30 s together.

The data is written with Core INSERTs (states set directly: this measures
reading, not the workflow); the database is built once per backend and the
requests repeated on it.
"""
from __future__ import annotations

import io
import random
import statistics
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from . import datagen
from .context import Result, settle

TARGET_MS = 150
TARGET_RATIO = 2.0
IMPORT_TARGET_S = 30.0
STATES = ["issued"] * 3 + ["in_progress"] * 4 + ["submitted", "extension_requested"] + ["closed"] * 3


def _populate(session, units: int, items: int) -> dict:
    from pufa_flow.models import Notice, RectificationItem, Unit, User

    datagen.generate(session, units=units, seed=1)
    conn = session.connection()
    unit_ids = conn.execute(sa.select(Unit.id).order_by(Unit.id)).scalars().all()
    office_id = conn.execute(sa.select(User.id).where(User.role == "office")).scalar()
    rng = random.Random(7)
    today = date.today()
    per_notice = 10
    n_notices = -(-items // per_notice)
    issued_at = datetime.combine(today - timedelta(days=90), datetime.min.time())
    notice_units = [unit_ids[k % len(unit_ids)] for k in range(n_notices)]
    notice_ids = conn.execute(
        sa.insert(Notice.__table__).returning(Notice.__table__.c.id, sort_by_parameter_order=True),
        [{"unit_id": u, "source": "inspection", "title": f"整改通知书{k + 1}", "issued_by_id": office_id,
          "status": "issued", "version": 1, "doc_year": today.year, "doc_seq": k + 1, "issued_at": issued_at,
          "created_at": issued_at, "updated_at": issued_at} for k, u in enumerate(notice_units)]).scalars().all()
    rows = []
    for k in range(items):
        n = k // per_notice
        overdue = k % 4 == 0  # a quarter: open and past the deadline
        status = rng.choice(["issued", "in_progress"]) if overdue else rng.choice(STATES)
        due = today - timedelta(days=rng.randrange(3, 120)) if overdue else today + timedelta(days=rng.randrange(1, 90))
        if status == "closed":
            due = today - timedelta(days=rng.randrange(1, 60))
        created = issued_at + timedelta(days=rng.randrange(0, 60))
        rows.append({"notice_id": notice_ids[n], "unit_id": notice_units[n], "seq": k % per_notice + 1,
                     "category": rng.choice(["archives", "planning", "internal", "public", "enforcement"]),
                     "problem": "普法工作档案资料不完整", "requirement": "按年度建立普法台账", "responsible_person": "",
                     "due_date": due, "status": status, "version": 1, "measures": "",
                     "closed_at": datetime.combine(due + timedelta(days=rng.randrange(-10, 10)), datetime.min.time())
                     if status == "closed" else None,
                     "created_at": created, "updated_at": created})
        if len(rows) == 20_000:
            conn.execute(sa.insert(RectificationItem.__table__), rows)
            rows = []
    if rows:
        conn.execute(sa.insert(RectificationItem.__table__), rows)
    session.commit()
    return {"units": len(unit_ids), "items": items}


def _median_ms(fn, runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, times


def _raw_board(conn, cutoff: date):
    open_states = "('issued','in_progress','submitted','extension_requested')"
    conn.execute(sa.text(
        "SELECT count(*) FILTER (WHERE status IN " + open_states + "), "
        "count(*) FILTER (WHERE status IN ('issued','in_progress','extension_requested') AND due_date <= :c), "
        "count(*) FILTER (WHERE status = 'submitted') FROM rectification_items"), {"c": cutoff}).all()
    conn.execute(sa.text(
        "SELECT unit_id, count(*), count(*) FILTER (WHERE status <> 'submitted' AND due_date <= :c), min(due_date) "
        "FROM rectification_items WHERE status IN " + open_states + " GROUP BY unit_id "
        "ORDER BY 3 DESC LIMIT 200"), {"c": cutoff}).all()
    conn.execute(sa.text(
        "SELECT category, count(*) FROM rectification_items WHERE status IN ('issued','in_progress',"
        "'extension_requested') AND due_date <= :c GROUP BY category"), {"c": cutoff}).all()


def _raw_list(conn, cutoff: date):
    conn.execute(sa.text(
        "SELECT * FROM rectification_items WHERE status IN ('issued','in_progress','extension_requested') "
        "AND due_date <= :c ORDER BY due_date, id LIMIT 50"), {"c": cutoff}).all()
    conn.execute(sa.text(
        "SELECT count(*) FROM rectification_items WHERE status IN ('issued','in_progress','extension_requested') "
        "AND due_date <= :c"), {"c": cutoff}).all()


def _import_workbook(rows: int, unit_names: list[str]) -> bytes:
    from openpyxl import Workbook

    from pufa_flow.services.inspections import COLUMNS

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("整改事项")
    ws.append(list(COLUMNS))
    for k in range(rows):
        ws.append([k + 1, unit_names[k % len(unit_names)], f"问题{k + 1}：普法档案不完整", "建立台账", "档案资料",
                   "张三", None, 20])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def run(ctx) -> list[Result]:
    results = []
    units, items = ctx.size(5_000, 500), ctx.size(200_000, 20_000)
    import_rows = ctx.size(10_000, 1_000)
    runs = max(5, 3 * ctx.repeat)
    for backend in ctx.available_backends():
        with ctx.database(backend, fast_commit=True) as app:
            from pufa_flow.extensions import db
            from pufa_flow.models import Unit, User
            from pufa_flow.services.auth import issue_token
            from pufa_flow.services.calendar import calendar, today

            started = time.perf_counter()
            counts = _populate(db.session, units, items)
            settle(db)
            ctx.log(f"rectification data [{backend}]: {counts} in {time.perf_counter() - started:.1f} s")
            office = db.session.scalars(sa.select(User).where(User.role == "office")).first()
            headers = {"Authorization": f"Bearer {issue_token(office, name='bench')}"}
            client = app.test_client()
            cutoff = calendar().overdue_cutoff(today())

            def get(url):
                response = client.get(url, headers=headers)
                assert response.status_code == 200, response.get_data(as_text=True)[:300]

            figures = {}
            for name, fn in (("overdue.board", lambda: get("/api/v1/overdue")),
                             ("overdue.list", lambda: get("/api/v1/items?overdue=1&per_page=50")),
                             ("overdue.raw_sql", lambda: _raw_board(db.session.connection(), cutoff)),
                             ("overdue.raw_list", lambda: _raw_list(db.session.connection(), cutoff))):
                median, times = _median_ms(fn, runs)
                figures[name] = median
                ctx.log(f"{name} [{backend}] median {median:.1f} ms")
                results.append(Result(name=name, backend=backend, n=1, times=times, unit="requests"))
            for name, base in (("overdue.board", "overdue.raw_sql"), ("overdue.list", "overdue.raw_list")):
                r = next(x for x in results if x.name == name and x.backend == backend)
                r.baseline = base
                ratio = figures[name] / figures[base] if figures[base] else float("inf")
                r.note = f"{units:,} units, {items:,} items (¼ overdue); server time via the test client"
                r.extra = {"median_ms": figures[name], "x_raw_sql": ratio,
                           "summary": f"{name} {figures[name]:.0f} ms (< {TARGET_MS} ms: "
                                      f"{'yes' if figures[name] < TARGET_MS else 'NO'}), {ratio:.1f}× raw SQL "
                                      f"(within {TARGET_RATIO:.0f}×: {'yes' if ratio <= TARGET_RATIO else 'NO'})"}

            # the import: preview + confirm of one file, drafts written in one transaction
            from pufa_flow.services import inspections

            unique = sa.select(Unit.name).group_by(Unit.name).having(sa.func.count() == 1)
            names = db.session.scalars(unique.order_by(Unit.name).limit(1000)).all()
            data = _import_workbook(import_rows, names)
            times = []
            for k in range(ctx.repeat):
                inspection = inspections.create_inspection({"name": f"基准督查{k}", "starts_on": "2026-01-05",
                                                            "ends_on": "2026-01-06"}, actor=office)
                started = time.perf_counter()
                preview = inspections.preview_import(inspection, "bench.xlsx", data)
                assert preview.ok, preview.errors[:3]
                inspections.confirm_import(inspection, "bench.xlsx", data, actor=office)
                times.append(time.perf_counter() - started)
                ctx.log(f"import.items {import_rows:,} rows [{backend}] run {k + 1}: {times[-1]:.2f} s")
            median = statistics.median(times)
            results.append(Result(name="import.items", backend=backend, n=import_rows, times=times, unit="rows",
                                  note="preview + confirm (drafts, one transaction) of an .xlsx",
                                  extra={"summary": f"import {import_rows:,} rows {median:.1f} s (< "
                                                    f"{IMPORT_TARGET_S:.0f} s: "
                                                    f"{'yes' if median < IMPORT_TARGET_S else 'NO'})"}))
    return results
