"""The SMTP benchmark runs and every message arrives (functional, never timed)."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest` (not `python -m pytest`) does not put the root on the path
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_smtp  # noqa: E402
from benchmarks.context import BenchContext  # noqa: E402


def test_bench_smtp_runs_small(capsys):
    ctx = BenchContext(backends=(), repeat=1, scale="small", verbose=False)
    batch, each = bench_smtp.run(ctx)
    assert (batch.name, batch.n, batch.unit, len(batch.times)) == ("smtp.batch", 500, "messages", 1)
    assert each.n == 50 and batch.baseline == each.name
    assert "messages/s" in batch.extra["summary"]
    assert "bench_smtp:" in capsys.readouterr().out
