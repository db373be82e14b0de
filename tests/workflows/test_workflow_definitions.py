"""The definitions are the API contract with the Flask side: pin them exactly."""

import subprocess
import sys
from pathlib import Path

import pytest

from workflows import ASSESSMENT, CYCLE, FILING, ITEM, NOTICE, WORKFLOWS, Guard, Transition, Workflow, WorkflowDefinition

REPO = Path(__file__).resolve().parents[2]
O, U, E, P = "office", "unit", "evaluator", "panel"

EXPECTED_STATES = {
    "cycle": {
        "draft": "草拟", "self_assessment": "自评", "field_research": "实地调研",
        "acceptance": "评估验收", "results": "结果运用", "archived": "归档",
    },
    "assessment": {
        "pending": "待自评", "submitted": "已提交", "returned": "退回修改", "accepted": "已受理",
        "scored": "已评分", "graded": "已定等", "closed": "已归档",
    },
    "item": {
        "issued": "已下发", "in_progress": "整改中", "submitted": "待验收",
        "extension_requested": "申请延期", "closed": "已销号", "cancelled": "已撤销",
    },
    "filing": {"pending": "待报送", "submitted": "已报送", "returned": "退回修改", "received": "已接收"},
    "notice": {"draft": "草稿", "reviewed": "已审核", "issued": "已下发"},
}

# trigger, sources, dest, roles, label, guards, effects, requires_comment
EXPECTED_TRANSITIONS = {
    "notice": [
        ("review", ("draft",), "reviewed", {O}, "审核通过", [], (), False),
        ("return_to_draft", ("reviewed",), "draft", {O}, "退回修改", [], (), True),
        ("issue", ("reviewed",), "issued", {O}, "下发", [], ("apply_issue",), False),
    ],
    "cycle": [
        ("start", ("draft",), "self_assessment", {O}, "启动",
         [("has_units", "已纳入考评单位"), ("has_phase_dates", "各阶段日期已填写")], (), False),
        ("begin_field_research", ("self_assessment",), "field_research", {O}, "进入实地调研",
         [("all_submitted", "所有单位均已提交自评")], (), False),
        ("begin_acceptance", ("field_research",), "acceptance", {O}, "进入评估验收",
         [("none_pending", "没有待受理的自评材料")], (), False),
        ("publish_results", ("acceptance",), "results", {O}, "发布结果",
         [("all_graded", "所有单位均已定等")], (), False),
        ("archive", ("results",), "archived", {O}, "归档",
         [("all_closed", "所有单位考评均已归档")], (), False),
    ],
    "assessment": [
        ("submit", ("pending", "returned"), "submitted", {U}, "提交自评",
         [("cycle_open", "考评周期处于进行中")], ("apply_self_score",), False),
        ("return_for_revision", ("submitted",), "returned", {O}, "退回修改",
         [("cycle_in_self_assessment", "考评周期处于自评阶段")], (), True),
        ("accept", ("submitted",), "accepted", {O}, "受理", [], (), False),
        ("finalize_score", ("accepted",), "scored", {O, E, P}, "确认评分",
         [("has_review_score", "已填写评议得分")], ("apply_score",), False),
        ("assign_grade", ("scored",), "graded", {O, P}, "评定等次", [], ("apply_grade",), False),
        ("close", ("graded",), "closed", {O}, "归档", [], (), False),
    ],
    "item": [
        ("acknowledge", ("issued",), "in_progress", {U}, "签收", [], (), False),
        ("submit", ("in_progress",), "submitted", {U}, "提交整改", [], ("apply_submission",), False),
        ("verify", ("submitted",), "closed", {O}, "验收销号", [], ("apply_closure",), False),
        ("send_back", ("submitted",), "in_progress", {O}, "退回整改", [], (), True),
        ("request_extension", ("in_progress",), "extension_requested", {U}, "申请延期",
         [], ("apply_extension_request",), True),
        ("approve_extension", ("extension_requested",), "in_progress", {O}, "批准延期",
         [], ("apply_extension_approval",), False),
        ("deny_extension", ("extension_requested",), "in_progress", {O}, "驳回延期",
         [], ("apply_extension_denial",), True),
        ("cancel", ("issued", "in_progress", "submitted", "extension_requested"), "cancelled", {O}, "撤销",
         [], (), True),
    ],
    "filing": [
        ("submit", ("pending", "returned"), "submitted", {U}, "报送", [], ("apply_submission",), False),
        ("receive", ("submitted",), "received", {O}, "接收", [], ("apply_receipt",), False),
        ("return_for_revision", ("submitted",), "returned", {O}, "退回修改", [], ("apply_return",), True),
    ],
}

EXPECTED_OPEN = {
    "cycle": {"draft", "self_assessment", "field_research", "acceptance", "results"},
    "assessment": {"pending", "submitted", "returned", "accepted", "scored", "graded"},
    "item": {"issued", "in_progress", "submitted", "extension_requested"},
    "filing": {"pending", "submitted", "returned"},
    "notice": {"draft", "reviewed"},
}


