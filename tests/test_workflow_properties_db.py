"""Random trigger sequences through the service on a real database.

Whatever is fired, the stored state is one of the machine's states and the
audit log, replayed from the initial state, reproduces it.
"""
from __future__ import annotations

from datetime import date, timedelta

from helpers import new_notice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pufa_flow.errors import AppError
from pufa_flow.extensions import db
from pufa_flow.models import RectificationItem
from pufa_flow.services import workflow
from workflows import ITEM, TransitionRefused

MOVES = st.lists(st.tuples(st.sampled_from(ITEM.triggers), st.sampled_from(["unit", "office"]),
                           st.booleans()), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=MOVES)
def test_random_sequences_keep_state_valid_and_replayable(make_unit, make_user, office_user, moves):
    unit = make_unit()
    actors = {"unit": make_user("unit", unit), "office": office_user}
    item = new_notice(office_user, unit, n_items=1).items[0]
    for trigger, role, with_comment in moves:
        data = {}
        if trigger == "submit" and role == "unit":
            data = {"measures": "已整改"}
        if trigger == "request_extension" and role == "unit":
            data = {"new_due_date": (item.due_date + timedelta(days=7)).isoformat()}
        try:
            workflow.fire(item, trigger, actor=actors[role], data=data,
                          comment="理由" if with_comment else None)
        except (TransitionRefused, AppError):
            pass
        db.session.expire_all()
        item = db.session.get(RectificationItem, item.id)
        assert item.status in ITEM.states
    steps = [(e.trigger, e.from_state, e.to_state) for e in workflow.history(item) if e.trigger]
    assert ITEM.replay(steps) == item.status
    assert item.due_date >= date.today()
