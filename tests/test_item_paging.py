"""Item lists page by id first (services/paging): totals with and without filters, pages in sort order,
a unit's list scoped, the page beyond the last empty."""
from __future__ import annotations

from datetime import datetime

from pufa_flow import clock
from pufa_flow.services import notices


def test_item_pages_totals_and_order(app, client, token_for, login, make_unit, make_user, office_user):
    a, b = make_unit("区司法局"), make_unit("区财政局")
    with clock.frozen(datetime(2026, 11, 2, 4, 0)):
        for unit, dues in ((a, ["2026-12-05", "2026-12-01", "2026-12-03"]), (b, ["2026-12-02", "2026-12-04"])):
            notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                   "items": [{"problem": f"问题{d}", "due_date": d} for d in dues]}, actor=office_user)
        office, unit_user = token_for(office_user), token_for(make_user("unit", unit=a))
        every = client.get("/api/v1/items?per_page=2", headers=office).get_json()
        assert every["total"] == 5 and [i["due_date"] for i in every["items"]] == ["2026-12-01", "2026-12-02"]
        second = client.get("/api/v1/items?per_page=2&page=2", headers=office).get_json()
        assert [i["due_date"] for i in second["items"]] == ["2026-12-03", "2026-12-04"]
        assert client.get("/api/v1/items?per_page=2&page=9", headers=office).get_json()["items"] == []
        newest = client.get("/api/v1/items?sort=-due&per_page=1", headers=office).get_json()
        assert newest["total"] == 5 and newest["items"][0]["due_date"] == "2026-12-05"
        mine = client.get("/api/v1/items", headers=unit_user).get_json()
        assert mine["total"] == 3 and {i["unit_id"] for i in mine["items"]} == {a.id}
        login(office_user)
        assert "共 5 条" in client.get("/items/").get_data(as_text=True)
