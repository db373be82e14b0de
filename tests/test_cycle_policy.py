"""The row policy covers cycles (issue 7): a unit user sees only the cycles it takes
part in, never a draft, in lists, pages and the API; anything else is 404."""
from __future__ import annotations

import pytest

from pufa_flow.extensions import db
from pufa_flow.services.workflow import fire

from tests.helpers import new_cycle


@pytest.fixture
def cycles(app, office_user, make_unit, make_user):
    mine, other = make_unit("区司法局"), make_unit("区教育局")
    unit_user = make_user("unit", unit=mine, username="sifaju")
    taking_part = new_cycle(office_user, [mine, other], name="参加的周期")
    fire(taking_part, "start", actor=office_user)
    not_mine = new_cycle(office_user, [other], name="未参加的周期")
    fire(not_mine, "start", actor=office_user)
    draft = new_cycle(office_user, [mine], name="草拟中的周期")
    db.session.commit()
    return unit_user, taking_part, not_mine, draft


def test_unit_lists_show_only_its_cycles(client, login, token_for, cycles):
    unit_user, taking_part, not_mine, draft = cycles
    login(unit_user)
    html = client.get("/cycles/").get_data(as_text=True)
    assert "参加的周期" in html and "未参加的周期" not in html and "草拟中的周期" not in html
    body = client.get("/api/v1/cycles", headers=token_for(unit_user)).get_json()
    assert [c["id"] for c in body["items"]] == [taking_part.id]


def test_unit_pages_and_api_404_for_other_and_draft_cycles(client, login, token_for, cycles):
    unit_user, taking_part, not_mine, draft = cycles
    login(unit_user)
    headers = token_for(unit_user)
    assert client.get(f"/cycles/{taking_part.id}").status_code == 200
    assert client.get(f"/api/v1/cycles/{taking_part.id}", headers=headers).status_code == 200
    for cycle in (not_mine, draft):
        assert client.get(f"/cycles/{cycle.id}").status_code == 404
        assert client.get(f"/history/cycle/{cycle.id}").status_code == 404
        assert client.get(f"/api/v1/cycles/{cycle.id}", headers=headers).status_code == 404


def test_office_sees_every_cycle(client, login, office_user, cycles):
    login(office_user)
    html = client.get("/cycles/").get_data(as_text=True)
    assert all(name in html for name in ("参加的周期", "未参加的周期", "草拟中的周期"))
