"""单位考评: one unit's assessment within a cycle, from 自评 to 定等.

Units only submit; the office accepts or returns; scoring is open to the
teams and the panel who evaluate the unit, grading to the panel and office.
No force: a unit's result must follow the recorded steps.
"""

from .definitions import Guard, Transition, WorkflowDefinition
from .engine import Workflow

DEFINITION = WorkflowDefinition(
    name="assessment",
    label="单位考评",
    states={
        "pending": "待自评",
        "submitted": "已提交",
        "returned": "退回修改",
        "accepted": "已受理",
        "scored": "已评分",
        "graded": "已定等",
        "closed": "已归档",
    },
    initial="pending",
    transitions=(
        Transition(
            "submit", ("pending", "returned"), "submitted", frozenset({"unit"}), "提交自评",
            guards=(Guard("cycle_open", "考评周期处于进行中"),),
            # the self score is computed from the saved 自测得分表, never typed
            effects=("apply_self_score",), audience=("office",),
        ),
        Transition(
            "return_for_revision", ("submitted",), "returned", frozenset({"office"}), "退回修改",
            requires_comment=True, audience=("unit",), adverse=True,
            guards=(Guard("cycle_in_self_assessment", "考评周期处于自评阶段"),),
        ),
        Transition("accept", ("submitted",), "accepted", frozenset({"office"}), "受理", audience=("unit",)),
        Transition(
            "finalize_score", ("accepted",), "scored", frozenset({"office", "evaluator", "panel"}), "确认评分",
            guards=(Guard("has_review_score", "已填写评议得分"),),
            effects=("apply_score",), inputs=("review_score",), cleaner="review_score",
            # the score is the panel sheets' mean or the office's designated score (services/panel.py)
            dedicated="评议团评分与对比页面（确认最终得分）",
        ),
        Transition(
            "assign_grade", ("scored",), "graded", frozenset({"office", "panel"}), "评定等次",
            effects=("apply_grade",), inputs=("grade",), cleaner="grade", audience=("unit",),
            # grades are proposed by the cycle's rules and confirmed for all units at once (services/results.py)
            dedicated="等次排名页面（确认等次）",
        ),
        Transition("close", ("graded",), "closed", frozenset({"office"}), "归档",
                   dedicated="考评结果页面（归档考评周期）"),
    ),
    open_states=frozenset({"pending", "submitted", "returned", "accepted", "scored", "graded"}),
    watched=("self_score", "review_score", "grade"),
    groups={
        "awaiting_submission": {"pending", "returned"},
        "awaiting_acceptance": {"pending", "submitted", "returned"},
        "graded": {"graded", "closed"},
        "closed": {"closed"},
    },
)

WORKFLOW = Workflow(DEFINITION)
