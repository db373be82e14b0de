"""整改事项: one item of a 整改通知书, chased until 销号 (DOMAIN.md, from 002/003).

The unit works the item and may ask for more time; the office verifies,
sends back, rules on extensions and may withdraw an item. Every "no" from the
office, and every request for time, carries a written reason.
"""

from .definitions import Transition, WorkflowDefinition
from .engine import Workflow

UNIT = frozenset({"unit"})
OFFICE = frozenset({"office"})

DEFINITION = WorkflowDefinition(
    name="item",
    label="整改事项",
    states={
        "issued": "已下发",
        "in_progress": "整改中",
        "submitted": "待验收",
        "extension_requested": "申请延期",
        "closed": "已销号",
        "cancelled": "已撤销",
    },
    initial="issued",
    transitions=(
        Transition("acknowledge", ("issued",), "in_progress", UNIT, "签收"),
        Transition("submit", ("in_progress",), "submitted", UNIT, "提交整改", effects=("apply_submission",),
                   inputs=("measures",), cleaner="measures", audience=("office",)),
        Transition("verify", ("submitted",), "closed", OFFICE, "验收销号", effects=("apply_closure",),
                   audience=("unit",)),
        Transition("send_back", ("submitted",), "in_progress", OFFICE, "退回整改", requires_comment=True,
                   audience=("unit",), adverse=True),
        Transition(
            "request_extension", ("in_progress",), "extension_requested", UNIT, "申请延期",
            requires_comment=True, effects=("apply_extension_request",),
            inputs=("new_due_date",), cleaner="new_due_date", audience=("office",), comment_label="理由",
        ),
        Transition(
            "approve_extension", ("extension_requested",), "in_progress", OFFICE, "批准延期",
            effects=("apply_extension_approval",), audience=("unit",),
            inputs=("approved_due_date",), cleaner="approved_due_date",
        ),
        Transition(
            "deny_extension", ("extension_requested",), "in_progress", OFFICE, "驳回延期",
            requires_comment=True, effects=("apply_extension_denial",), audience=("unit",),
            adverse=True, comment_label="理由",
        ),
        Transition(
            "cancel", ("issued", "in_progress", "submitted", "extension_requested"), "cancelled", OFFICE, "撤销",
            requires_comment=True, audience=("unit",), adverse=True, comment_label="理由",
        ),
    ),
    open_states=frozenset({"issued", "in_progress", "submitted", "extension_requested"}),
    watched=("due_date", "requested_due_date", "measures"),
)

WORKFLOW = Workflow(DEFINITION)
