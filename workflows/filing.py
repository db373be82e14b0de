"""报备: one unit's filing of one thing the office asks for in a year.

The unit hands it in (计划, 清单, 联络员, 报告, or one 工作信息); the office
receives it or sends it back with a reason, and the unit hands it in again.
A returned filing is how a filed thing gets replaced: a single-shot filing is
never filed twice. Lateness is not a state: it is read from the dates
(submitted after the due date, in working days), so the record stays true
whatever order the office works in.
"""

from .definitions import Transition, WorkflowDefinition
from .engine import Workflow

UNIT = frozenset({"unit"})
OFFICE = frozenset({"office"})

DEFINITION = WorkflowDefinition(
    name="filing",
    label="报备事项",
    states={
        "pending": "待报送",
        "submitted": "已报送",
        "returned": "退回修改",
        "received": "已接收",
    },
    initial="pending",
    transitions=(
        Transition("submit", ("pending", "returned"), "submitted", UNIT, "报送",
                   effects=("apply_submission",), inputs=("url", "note", "people"), cleaner="filing_submission",
                   audience=("office",)),
        Transition("receive", ("submitted",), "received", OFFICE, "接收", effects=("apply_receipt",),
                   audience=("unit",)),
        Transition("return_for_revision", ("submitted",), "returned", OFFICE, "退回修改",
                   requires_comment=True, effects=("apply_return",), audience=("unit",), adverse=True,
                   comment_label="理由"),
    ),
    open_states=frozenset({"pending", "submitted", "returned"}),
    watched=("url", "note"),
    groups={
        # handed in at least once and not sent back: what the record counts
        "filed": {"submitted", "received"},
        # the unit owes something now
        "owed": {"pending", "returned"},
    },
)

WORKFLOW = Workflow(DEFINITION)
