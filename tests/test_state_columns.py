"""No code outside the workflow service changes a state column.

The runtime guard (models.stateful) refuses such a flush; this test reads the
source so a bulk UPDATE, which the ORM guard cannot see, is caught too.
"""
from __future__ import annotations

import ast
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
# The outbox has a status of its own (pending/sent/failed) that is not a workflow state; so has a
# panel score sheet (draft/submitted, lines marked "panel_sheet").
NOT_WORKFLOW = re.compile(r"OutboxMessage|outbox|panel_sheet", re.I)


def _names_status(node) -> bool:
    """A dict key or keyword that is ``"status"`` or ``<something>.status``."""
    return ((isinstance(node, ast.Constant) and node.value == "status")
            or (isinstance(node, ast.Attribute) and node.attr == "status"))


def bulk_status_writes(source: str) -> list[int]:
    """Lines of ``….values(...)`` / ``….execute(update…, {...})`` calls that set status,
    however spelled (keyword, dict literal, column key), on one line or many."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"values", "ordered_values"}):
            continue
        dicts = [a for a in node.args if isinstance(a, ast.Dict)]
        if (any(k.arg == "status" for k in node.keywords)
                or any(_names_status(key) for d in dicts for key in d.keys if key is not None)
                or any(isinstance(a, ast.Tuple) and a.elts and _names_status(a.elts[0]) for a in node.args)):
            lines.append(node.lineno)
    return lines


def offending_lines() -> list[str]:
    found = []
    for path in ROOT.rglob("*.py"):
        if path in ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        numbers = {n for n, line in enumerate(lines, 1) if any(p.search(line) for p in PATTERNS)}
        numbers |= set(bulk_status_writes(text))
        for number in sorted(numbers):
            if not NOT_WORKFLOW.search(lines[number - 1]):
                found.append(f"{path.relative_to(ROOT.parent)}:{number}: {lines[number - 1].strip()}")
    return found


def test_no_state_column_is_written_outside_the_workflow_service():
    assert offending_lines() == []


def test_the_check_would_catch_a_direct_write(tmp_path):
    sample = "item.status = 'closed'\nstmt = update(Item).values(status='closed')\n"
    assert all(any(p.search(line) for p in PATTERNS) for line in sample.splitlines())


def test_the_check_would_catch_a_bulk_update_with_a_dict():
    sample = (
        "db.session.execute(sa.update(Item).values({'status': 'closed'}))\n"
        "stmt = update(Item).where(Item.id == 1).values(\n    {Item.status: 'closed'})\n"
        "stmt = update(Item).values(\n    status='closed')\n"
    )
    assert sorted(bulk_status_writes(sample)) == [1, 2, 4]
    assert bulk_status_writes("stmt = update(Item).values({'due_date': d})\n") == []
