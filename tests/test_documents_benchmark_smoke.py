"""The documents benchmark runs (untimed, tiny input); the figures come from ``python -m benchmarks documents``."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_documents  # noqa: E402
from tests.docx_reading import body_texts, open_docx  # noqa: E402


class TinyContext:
    repeat = 1

    def size(self, full, small):
        return max(1, small // 100)

    def log(self, message):
        pass


def test_inputs_have_the_asked_sizes():
    b = bench_documents.bulletin_input(40)
    assert sum(len(g.units) for g in b.grades) == 40
    o = bench_documents.overdue_input(23, per_unit=5)
    assert sum(len(u.items) for u in o.units) == 23 and len(o.units) == 5


def test_benchmark_runs_and_reports_time_and_memory():
    results = bench_documents.run(TinyContext())
    assert [r.name for r in results] == ["documents.bulletin", "documents.overdue_bulletin"]
    for r in results:
        assert len(r.times) == 1 and r.extra["docx_bytes"] > 10_000 and r.extra["peak_traced_mib"] > 0
        assert "< 5 s" in r.extra["summary"]
    from pufa_flow.documents import overdue_bulletin
    texts = body_texts(open_docx(overdue_bulletin(bench_documents.overdue_input(10))))
    assert any(t.endswith("（5项）") for t in texts)
