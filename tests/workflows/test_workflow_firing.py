"""fire(): every allowed transition works, every other one is refused with the right reason."""

import pytest

from workflows import ASSESSMENT, CYCLE, ITEM, WORKFLOWS, TransitionEvent, TransitionRefused
from workflows.definitions import ROLES

ALL = list(WORKFLOWS.values())


def _cases(select):
    return [case for wf in ALL for t in wf.definition.transitions for case in select(wf, t)]


ALLOWED = _cases(lambda wf, t: [(wf.name, t.trigger, s, r) for s in t.sources for r in sorted(t.roles)])
WRONG_STATE = [
    (wf.name, t.trigger, s) for wf in ALL for t in wf.definition.transitions for s in wf.states if s not in t.sources
]
WRONG_ROLE = _cases(lambda wf, t: [(wf.name, t.trigger, s, r) for s in t.sources for r in ROLES if r not in t.roles])
GUARDED = _cases(lambda wf, t: [(wf.name, t.trigger, g.name) for g in t.guards])
NEEDS_COMMENT = _cases(lambda wf, t: [(wf.name, t.trigger)] if t.requires_comment else [])
NOT_FORCIBLE = _cases(
    lambda wf, t: [(wf.name, t.trigger, r) for r in sorted(t.roles) if r not in wf.definition.forcible_by]
)


def _comment_for(t):
    return "情况说明" if t.requires_comment else None


@pytest.mark.parametrize("name, trigger, source, role", ALLOWED)
def test_every_allowed_transition_fires(make_obj, name, trigger, source, role):
    wf = WORKFLOWS[name]
    t = wf.transition(trigger)
    obj = make_obj(wf, source)
    event = wf.fire(obj, trigger, role=role, comment=_comment_for(t), notice_id=7)
    assert obj.status == t.dest
    assert event == TransitionEvent(
        workflow=name, trigger=trigger, source=source, dest=t.dest, role=role,
        comment=_comment_for(t), forced=False, data={"notice_id": 7},
    )
    assert obj.guard_calls == [g.name for g in t.guards]
    # effects run in order, after the state change, with the event
    assert obj.effect_calls == [(e, event, t.dest) for e in t.effects]
    assert wf.machine.models == []


@pytest.mark.parametrize("name, trigger, state", WRONG_STATE)
def test_wrong_state_is_refused(make_obj, name, trigger, state):
    wf = WORKFLOWS[name]
    t = wf.transition(trigger)
    role = sorted(t.roles)[0]
    obj = make_obj(wf, state)
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, trigger, role=role, comment="意见")
    e = info.value
    assert (e.reason, e.workflow, e.state, e.trigger) == ("wrong_state", name, state, trigger)
    assert e.state_label == wf.state_label(state)
    assert e.allowed == wf.allowed_triggers(obj, role)
    assert f"「{wf.state_label(state)}」" in e.message and f"「{t.label}」" in e.message
    assert obj.status == state and obj.effect_calls == []


@pytest.mark.parametrize("name, trigger, source, role", WRONG_ROLE)
def test_wrong_role_is_refused(make_obj, name, trigger, source, role):
    wf = WORKFLOWS[name]
    obj = make_obj(wf, source)
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, trigger, role=role, comment="意见", force=role in wf.definition.forcible_by)
    assert info.value.reason == "forbidden_role"
    assert f"「{ROLES[role]}」无权执行「{wf.trigger_label(trigger)}」" in info.value.message
    assert obj.status == source and obj.guard_calls == [] and obj.effect_calls == []


def test_unknown_role_is_forbidden(make_obj):
    obj = make_obj(ITEM, "issued")
    assert ITEM.refusal(obj, "acknowledge", "admin").reason == "forbidden_role"


@pytest.mark.parametrize("name, trigger, guard", GUARDED)
def test_failed_guard_is_refused_and_named(make_obj, name, trigger, guard):
    wf = WORKFLOWS[name]
    t = wf.transition(trigger)
    obj = make_obj(wf, t.sources[0], guards={guard: False})
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, trigger, role=sorted(t.roles)[0], comment=_comment_for(t))
    e = info.value
    failed = [g for g in t.guards if g.name == guard]
    assert (e.reason, e.failed_guards) == ("guard_failed", failed)
    assert f"尚未满足「{failed[0].label}」" in e.message
    assert obj.status == t.sources[0] and obj.effect_calls == []


def test_every_failed_guard_is_reported(make_obj):
    obj = make_obj(CYCLE, "draft", guards={"has_units": False, "has_phase_dates": False})
    e = CYCLE.refusal(obj, "start", "office")
    assert [g.name for g in e.failed_guards] == ["has_units", "has_phase_dates"]
    assert "尚未满足「已纳入考评单位」、「各阶段日期已填写」" in e.message


@pytest.mark.parametrize("name, trigger", NEEDS_COMMENT)
@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_missing_comment_is_refused(make_obj, name, trigger, comment):
    wf = WORKFLOWS[name]
    t = wf.transition(trigger)
    obj = make_obj(wf, t.sources[0])
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, trigger, role=sorted(t.roles)[0], comment=comment)
    assert info.value.reason == "comment_required"
    assert f"执行「{t.label}」须填写意见或理由" in info.value.message
    assert obj.status == t.sources[0]


def test_comment_is_stored_trimmed(make_obj):
    obj = make_obj(ITEM, "submitted")
    event = ITEM.fire(obj, "send_back", role="office", comment="  佐证材料不全 \n")
    assert event.comment == "佐证材料不全"