def test_registry():
    assert WORKFLOWS == {"cycle": CYCLE, "assessment": ASSESSMENT, "item": ITEM, "notice": NOTICE, "filing": FILING}
    assert {name: wf.name for name, wf in WORKFLOWS.items()} == {n: n for n in WORKFLOWS}
    assert (CYCLE.definition.label, ASSESSMENT.definition.label, ITEM.definition.label) == (
        "考评周期", "单位考评", "整改事项")


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_states_in_order(name):
    wf = WORKFLOWS[name]
    assert list(wf.definition.states.items()) == list(EXPECTED_STATES[name].items())
    assert wf.states == list(EXPECTED_STATES[name])
    assert wf.definition.initial == wf.states[0]
    assert wf.definition.open_states == EXPECTED_OPEN[name]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_transition_table(name):
    actual = [
        (t.trigger, t.sources, t.dest, set(t.roles), t.label,
         [(g.name, g.label) for g in t.guards], t.effects, t.requires_comment)
        for t in WORKFLOWS[name].definition.transitions
    ]
    assert actual == EXPECTED_TRANSITIONS[name]
    assert WORKFLOWS[name].triggers == [row[0] for row in EXPECTED_TRANSITIONS[name]]


def test_only_the_cycle_is_forcible_and_only_by_the_office():
    assert CYCLE.definition.forcible_by == {"office"}
    assert ASSESSMENT.definition.forcible_by == frozenset()
    assert ITEM.definition.forcible_by == frozenset()
    assert FILING.definition.forcible_by == frozenset()


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_labels(name):
    wf = WORKFLOWS[name]
    for state, label in EXPECTED_STATES[name].items():
        assert wf.state_label(state) == label
    for row in EXPECTED_TRANSITIONS[name]:
        assert wf.trigger_label(row[0]) == row[4]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_one_machine_without_models_or_auto_transitions(name):
    machine = WORKFLOWS[name].machine
    assert machine.models == []
    assert machine.model_attribute == "status"
    assert machine.send_event is True
    assert machine.ignore_invalid_triggers is not True
    assert set(machine.events) == set(WORKFLOWS[name].triggers)  # no to_<state> auto transitions


def test_package_stays_free_of_flask_and_the_database():
    code = (
        "import sys, workflows\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'pufa_flow'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=REPO, check=True)


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_mermaid_shows_every_state_and_trigger_label(name):
    wf = WORKFLOWS[name]
    text = wf.mermaid()
    assert "stateDiagram-v2" in text
    assert f"title: {wf.definition.label}" in text
    for state, label in wf.definition.states.items():
        assert f'state "{label}" as {state}' in text
    for t in wf.definition.transitions:
        assert t.label in text
    assert f"[*] --> {wf.definition.initial}" in text
    styled = [line.split()[-1] for line in text.splitlines() if line.strip().startswith("Class ")]
    assert set(styled) == {"s_default"}  # the workflow itself, no object's state highlighted
    assert wf.mermaid() is text  # built once, cached


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_labels_and_ids_are_safe_inside_mermaid(name):
    """Mermaid's state grammar ends a label at ':' or ';' and an id at '-' or whitespace."""
    d = WORKFLOWS[name].definition
    labels = [d.label, *d.states.values(), *(t.label for t in d.transitions)]
    assert not [label for label in labels if set(label) & set(':;"\n')]
    assert all(s.isidentifier() for s in d.states)


def test_filing_machine_returns_with_a_reason_and_files_again():
    assert FILING.definition.label == "报备事项"
    assert FILING.transition("return_for_revision").adverse
    assert FILING.transition("return_for_revision").comment_label == "理由"
    assert FILING.transition("submit").inputs == ("url", "note", "people")
    assert FILING.definition.groups == {"filed": {"submitted", "received"}, "owed": {"pending", "returned"}}
    text = FILING.mermaid()
    assert "returned --> submitted: 报送" in text and "submitted --> returned: 退回修改" in text


def test_mermaid_edges_follow_the_table():
    text = ITEM.mermaid()
    assert "extension_requested --> in_progress: 批准延期 | 驳回延期" in text
    for source in ("issued", "in_progress", "submitted", "extension_requested"):
        assert f"{source} --> cancelled: 撤销" in text


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"initial": "nowhere"}, "initial state 'nowhere'"),
        ({"transitions": (Transition("go", ("a",), "z", frozenset({"office"}), "走"),)}, "unknown state 'z'"),
        ({"transitions": (Transition("go", ("a",), "b", {"office"}, "走"),) * 2}, "defined twice"),
        ({"open_states": {"a", "q"}}, "open_states"),
        ({"forcible_by": {"admin"}}, "forcible_by"),
    ],
)
def test_bad_definitions_fail_when_built(kwargs, fragment):
    base = dict(name="t", label="测试", states={"a": "甲", "b": "乙"}, initial="a", transitions=(), open_states={"a"})
    with pytest.raises(ValueError, match=fragment):
        WorkflowDefinition(**{**base, **kwargs})


def test_bad_transitions_fail_when_built():
    with pytest.raises(ValueError, match="unknown roles"):
        Transition("go", ("a",), "b", {"admin"}, "走")
    with pytest.raises(ValueError, match="no source"):
        Transition("go", (), "b", {"office"}, "走")
    with pytest.raises(ValueError, match="allows no role"):
        Transition("go", ("a",), "b", frozenset(), "走")


def test_hand_written_tables_are_normalised_to_immutable_values():
    t = Transition("go", ["a"], "b", ["office"], "走", guards=[Guard("x", "某条件")], effects=["apply_x"])
    assert (t.sources, t.roles, t.guards, t.effects) == (("a",), frozenset({"office"}), (Guard("x", "某条件"),), ("apply_x",))
    wf = Workflow(WorkflowDefinition("t", "测试", {"a": "甲", "b": "乙"}, "a", [t], ["a"]))
    assert wf.definition.open_states == frozenset({"a"})
    assert wf.triggers == ["go"]
