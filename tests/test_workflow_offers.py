"""What the generic transition form offers and refuses (``workflow.refuse_dedicated``,
``dedicated_triggers``, ``guarded_transitions``), checked at the service: the pages
and the API only pass these through. Each test was written for mutants that survived."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from helpers import new_cycle, new_notice

from pufa_flow.errors import Conflict
from pufa_flow.services import workflow


@pytest.fixture
def started_cycle(make_unit, make_user, office_user):
    """A cycle in 自评 whose one unit has not submitted: moving on needs force."""
    unit = make_unit()
    cycle = new_cycle(office_user, [unit])
    workflow.fire(cycle, "start", actor=office_user)
    return cycle


def test_a_step_with_its_own_page_is_refused_naming_the_step_and_the_page(started_cycle):
    with pytest.raises(Conflict) as info:
        workflow.refuse_dedicated(started_cycle, "publish_results")
    assert info.value.message == "「发布结果」不能在通用操作中执行，请到考评结果页面（发布结果）办理"
    assert info.value.details == {"reason": "dedicated", "trigger": "publish_results"}


@pytest.mark.parametrize("trigger", ["begin_field_research", "start", "no_such_step", None, 7, ["archive"]])
def test_the_generic_form_keeps_its_own_steps_and_leaves_junk_to_fire(started_cycle, trigger):
    """Ordinary steps (from any state) pass; an unknown or malformed trigger is fire's to refuse."""
    assert workflow.refuse_dedicated(started_cycle, trigger) is None


def test_the_dedicated_steps_of_a_workflow_are_listed(started_cycle, make_unit, office_user):
    assert workflow.dedicated_triggers(started_cycle) == {"publish_results", "archive"}
    assert workflow.dedicated_triggers(started_cycle.assessments.one()) == {
        "finalize_score", "assign_grade", "close"}
    item = new_notice(office_user, make_unit(), n_items=1).items[0]
    assert workflow.dedicated_triggers(item) == set()


def test_the_office_is_offered_to_force_only_the_guarded_step_from_here(started_cycle):
    allowed = started_cycle.allowed_triggers("office")
    assert "begin_field_research" not in allowed  # its guard: the unit has not submitted
    offered = workflow.guarded_transitions(started_cycle, "office", allowed)
    assert [t.trigger for t in offered] == ["begin_field_research"]


def test_a_step_already_allowed_is_not_offered_as_a_forced_one(started_cycle):
    assert workflow.guarded_transitions(started_cycle, "office", ["begin_field_research"]) == []


def test_a_dedicated_step_is_never_offered_to_force(started_cycle):
    """In 评估验收 with a unit not graded, 发布结果 is guarded, but has its own page."""
    in_acceptance = SimpleNamespace(workflow=started_cycle.workflow, status="acceptance")
    assert workflow.guarded_transitions(in_acceptance, "office", []) == []


def test_roles_that_may_not_force_are_offered_nothing(started_cycle, make_unit, office_user):
    for role in ("unit", "evaluator", "panel", "viewer"):
        assert workflow.guarded_transitions(started_cycle, role, []) == []
    assessment = started_cycle.assessments.one()  # assessments are never forced, not even by the office
    assert workflow.guarded_transitions(assessment, "office", []) == []
