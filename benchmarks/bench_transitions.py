"""Item transitions through services.workflow.fire vs a bare UPDATE + INSERT.

Every item goes acknowledge (unit) → submit (unit, measures) → send_back
(office, comment) → submit (unit) → verify (office): five transitions, each
its own transaction, as a user clicking through would cause.

* ``transitions.service``: ``fire(item, trigger, actor=…)`` for 10,000
  transitions (2,000 items; 1,000 at --scale small). The item is loaded
  once with ``session.get`` and kept across its five triggers; actors are
  real ``User`` rows loaded once (whether a commit expires them is the
  session's ``expire_on_commit``, as the app configures it).
* ``transitions.bare`` (the baseline): the same transitions as one versioned
  ``UPDATE rectification_items … WHERE id=? AND version=?`` plus one
  ``INSERT INTO audit_events`` and a commit each, through Core on the same
  session and database. No outbox rows, no checks: the floor.
* ``transitions.service.nosync`` / ``transitions.bare.nosync``: the same two
  with COMMIT not waiting for the disk (SQLite ``synchronous=OFF`` instead of
  the app's WAL + ``synchronous=NORMAL``; PostgreSQL ``synchronous_commit=off``
  instead of on): separates what the code costs in CPU from the WAL flush.

Targets (issue): ≥ 1,000 transitions/s on SQLite; service within 3× of bare
on the same database. Memory (flat over 100,000 transitions) is
bench_transitions_memory, kept apart because it takes minutes.

The database: ``datagen.generate`` (5,000 units, full) plus ``generate_items``.
Warm-up transitions run on extra items first, outside the timing.
"""
from __future__ import annotations

import gc
import time

import sqlalchemy as sa

from . import datagen
from .context import Result

NAME = "transitions"
CYCLE = (
    ("acknowledge", "unit", {}),
    ("submit", "unit", {"data": {"measures": "已召开专题会议研究整改,补充制定学法制度并印发执行。"}}),
    ("send_back", "office", {"comment": "整改措施不够具体,请补充佐证材料。"}),
    ("submit", "unit", {"data": {"measures": "已补充会议纪要、学法记录等佐证材料。"}}),
    ("verify", "office", {}),
)
STATES = ("issued", "in_progress", "submitted", "in_progress", "submitted", "closed")
WARMUP_ITEMS = 50


def _prepare(items: int, units: int):
    def setup(app):
        from pufa_flow.extensions import db

        datagen.generate(db.session, units=units, seed=1)
        datagen.generate_items(db.session, items=items + WARMUP_ITEMS, seed=1)
        db.session.commit()
        return {"first": WARMUP_ITEMS + 1, "last": WARMUP_ITEMS + items, "actors": _actors()}
    return setup


def _actors() -> dict:
    from pufa_flow.extensions import db
    from pufa_flow.models import User

    users = db.session.scalars(sa.select(User)).all()
    return {"office": next(u for u in users if u.role == "office"),
            **{u.unit_id: u for u in users if u.role == "unit"}}


def _service_cycle(item_id: int, actors: dict) -> None:
    from pufa_flow.extensions import db
    from pufa_flow.models import RectificationItem
    from pufa_flow.services.workflow import fire

    item = db.session.get(RectificationItem, item_id)
    unit_actor = actors[item.unit_id]
    for trigger, who, kwargs in CYCLE:
        fire(item, trigger, actor=unit_actor if who == "unit" else actors["office"], **kwargs)


def _bare_cycle(item_id: int, actors: dict, stmts) -> None:
    from pufa_flow.extensions import db

    update, insert, now = stmts
    session = db.session
    unit_id = session.execute(sa.text("SELECT unit_id FROM rectification_items WHERE id = :id"),
                              {"id": item_id}).scalar_one()
    for step, (trigger, who, kwargs) in enumerate(CYCLE):
        actor = actors[unit_id] if who == "unit" else actors["office"]
        result = session.execute(update, {"b_id": item_id, "b_version": step + 1, "b_status": STATES[step + 1],
                                          "b_now": now()})
        if result.rowcount != 1:
            raise RuntimeError(f"bare UPDATE matched {result.rowcount} rows for item {item_id}")
        session.execute(insert, {
            "created_at": now(), "actor_id": actor.id, "actor_label": actor.label, "action": "transition",
            "object_type": "item", "object_id": item_id, "unit_id": unit_id, "trigger": trigger,
            "from_state": STATES[step], "to_state": STATES[step + 1], "comment": kwargs.get("comment"),
            "data": {"forced": False, "changes": {}},
        })
        session.commit()


