"""整改通知书: drafted by the office, reviewed, then issued (DOMAIN.md, from 002).

A notice's items do not exist for the unit until it is issued: issuing
numbers it (文号, 〔year〕N号, unique per year), stamps the issue date and
starts every item's clock. Until then the office may send a reviewed draft
back for changes, with a reason.
"""

from .definitions import Transition, WorkflowDefinition
from .engine import Workflow

OFFICE = frozenset({"office"})

DEFINITION = WorkflowDefinition(
    name="notice",
    label="整改通知书",
    states={
        "draft": "草稿",
        "reviewed": "已审核",
        "issued": "已下发",
    },
    initial="draft",
    transitions=(
        Transition("review", ("draft",), "reviewed", OFFICE, "审核通过"),
        Transition("return_to_draft", ("reviewed",), "draft", OFFICE, "退回修改", requires_comment=True,
                   adverse=True, comment_label="理由"),
        Transition("issue", ("reviewed",), "issued", OFFICE, "下发", effects=("apply_issue",),
                   inputs=("doc_seq", "issued_on"), cleaner="notice_issue", audience=("unit",)),
    ),
    open_states=frozenset({"draft", "reviewed"}),
    watched=("doc_year", "doc_seq"),
)

WORKFLOW = Workflow(DEFINITION)
