"""Memory over 100,000 item transitions through the service: must not grow with objects touched.

tracemalloc runs over ``services.workflow.fire`` on 20,000 distinct items
(five transitions each, the cycle of bench_transitions; 2,000 at --scale
small), after 50 warm-up items. Item and actors are loaded by id per item,
as a request would (holding User objects across the run would keep their
units and contacts alive and measure the benchmark, not the service).
Checkpoints after 10 % (10,000 transitions), 50 % and 100 % (100,000): ``current`` is what is still allocated after
``gc.collect()``, ``peak`` the most allocated at once since the previous
checkpoint, both relative to the start. The loop holds no reference to
finished items; the service commits (which expires) and the session's
identity map is weak, so nothing should pile up. "flat" means current grew by
less than MEMORY_SLACK and the later peak is no higher than the first plus
MEMORY_SLACK.

COMMIT does not wait for the disk here (fast_commit): durability is not what
is measured and it cuts the run from tens of minutes to a few. The time
column is under tracemalloc and is not a throughput figure.
"""
from __future__ import annotations

import gc
import time
import tracemalloc

from .bench_transitions import CYCLE, _check_done, _prepare, _with_warmup
from .context import Result

NAME = "transitions.memory"
#: slack (bytes) for caches that fill once (compiled statements, templates)
MEMORY_SLACK = 1_000_000


def _cycle_per_request(item_id: int, actor_ids: dict) -> None:
    """The five triggers, with item and actors loaded by id as a request would: nothing is kept."""
    from pufa_flow.extensions import db
    from pufa_flow.models import RectificationItem, User
    from pufa_flow.services.workflow import fire

    item = db.session.get(RectificationItem, item_id)
    unit_actor = db.session.get(User, actor_ids[item.unit_id])
    office = db.session.get(User, actor_ids["office"])
    for trigger, who, kwargs in CYCLE:
        fire(item, trigger, actor=unit_actor if who == "unit" else office, **kwargs)


def measure_memory(ctx, backend: str, items_total: int, units: int) -> dict:
    checkpoints = (items_total // 10, items_total // 2, items_total)
    with ctx.database(backend, fast_commit=True) as app:
        from pufa_flow.extensions import db

        state = _with_warmup(_prepare(items_total, units), bare=False)(app)
        actor_ids, first = {k: u.id for k, u in state.pop("actors").items()}, state["first"]
        gc.collect()
        tracemalloc.start()
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        marks, snapshots = {}, []
        started = time.perf_counter()
        for k in range(items_total):
            _cycle_per_request(first + k, actor_ids)
            if k + 1 in checkpoints:
                gc.collect()
                current, peak = tracemalloc.get_traced_memory()
                marks[(k + 1) * 5] = {"current": current - base, "peak": peak - base,
                                      "elapsed_s": time.perf_counter() - started,
                                      "identity_map": len(db.session.identity_map)}
                snapshots.append(tracemalloc.take_snapshot().filter_traces(
                    [tracemalloc.Filter(False, tracemalloc.__file__)]))
                tracemalloc.reset_peak()
                ctx.log(f"memory [{backend}] after {(k + 1) * 5:,} transitions: current "
                        f"{(current - base) / 1024:,.0f} KiB, peak {(peak - base) / 1024:,.0f} KiB, "
                        f"identity map {len(db.session.identity_map)}")
        elapsed = time.perf_counter() - started
        tracemalloc.stop()
        grew = [str(stat) for stat in snapshots[-1].compare_to(snapshots[0], "lineno")[:8]]
        del snapshots
        _check_done(first, first + items_total - 1)
    (small_n, small), _, (big_n, big) = sorted(marks.items())
    growth = big["current"] - small["current"]
    return {
        "transitions": big_n, "items": items_total, "elapsed_s": elapsed, "checkpoints": marks,
        "growth_bytes": growth, "top_growth_sites": grew,
        "growth_bytes_per_1000_objects": growth / ((big_n - small_n) / 5) * 1000,
        "flat": growth <= MEMORY_SLACK and big["peak"] <= small["peak"] + MEMORY_SLACK,
    }


def run(ctx) -> list[Result]:
    items = ctx.size(20_000, 2_000)
    units = ctx.size(5_000, 500)
    results = []
    for backend in ctx.available_backends():
        mem = measure_memory(ctx, backend, items, units)
        (a_n, a), (m_n, m), (b_n, b) = sorted(mem["checkpoints"].items())
        results.append(Result(
            name=NAME, backend=backend, n=mem["transitions"], times=[mem["elapsed_s"]], unit="transitions",
            note="service under tracemalloc, COMMIT without fsync; time is not a throughput figure",
            extra={**mem, "summary": (
                f"current {a['current'] / 1024:,.0f} KiB after {a_n:,} → {m['current'] / 1024:,.0f} KiB after "
                f"{m_n:,} → {b['current'] / 1024:,.0f} KiB after "
                f"{b_n:,} ({mem['growth_bytes_per_1000_objects']:,.0f} B per 1,000 more items); peak "
                f"{a['peak'] / 1024:,.0f} → {b['peak'] / 1024:,.0f} KiB; flat: {'yes' if mem['flat'] else 'NO'}")},
        ))
    return results