def _bare_statements():
    from pufa_flow.models import AuditEvent, RectificationItem
    from pufa_flow.models.base import utcnow_naive

    items = RectificationItem.__table__
    update = (sa.update(items)
              .where(items.c.id == sa.bindparam("b_id"), items.c.version == sa.bindparam("b_version"))
              .values(status=sa.bindparam("b_status"), version=items.c.version + 1,
                      updated_at=sa.bindparam("b_now")))
    return update, sa.insert(AuditEvent.__table__), utcnow_naive


def _warm(state, bare: bool) -> None:
    stmts = _bare_statements() if bare else None
    actors = _plain(state["actors"]) if bare else state["actors"]
    for item_id in range(1, WARMUP_ITEMS + 1):
        _bare_cycle(item_id, actors, stmts) if bare else _service_cycle(item_id, actors)


def _check_done(first: int, last: int) -> None:
    from pufa_flow.extensions import db
    from pufa_flow.models import RectificationItem

    closed = db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem).where(
        RectificationItem.id.between(first, last), RectificationItem.status == "closed"))
    if closed != last - first + 1:
        raise RuntimeError(f"only {closed} of {last - first + 1} items reached closed")


def service_work(app, state):
    actors = state["actors"]
    for item_id in range(state["first"], state["last"] + 1):
        _service_cycle(item_id, actors)


def _plain(actors: dict) -> dict:
    """(id, label) per actor, read once: the floor should not pay for refreshing Users."""
    return {k: type("Actor", (), {"id": u.id, "label": u.label})() for k, u in actors.items()}


def bare_work(app, state):
    stmts = _bare_statements()
    actors = _plain(state["actors"])
    for item_id in range(state["first"], state["last"] + 1):
        _bare_cycle(item_id, actors, stmts)


def _with_warmup(setup, bare: bool):
    def wrapped(app):
        state = setup(app)
        _warm(state, bare)
        return state
    return wrapped


def _timed(ctx, backend, work, setup, label, items, fast_commit=False):
    """Like ctx.time_fresh, and checks every timed item ended closed."""
    times = []
    for i in range(ctx.repeat):
        with ctx.database(backend, fast_commit) as app:
            state = setup(app)
            gc.collect()
            started = time.perf_counter()
            work(app, state)
            times.append(time.perf_counter() - started)
            _check_done(state["first"], state["last"])
        ctx.log(f"{label} [{backend}] run {i + 1}: {times[-1]:.2f} s = {5 * items / times[-1]:,.0f}/s")
    return times


def throughput(ctx, backend: str, items: int, units: int, fast_commit: bool) -> list[Result]:
    suffix = ".nosync" if fast_commit else ""
    n = items * 5
    times = _timed(ctx, backend, service_work, _with_warmup(_prepare(items, units), bare=False),
                   f"service{suffix}", items, fast_commit)
    service = Result(name=f"{NAME}.service{suffix}", backend=backend, n=n, times=times, unit="transitions",
                     baseline=f"{NAME}.bare{suffix}",
                     note="services.workflow.fire, one transaction each"
                     + (", COMMIT without fsync" if fast_commit else ""))
    times = _timed(ctx, backend, bare_work, _with_warmup(_prepare(items, units), bare=True),
                   f"bare{suffix}", items, fast_commit)
    bare = Result(name=f"{NAME}.bare{suffix}", backend=backend, n=n, times=times, unit="transitions",
                  note="Core UPDATE … WHERE version + INSERT audit_events + COMMIT"
                  + (", without fsync" if fast_commit else ""))
    slowdown = bare.ops_per_s / service.ops_per_s
    service.extra.update(slowdown_vs_bare=slowdown, target_within_3x=slowdown <= 3.0)
    summary = f"{service.ops_per_s:,.0f}/s, {slowdown:.2f}× slower than bare (within 3×: {'yes' if slowdown <= 3 else 'NO'})"
    if backend == "sqlite":
        service.extra["target_1000_per_s"] = service.ops_per_s >= 1000
        summary += f"; ≥1,000/s: {'yes' if service.ops_per_s >= 1000 else 'NO'}"
    service.extra["summary"] = summary
    return [service, bare]


def run(ctx) -> list[Result]:
    items = ctx.size(2_000, 200)  # × 5 transitions
    units = ctx.size(5_000, 500)
    results = []
    for backend in ctx.available_backends():
        results += throughput(ctx, backend, items, units, fast_commit=False)
        results += throughput(ctx, backend, items, units, fast_commit=True)
    return results
