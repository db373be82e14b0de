"""Random walks through each machine: the state stays legal and the audit log replays it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows import WORKFLOWS, TransitionRefused
from workflows.definitions import ROLES
from workflows.refusals import REASONS

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,  # leave no .hypothesis/ directory in the repo
    suppress_health_check=[HealthCheck.too_slow],
)


def _guard_names(wf):
    return list(dict.fromkeys(g.name for t in wf.definition.transitions for g in t.guards))


def draw_step(data, wf, state):
    """Usually aim at a trigger that fits the state (so walks go deep), sometimes anything at all."""
    fitting = [t for t in wf.definition.transitions if state in t.sources]
    if fitting and data.draw(st.integers(0, 3), label="aim"):
        t = data.draw(st.sampled_from(fitting), label="trigger")
        trigger, role = t.trigger, data.draw(st.sampled_from(sorted(t.roles)), label="role")
    else:
        trigger = data.draw(st.sampled_from([*wf.triggers, "to_closed"]), label="trigger")
        role = data.draw(st.sampled_from(list(ROLES)), label="role")
    return {
        "trigger": trigger,
        "role": role,
        "force": data.draw(st.integers(0, 4), label="force") == 0,
        "comment": data.draw(st.sampled_from([None, "", "  ", "情况说明", "情况说明"]), label="comment"),
        "guards": data.draw(st.fixed_dictionaries({g: st.booleans() for g in _guard_names(wf)}), label="guards"),
    }


def walk(wf, obj, data):
    """Fire random steps, checking each outcome; return the (trigger, source, dest) log of successes."""
    log = []
    for _ in range(data.draw(st.integers(0, 40), label="length")):
        s = draw_step(data, wf, obj.status)
        obj.guard_values = s["guards"]
        before = obj.status
        allowed = wf.allowed_triggers(obj, s["role"])
        refusal = wf.refusal(obj, s["trigger"], s["role"], comment=s["comment"], force=s["force"])
        try:
            event = wf.fire(obj, s["trigger"], role=s["role"], comment=s["comment"], force=s["force"])
        except TransitionRefused as e:
            assert refusal is not None and e.reason == refusal.reason and e.reason in REASONS
            assert e.message == refusal.message
            assert obj.status == before
        else:
            assert refusal is None
            assert (event.source, event.dest) == (before, obj.status)
            if not s["force"]:
                assert s["trigger"] in allowed
            log.append((event.trigger, event.source, event.dest))
        assert obj.status in wf.states
    assert wf.machine.models == []
    return log


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
@SETTINGS
@given(data=st.data())
def test_random_walk_stays_legal_and_replays(make_obj, name, data):
    wf = WORKFLOWS[name]
    obj = make_obj(wf)
    log = walk(wf, obj, data)
    assert wf.replay(log) == obj.status
    assert wf.replay(iter(log)) == obj.status  # any iterable, e.g. a query result


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
@SETTINGS
@given(data=st.data())
def test_replay_rejects_a_tampered_log(make_obj, name, data):
    wf = WORKFLOWS[name]
    obj = make_obj(wf)
    log = walk(wf, obj, data)
    if not log:
        log = [_first_step(wf)]
    i = data.draw(st.integers(0, len(log) - 1), label="index")
    trigger, source, dest = log[i]
    kind = data.draw(st.sampled_from(["dest", "source", "trigger", "drop"]), label="kind")
    tampered = list(log)
    if kind == "dest":
        other = data.draw(st.sampled_from([s for s in wf.states if s != dest]), label="dest")
        tampered[i] = (trigger, source, other)
    elif kind == "source":
        other = data.draw(st.sampled_from([s for s in wf.states if s != source]), label="source")
        tampered[i] = (trigger, other, dest)
    elif kind == "trigger":
        tampered[i] = ("to_" + dest, source, dest)
    else:
        if len(log) < 2 or i == len(log) - 1:
            # dropping the last step leaves a consistent, shorter history;
            # dropping the first of a one-step log too: tamper the start instead
            tampered[0] = (log[0][0], "nowhere", log[0][2])
        else:
            del tampered[i]
    with pytest.raises(ValueError, match=r"^step \d+: "):
        wf.replay(tampered)


def _first_step(wf):
    t = next(t for t in wf.definition.transitions if wf.definition.initial in t.sources)
    return (t.trigger, wf.definition.initial, t.dest)


def test_replay_of_nothing_is_the_initial_state():
    for wf in WORKFLOWS.values():
        assert wf.replay([]) == wf.definition.initial


def test_replay_of_a_real_item_history():
    log = [
        ("acknowledge", "issued", "in_progress"),
        ("request_extension", "in_progress", "extension_requested"),
        ("deny_extension", "extension_requested", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("send_back", "submitted", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("verify", "submitted", "closed"),
    ]
    assert WORKFLOWS["item"].replay(log) == "closed"
    with pytest.raises(ValueError, match="step 8: 'cancel' cannot fire from 'closed'"):
        WORKFLOWS["item"].replay([*log, ("cancel", "closed", "cancelled")])