def test_comment_on_an_action_that_does_not_need_one_is_kept(make_obj):
    obj = make_obj(ITEM, "submitted")
    assert ITEM.fire(obj, "verify", role="office", comment="材料齐全").comment == "材料齐全"


@pytest.mark.parametrize("name, trigger, role", NOT_FORCIBLE)
def test_force_by_a_role_that_may_not_force_is_refused(make_obj, name, trigger, role):
    wf = WORKFLOWS[name]
    t = wf.transition(trigger)
    obj = make_obj(wf, t.sources[0], guards={g.name: False for g in t.guards})
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, trigger, role=role, comment="领导同意", force=True)
    assert info.value.reason == "force_not_allowed"
    assert f"不能强制执行「{t.label}」" in info.value.message
    assert obj.status == t.sources[0] and obj.effect_calls == []


@pytest.mark.parametrize("comment", [None, "  "])
def test_force_needs_a_written_reason(make_obj, comment):
    obj = make_obj(CYCLE, "draft", guards={"has_units": False})
    with pytest.raises(TransitionRefused) as info:
        CYCLE.fire(obj, "start", role="office", force=True, comment=comment)
    assert info.value.reason == "comment_required"
    assert "强制执行「启动」须填写意见或理由" in info.value.message
    assert obj.status == "draft"


@pytest.mark.parametrize("trigger", CYCLE.triggers)
def test_office_force_bypasses_failed_guards_on_the_cycle(make_obj, trigger):
    t = CYCLE.transition(trigger)
    obj = make_obj(CYCLE, t.sources[0], guards={g.name: False for g in t.guards})
    event = CYCLE.fire(obj, trigger, role="office", force=True, comment="经主任办公会同意")
    assert obj.status == t.dest
    assert (event.forced, event.comment) == (True, "经主任办公会同意")
    assert obj.guard_calls == []  # skipped, not evaluated and ignored


def test_force_does_not_bypass_state(make_obj):
    obj = make_obj(CYCLE, "archived")
    with pytest.raises(TransitionRefused) as info:
        CYCLE.fire(obj, "start", role="office", force=True, comment="重启")
    assert info.value.reason == "wrong_state"


@pytest.mark.parametrize("wf", ALL, ids=lambda wf: wf.name)
def test_unknown_trigger_is_refused(make_obj, wf):
    obj = make_obj(wf)
    with pytest.raises(TransitionRefused) as info:
        wf.fire(obj, "to_closed", role="office")
    assert info.value.reason == "unknown_trigger"
    assert "没有「to_closed」这一操作" in info.value.message


def test_message_reads_as_specified(make_obj):
    obj = make_obj(ITEM, "closed", id=12)
    with pytest.raises(TransitionRefused) as info:
        ITEM.fire(obj, "submit", role="unit")
    assert str(info.value) == info.value.message == "整改事项#12 当前状态为「已销号」，不能执行「提交整改」；当前可执行：无"
    assert info.value.object_label == "整改事项#12"
    assert info.value.allowed == []


def test_message_lists_what_is_allowed_now_and_uses_the_object_label(make_obj):
    obj = make_obj(ITEM, "in_progress", workflow_label="区司法局·整改事项3")
    e = ITEM.refusal(obj, "verify", "unit")
    assert e.allowed == ["submit", "request_extension"]
    assert e.message == "区司法局·整改事项3 当前状态为「整改中」，不能执行「验收销号」；当前可执行：提交整改、申请延期"


def test_refused_assessment_names_role_and_state(make_obj):
    obj = make_obj(ASSESSMENT, "submitted", id=3)
    e = ASSESSMENT.refusal(obj, "accept", "unit")
    assert e.message == "单位考评#3 当前状态为「已提交」，「责任单位」无权执行「受理」；当前可执行：无"


def test_status_outside_the_definition_is_a_wrong_state(make_obj):
    obj = make_obj(ITEM, "archived_by_hand")
    e = ITEM.refusal(obj, "verify", "office")
    assert (e.reason, e.state_label, e.allowed) == ("wrong_state", "archived_by_hand", [])


@pytest.mark.parametrize("effect", ["apply_extension_request", "apply_submission"])
def test_raising_effect_propagates_and_restores_the_source(make_obj, effect):
    trigger = {"apply_extension_request": "request_extension", "apply_submission": "submit"}[effect]
    boom = RuntimeError("写入失败")
    obj = make_obj(ITEM, "in_progress", raising={effect: boom})
    with pytest.raises(RuntimeError) as info:
        ITEM.fire(obj, trigger, role="unit", comment="需要更多时间")
    assert info.value is boom
    assert obj.status == "in_progress"
    assert [name for name, _, status in obj.effect_calls] == [effect]
    assert obj.effect_calls[0][2] != "in_progress"  # it had moved before the effect ran
    assert ITEM.machine.models == []
    # and the object is still usable afterwards
    obj.raising.clear()
    ITEM.fire(obj, trigger, role="unit", comment="需要更多时间")
    assert obj.status == ITEM.transition(trigger).dest


def test_data_keywords_reach_the_event_and_the_effect(make_obj):
    obj = make_obj(ASSESSMENT, "scored")
    event = ASSESSMENT.fire(obj, "assign_grade", role="panel", grade="优秀", score=92.5)
    assert event.data == {"grade": "优秀", "score": 92.5}
    assert obj.effect_calls == [("apply_grade", event, "graded")]
