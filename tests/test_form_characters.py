"""Refused characters typed into one of our page forms: the form again, with the field's
Chinese message, not the 400 page; invisible characters refused in titles as in names."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from helpers import new_notice
from pufa_flow.extensions import db
from pufa_flow.models import Inspection, Notice, Unit

INVISIBLE = ["\u202e", "\u200b", "\ufeff", "\u2066", "\u200d"]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def inspection_form(name: str) -> dict:
    today = date.today()
    return {"name": name, "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=5)).isoformat(),
            "bodies": "区委依法治区办"}


@pytest.mark.parametrize("path,data,message", [
    ("/units/new", {"name": "区司法\x00局", "kind": "county"}, "单位名称含有空字符（NUL）"),
    ("/users/new", {"username": "zhang", "password": "Secret123", "role": "office", "display_name": "张\x01三"},
     "姓名含有控制字符"),
    ("/inspections/new", inspection_form("2026年督查\x00"), "督查名称含有空字符（NUL）"),
])
def test_a_refused_character_in_our_form_is_a_message_on_the_form(client, login, office_user, path, data,
                                                                    message):
    login(office_user)
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert message in html
    assert "<form" in html and "请求无效" not in html
    assert count(Inspection) == 0 and count(Unit) == 0


def test_a_nul_in_a_notice_title_is_a_message_on_the_notice_form(client, login, office_user, make_unit):
    unit = make_unit("区司法局")
    login(office_user)
    due = (date.today() + timedelta(days=30)).isoformat()
    response = client.post("/notices/new", data={
        "unit_id": unit.id, "title": "整改通知\x00", "problem": "问题", "requirement": "要求",
        "category": "archives", "responsible": "", "due_date": due, "due_workdays": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html
    assert "标题含有空字符（NUL）" in html and 'name="title"' in html
    assert count(Notice) == 0


def test_forms_not_marked_as_checking_their_fields_still_get_the_400_page(client, login, office_user,
                                                                            make_unit):
    notice = new_notice(office_user, make_unit("区司法局"), n_items=1)
    login(office_user)
    response = client.post(f"/transitions/item/{notice.items[0].id}",
                           data={"trigger": "cancel", "comment": "理由\x00"})
    assert response.status_code == 400 and "空字符" in response.get_data(as_text=True)
    # the login form is not marked either, and the API answers in JSON as before
    assert client.post("/login", data={"username": "office\x00", "password": "x"}).status_code == 400


def test_a_field_name_with_a_nul_is_still_refused_on_a_marked_form(client, login, office_user):
    login(office_user)
    response = client.post("/units/new", data={"name": "区司法局", "kind": "county", "x\x00": "1"})
    assert response.status_code == 400
    assert count(Unit) == 0


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_characters_are_refused_in_titles(client, login, office_user, make_unit, token_for, char):
    unit = make_unit("区司法局")
    login(office_user)
    response = client.post("/inspections/new", data=inspection_form(f"2026年{char}督查"))
    assert response.status_code == 422 and "督查名称含有不可见或改变文字方向的字符" in response.get_data(as_text=True)
    due = (date.today() + timedelta(days=30)).isoformat()
    body = {"unit_id": unit.id, "title": f"关于{char}整改的通知",
            "items": [{"problem": "问题", "requirement": "要求", "category": "archives", "due_date": due}]}
    response = client.post("/api/v1/notices", json=body, headers=token_for(office_user))
    assert response.status_code == 422, response.get_json()
    assert "不可见或改变文字方向" in response.get_json()["error"]["details"]["fields"]["title"]
    assert count(Inspection) == 0 and count(Notice) == 0


def test_titles_keep_their_punctuation(client, login, office_user):
    login(office_user)
    response = client.post("/inspections/new", data=inspection_form("关于“法治政府”建设的督查（2026）"))
    assert response.status_code == 302
    assert count(Inspection) == 1
