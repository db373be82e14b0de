"""python -m benchmarks [NAME ...] [--db sqlite|postgresql|both] [--repeat N] [--scale small|full]

Finds every ``benchmarks/bench_*.py`` (a module exposing ``run(ctx) -> list[Result]``),
runs the ones asked for (all by default; NAME is ``datagen`` or ``bench_datagen``),
prints one table and writes the figures as JSON to ``benchmarks/out/``.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `python benchmarks/__main__.py` works too
    sys.path.insert(0, str(HERE.parent))

from benchmarks.context import BACKENDS, SCALES, BenchContext, Result  # noqa: E402


def discover() -> dict[str, str]:
    """short name → module name, for every bench_*.py next to this file."""
    found = {}
    for info in pkgutil.iter_modules([str(HERE)]):
        if info.name.startswith("bench_"):
            found[info.name[len("bench_"):]] = f"benchmarks.{info.name}"
    return dict(sorted(found.items()))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--db", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is reported")
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument("--out", default=str(HERE / "out"), help="directory for the JSON (default benchmarks/out)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run progress lines")
    return parser.parse_args(argv)


def fill_ratios(results: list[Result]) -> None:
    by_key = {(r.name, r.backend): r for r in results}
    for r in results:
        base = by_key.get((r.baseline, r.backend)) if r.baseline else None
        if base is not None and base.ops_per_s:
            r.ratio = r.ops_per_s / base.ops_per_s


def table(results: list[Result]) -> str:
    header = ("benchmark", "backend", "N", "unit", "runs", "median s", "ops/s", "× baseline")
    rows = [header]
    for r in results:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}× {r.baseline.rsplit('.', 1)[-1]}"
        rows.append((r.name, r.backend, f"{r.n:,}", r.unit, str(len(r.times)), f"{r.median:.4f}",
                     f"{r.ops_per_s:,.0f}", ratio))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {2, 4, 5, 6}
    lines = []
    for k, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.name} [{r.backend}]: {r.note}" for r in results if r.note]
    seen, unique_notes = set(), []
    for n in notes:  # one note per benchmark name is enough
        key = n.split(" [")[0]
        if key not in seen:
            seen.add(key)
            unique_notes.append(n.replace(" [sqlite]", "").replace(" [postgresql]", ""))
    summaries = [f"  {r.name} [{r.backend}]: {r.extra['summary']}" for r in results if r.extra.get("summary")]
    return "\n".join(lines + ([""] + unique_notes if unique_notes else [])
                     + ([""] + summaries if summaries else []))


def machine(ctx: BenchContext) -> dict:
    import sqlalchemy

    return {
        "cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__, "servers": ctx.server_versions,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    available = discover()
    if args.list:
        for short, module in available.items():
            doc = (importlib.import_module(module).__doc__ or "").strip().splitlines()
            print(f"{short:16} {doc[0] if doc else ''}")
        return 0
    wanted = [n[len("bench_"):] if n.startswith("bench_") else n for n in args.names] or list(available)
    unknown = [n for n in wanted if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(available)}", file=sys.stderr)
        return 2
    backends = BACKENDS if args.db == "both" else (args.db,)
    ctx = BenchContext(backends=backends, repeat=args.repeat, scale=args.scale, verbose=not args.quiet)
    ctx.available_backends()
    for backend, reason in ctx.unavailable.items():
        print(f"skipping {backend}: {reason}", file=sys.stderr)

    results: list[Result] = []
    failed: dict[str, str] = {}
    started = time.perf_counter()
    for short in wanted:
        print(f"== {short} (scale {args.scale}, repeat {ctx.repeat}, db {', '.join(ctx.available_backends())})",
              file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(available[short])
            results.extend(module.run(ctx))
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others
            failed[short] = traceback.format_exc()
            print(failed[short], file=sys.stderr)
    fill_ratios(results)
    print()
    print(table(results) if results else "(no results)")
    info = machine(ctx)
    print(f"\nmachine: {info['cpus']} cpus, {info['platform']}, Python {info['python']}, "
          f"SQLAlchemy {info['sqlalchemy']}, " + ", ".join(f"{k} {v}" for k, v in info["servers"].items()))

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "when": stamp, "argv": sys.argv[1:], "scale": args.scale, "repeat": ctx.repeat,
        "backends": ctx.available_backends(), "unavailable": ctx.unavailable, "machine": info,
        "elapsed_s": time.perf_counter() - started, "failed": failed,
        "results": [r.as_dict() for r in results],
    }
    path = out_dir / f"bench-{stamp}.json"
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    path.write_text(text, encoding="utf-8")
    (out_dir / "latest.json").write_text(text, encoding="utf-8")
    print(f"written: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
