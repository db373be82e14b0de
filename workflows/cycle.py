"""考评周期: the yearly assessment cycle and its four phases (DOMAIN.md, from 003).

Every step is the office's, and each waits for the units to have caught up;
the office may force a step with a written reason, because real cycles run
late and the phase dates are set by a meeting, not by the software.
"""

from .definitions import Guard, Transition, WorkflowDefinition
from .engine import Workflow

OFFICE = frozenset({"office"})

DEFINITION = WorkflowDefinition(
    name="cycle",
    label="考评周期",
    states={
        "draft": "草拟",
        "self_assessment": "自评",
        "field_research": "实地调研",
        "acceptance": "评估验收",
        "results": "结果运用",
        "archived": "归档",
    },
    initial="draft",
    transitions=(
        Transition(
            "start", ("draft",), "self_assessment", OFFICE, "启动",
            guards=(Guard("has_units", "已纳入考评单位"), Guard("has_phase_dates", "各阶段日期已填写")),
        ),
        Transition(
            "begin_field_research", ("self_assessment",), "field_research", OFFICE, "进入实地调研",
            guards=(Guard("all_submitted", "所有单位均已提交自评"),),
        ),
        Transition(
            # none pending = every assessment accepted or further along
            "begin_acceptance", ("field_research",), "acceptance", OFFICE, "进入评估验收",
            guards=(Guard("none_pending", "没有待受理的自评材料"),),
        ),
        Transition(
            "publish_results", ("acceptance",), "results", OFFICE, "发布结果",
            guards=(Guard("all_graded", "所有单位均已定等"),),
            # notifies every unit and issues the opinions' 整改通知书 (services/results.py)
            dedicated="考评结果页面（发布结果）",
        ),
        Transition(
            "archive", ("results",), "archived", OFFICE, "归档",
            guards=(Guard("all_closed", "所有单位考评均已归档"),),
            dedicated="考评结果页面（归档）",
        ),
    ),
    open_states=frozenset({"draft", "self_assessment", "field_research", "acceptance", "results"}),
    forcible_by=OFFICE,
)

WORKFLOW = Workflow(DEFINITION)
