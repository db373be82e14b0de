"""No code outside the workflow service changes a state column.

The runtime guard (models.stateful) refuses such a flush; this test reads the
source so a bulk UPDATE, which the ORM guard cannot see, is caught too.
"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "pufa_flow"
ALLOWED = {ROOT / "services" / "workflow.py", ROOT / "models" / "stateful.py"}
PATTERNS = [
    re.compile(r"\.status\s*=(?!=)"),                         # obj.status = …
    re.compile(r"setattr\([^)]*['\"]status['\"]"),            # setattr(obj, "status", …)
    re.compile(r"\.values\([^)]*\bstatus\s*="),               # update(...).values(status=…)
    re.compile(r"UPDATE\s+\w+\s+SET[^;]*\bstatus\b", re.I),   # raw SQL
]
# The outbox has a status of its own (pending/sent/failed) that is not a workflow state.
NOT_WORKFLOW = re.compile(r"OutboxMessage|outbox", re.I)


def offending_lines() -> list[str]:
    found = []
    for path in ROOT.rglob("*.py"):
        if path in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in PATTERNS) and not NOT_WORKFLOW.search(line):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    return found


def test_no_state_column_is_written_outside_the_workflow_service():
    assert offending_lines() == []


def test_the_check_would_catch_a_direct_write(tmp_path):
    sample = "item.status = 'closed'\nstmt = update(Item).values(status='closed')\n"
    assert all(any(p.search(line) for p in PATTERNS) for line in sample.splitlines())
