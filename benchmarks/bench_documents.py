"""Documents at province size: a 考评情况通报 for 5,000 units and a 督办通报 of 10,000 overdue items (target < 5 s each).

No database: the inputs are the documents' plain dataclasses, built (untimed)
from ``datagen.plan`` (the same 5,000 unit names the other benchmarks use)
and the demo's problem texts. Timed: the document function, from data to
.docx bytes. Peak memory: a separate, untimed run under tracemalloc (Python
allocations, lxml's C trees included only as far as Python sees them) —
and the process's peak RSS growth across that run, from ``resource``.
"""
from __future__ import annotations

import gc
import resource
import statistics
import time
import tracemalloc
from datetime import date, timedelta

from .context import Result
from .datagen import plan

TARGET_S = 5.0


def bulletin_input(units: int):
    from pufa_flow.documents import samples
    from pufa_flow.documents.model import GradeGroup

    names = [u["name"] for u in plan(units, seed=1).units]
    cut1, cut2, cut3 = int(len(names) * 0.5), int(len(names) * 0.9), int(len(names) * 0.99)
    grades = {"优秀": names[:cut1], "良好": names[cut1:cut2], "合格": names[cut2:cut3], "不合格": names[cut3:]}
    data = samples.bulletin()
    from dataclasses import replace
    return replace(data, grades=tuple(GradeGroup(g, tuple(v)) for g, v in grades.items()))


def overdue_input(items: int, per_unit: int = 5):
    from dataclasses import replace

    from pufa_flow.documents import samples
    from pufa_flow.documents.model import OverdueItem, OverdueUnit
    from pufa_flow.services.demo_data import PROBLEMS

    names = [u["name"] for u in plan(max(1, -(-items // per_unit)), seed=1).units]
    groups = []
    k = 0
    for u, name in enumerate(names):
        unit_items = []
        for _ in range(per_unit):
            if k >= items:
                break
            _, problem, _ = PROBLEMS[k % len(PROBLEMS)]
            unit_items.append(OverdueItem(problem=problem, due_date=date(2026, 1, 5) + timedelta(days=k % 60),
                                          working_days_overdue=1 + (k * 7) % 90,
                                          notice_number=f"〔2026〕{u + 1}号", status="整改中"))
            k += 1
        groups.append(OverdueUnit(name, tuple(unit_items)))
    return replace(samples.overdue(1, 1), units=tuple(groups))


def _peak(work) -> dict:
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    tracemalloc.reset_peak()
    size = len(work())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"peak_traced_mib": peak / 2**20, "max_rss_mib": rss_after / 1024,
            "max_rss_growth_mib": (rss_after - rss_before) / 1024, "docx_bytes": size}


def measure(name: str, n: int, unit: str, work, repeat: int, log) -> Result:
    work()  # warm-up: template load, imports
    times = []
    for k in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        log(f"· {name} {n:,} {unit} run {k + 1}: {times[-1]:.3f} s")
    memory = _peak(work)
    median = statistics.median(times)
    return Result(name=name, backend="none", n=n, times=times, unit=unit,
                  note="no database; data → .docx bytes; peak memory from a separate tracemalloc run",
                  extra={**memory, "summary": f"median {median:.2f} s (< {TARGET_S:.0f} s: "
                                              f"{'yes' if median < TARGET_S else 'NO'}), peak traced "
                                              f"{memory['peak_traced_mib']:.0f} MiB, max RSS "
                                              f"{memory['max_rss_mib']:.0f} MiB, .docx "
                                              f"{memory['docx_bytes'] / 1024:.0f} KiB"})


def run(ctx) -> list[Result]:
    from pufa_flow.documents import bulletin, overdue_bulletin

    units = ctx.size(5_000, 500)
    items = ctx.size(10_000, 1_000)
    b = bulletin_input(units)
    o = overdue_input(items)
    return [
        measure("documents.bulletin", units, "units", lambda: bulletin(b), ctx.repeat, ctx.log),
        measure("documents.overdue_bulletin", items, "items", lambda: overdue_bulletin(o), ctx.repeat, ctx.log),
    ]
