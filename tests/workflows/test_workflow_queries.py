"""Asking a workflow (buttons, binding, memory) must never change anything."""

import gc
import itertools
import weakref

import pytest

from workflows import ASSESSMENT, CYCLE, ITEM, WORKFLOWS
from workflows.definitions import ROLES

ALL = list(WORKFLOWS.values())


def _guard_settings(wf):
    names = list(dict.fromkeys(g.name for t in wf.definition.transitions for g in t.guards))
    yield {}
    yield {n: False for n in names}
    for n in names:
        yield {n: False}


STATE_ROLE_GUARDS = [
    (wf.name, state, role, guards)
    for wf in ALL
    for state, role in itertools.product(wf.states, ROLES)
    for guards in _guard_settings(wf)
]


@pytest.mark.parametrize("name, state, role, guards", STATE_ROLE_GUARDS)
def test_allowed_triggers_has_no_side_effects_and_matches_refusal(make_obj, name, state, role, guards):
    wf = WORKFLOWS[name]
    obj = make_obj(wf, state, guards=guards)
    allowed = wf.allowed_triggers(obj, role)
    assert obj.status == state and obj.effect_calls == []
    assert wf.machine.models == []
    # a comment is supplied because allowed_triggers lists actions whose
    # button then asks for one (send_back, cancel, ...)
    refused_none = [t for t in wf.triggers if wf.refusal(obj, t, role, comment="意见") is None]
    assert allowed == refused_none  # same set, definition order
    assert obj.status == state and obj.effect_calls == []


def test_allowed_triggers_consults_the_guards(make_obj):
    obj = make_obj(CYCLE, "draft", guards={"has_phase_dates": False})
    assert CYCLE.allowed_triggers(obj, "office") == []
    assert obj.guard_calls  # asked, not assumed
    obj.guard_values.clear()
    assert CYCLE.allowed_triggers(obj, "office") == ["start"]


def test_allowed_triggers_examples(make_obj):
    assert ITEM.allowed_triggers(make_obj(ITEM, "submitted"), "office") == ["verify", "send_back", "cancel"]
    assert ITEM.allowed_triggers(make_obj(ITEM, "submitted"), "unit") == []
    assert ASSESSMENT.allowed_triggers(make_obj(ASSESSMENT, "accepted"), "evaluator") == ["finalize_score"]
    assert ASSESSMENT.allowed_triggers(make_obj(ASSESSMENT, "closed"), "office") == []
    for wf in ALL:
        for state in wf.states:
            assert wf.allowed_triggers(make_obj(wf, state), "viewer") == []


def test_closed_states_offer_nothing(make_obj):
    for wf in ALL:
        for state in set(wf.states) - wf.definition.open_states:
            assert all(wf.allowed_triggers(make_obj(wf, state), role) == [] for role in ROLES)


def test_refusal_does_not_fire(make_obj):
    obj = make_obj(ITEM, "in_progress")
    assert ITEM.refusal(obj, "submit", "unit") is None
    assert obj.status == "in_progress" and obj.effect_calls == []


@pytest.mark.parametrize("wf", ALL, ids=lambda wf: wf.name)
def test_check_binding_accepts_a_complete_class_and_refuses_it_minus_any_method(make_obj, wf):
    complete = type(make_obj(wf))
    assert wf.check_binding(complete) is None
    methods = [name for name, value in vars(complete).items() if callable(value)]
    assert methods  # every workflow has guards or effects to bind
    for name in methods:  # each one is really required: without it the same class is refused, by name
        partial = type("Partial", (complete,), {name: None})
        with pytest.raises(TypeError, match=name):
            wf.check_binding(partial)


def test_check_binding_names_every_missing_method():
    class Half:
        status = "pending"

        def guard_cycle_open(self):
            return True

        apply_grade = "not callable"

    with pytest.raises(TypeError) as info:
        ASSESSMENT.check_binding(Half)
    message = str(info.value)
    assert "Half" in message and "'assessment'" in message
    assert "guard_has_review_score" in message and "apply_score" in message and "apply_grade" in message
    assert "guard_cycle_open" not in message


def test_check_binding_on_an_empty_class_lists_all_cycle_guards():
    with pytest.raises(TypeError) as info:
        CYCLE.check_binding(object)
    for g in ("has_units", "has_phase_dates", "all_submitted", "none_pending", "all_graded", "all_closed"):
        assert f"guard_{g}" in str(info.value)


def test_firing_keeps_no_reference_to_the_objects(make_obj):
    refs = []
    for i in range(10_000):
        obj = make_obj(ITEM, "issued", id=i)
        ITEM.fire(obj, "acknowledge", role="unit")
        ITEM.fire(obj, "submit", role="unit", note=i)
        if i % 500 == 0:
            refs.append(weakref.ref(obj))
    del obj
    assert len(ITEM.machine.models) == 0
    gc.collect()
    assert all(r() is None for r in refs)


def test_refusals_keep_no_reference_either(make_obj):
    obj = make_obj(ITEM, "closed")
    ref = weakref.ref(obj)
    for _ in range(100):
        assert ITEM.refusal(obj, "submit", "unit") is not None
    del obj
    gc.collect()
    assert ref() is None and ITEM.machine.models == []
