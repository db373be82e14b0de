"""The SMTP benchmark runs and every message arrives (functional, never timed)."""
from __future__ import annotations

from benchmarks import bench_smtp
from benchmarks.context import BenchContext


def test_bench_smtp_runs_small(capsys):
    ctx = BenchContext(backends=(), repeat=1, scale="small", verbose=False)
    batch, each = bench_smtp.run(ctx)
    assert (batch.name, batch.n, batch.unit, len(batch.times)) == ("smtp.batch", 500, "messages", 1)
    assert each.n == 50 and batch.baseline == each.name
    assert "messages/s" in batch.extra["summary"]
    assert "bench_smtp:" in capsys.readouterr().out
