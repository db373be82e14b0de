"""The unit and user forms of the web UI, posted as a browser posts them.

Create and edit succeed through the services (with their audit rows); every
refusal answers 422 with the Chinese reason on the page and writes nothing;
only the office may post them.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Contact, Unit, User


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def error_flashes(html: str) -> str:
    """The text of the page's error messages (a label on the form would not count)."""
    return " ".join(re.findall(r'<div class="flash flash-error" role="alert">([^<]*)</div>', html))


def unit_form(**overrides) -> dict:
    data = {"name": "区司法局", "kind": "city_department", "parent_id": "", "has_enforcement_power": "y",
            "contact_role": ["principal", "liaison"], "contact_name": ["张三", "王敏"],
            "contact_phone": ["13800138000", "0791-83986751"], "contact_email": ["", "wangmin@example.cn"]}
    data.update(overrides)
    return data


@pytest.fixture
def office(client, login, office_user):
    login(office_user)
    return office_user


# -- units ---------------------------------------------------------------------------------
def test_creating_a_unit_with_its_contacts(client, office):
    response = client.post("/units/new", data=unit_form())
    assert response.status_code == 302
    unit = db.session.scalars(sa.select(Unit).where(Unit.name == "区司法局")).one()
    assert response.headers["Location"] == f"/units/{unit.id}"
    assert unit.kind == "city_department" and unit.has_enforcement_power and unit.parent_id is None
    assert sorted((c.role, c.name, c.phone, c.email or "") for c in unit.contacts) == [
        ("liaison", "王敏", "0791-83986751", "wangmin@example.cn"), ("principal", "张三", "13800138000", "")]
    assert count(AuditEvent, AuditEvent.action == "unit.create", AuditEvent.object_id == unit.id) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已保存：区司法局" in page and "王敏" in page


def test_editing_a_unit_changes_it_and_its_contacts(client, office, make_unit):
    parent, unit = make_unit("某某县", kind="county"), make_unit("县司法局")
    db.session.add(Contact(unit_id=unit.id, role="liaison", name="旧联络员", phone="13900139000"))
    db.session.commit()
    assert "旧联络员" in client.get(f"/units/{unit.id}/edit").get_data(as_text=True)
    response = client.post(f"/units/{unit.id}/edit", data=unit_form(
        name="某某县司法局", parent_id=str(parent.id), has_enforcement_power="",
        contact_role=["liaison"], contact_name=["新联络员"], contact_phone=["13700137000"], contact_email=[""]))
    assert response.status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, unit.id)
    assert (unit.name, unit.parent_id, unit.has_enforcement_power) == ("某某县司法局", parent.id, False)
    assert [(c.name, c.phone) for c in unit.contacts] == [("新联络员", "13700137000")]
    assert count(AuditEvent, AuditEvent.action == "unit.update", AuditEvent.object_id == unit.id) == 1


@pytest.mark.parametrize("overrides, message", [
    ({"name": ""}, "单位名称"),
    ({"name": "<script>alert(1)</script>"}, "单位名称"),
    ({"kind": "planet"}, "单位类别"),
    ({"parent_id": "99999"}, "上级单位不存在：99999"),
    ({"contact_phone": ["13800138000", "不是电话"]}, "电话"),
    ({"contact_email": ["", "not-an-email"]}, "邮箱"),
])
def test_a_refused_unit_form_says_why_and_writes_nothing(client, office, overrides, message):
    before = (count(Unit), count(Contact), count(AuditEvent))
    response = client.post("/units/new", data=unit_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in error_flashes(html), error_flashes(html)
    assert (count(Unit), count(Contact), count(AuditEvent)) == before


def test_a_duplicate_name_and_a_parent_loop_are_refused(client, office, make_unit):
    top = make_unit("某某县", kind="county")
    child = make_unit("城关镇", kind="town", parent_id=top.id)
    before = (count(Unit), count(AuditEvent))
    r = client.post("/units/new", data=unit_form(name="城关镇", kind="town", parent_id=str(top.id)))
    assert r.status_code == 422 and "已有名为“城关镇”的单位" in error_flashes(r.get_data(as_text=True))
    r = client.post(f"/units/{top.id}/edit", data=unit_form(name="某某县", kind="county", parent_id=str(child.id)))
    assert r.status_code == 422
    assert "上级单位不能是本单位或其下级单位" in error_flashes(r.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Unit, top.id).parent_id is None
    assert (count(Unit), count(AuditEvent)) == before


def test_only_the_office_posts_unit_forms(client, login, make_unit, make_user):
    unit = make_unit("区司法局")
    login(make_user("unit", unit))
    assert client.post("/units/new", data=unit_form(name="新单位")).status_code == 403
    assert client.post(f"/units/{unit.id}/edit", data=unit_form(name="改名")).status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, unit.id).name == "区司法局" and count(Unit) == 1


# -- users --------------------------------------------------------------------------------
def user_form(**overrides) -> dict:
    data = {"username": "liaison01", "display_name": "王敏", "password": "Passw0rd123", "role": "unit",
            "unit_id": ""}
    data.update(overrides)
    return data


def test_creating_a_unit_user(client, office, make_unit):
    unit = make_unit("区司法局")
    response = client.post("/users/new", data=user_form(unit_id=str(unit.id)))
    assert response.status_code == 302 and response.headers["Location"] == "/users/"
    user = db.session.scalars(sa.select(User).where(User.username == "liaison01")).one()
    assert (user.role, user.unit_id, user.display_name) == ("unit", unit.id, "王敏")
    assert user.check_password("Passw0rd123") and user.password_hash != "Passw0rd123"
    assert count(AuditEvent, AuditEvent.action == "user.create", AuditEvent.object_id == user.id) == 1
    assert "已创建用户：liaison01" in client.get("/users/").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"unit_id": ""}, "责任单位用户必须指定所属单位"),
    ({"role": "office", "unit_id": "UNIT"}, "只有责任单位用户才能指定所属单位"),
    ({"unit_id": "99999"}, "所属单位"),
    ({"username": "office"}, "用户名已被使用：office"),
    ({"username": "bad name!", "unit_id": "UNIT"}, "用户名只能包含"),
    ({"password": "short1", "unit_id": "UNIT"}, "密码至少"),
    ({"password": "onlyletterspassword", "unit_id": "UNIT"}, "密码需同时包含字母和数字"),
    ({"role": "emperor", "unit_id": "UNIT"}, "角色"),
    ({"role": "unit", "unit_id": "abc"}, "所属单位"),
])
def test_a_refused_user_form_says_why_and_writes_nothing(client, office, make_unit, overrides, message):
    unit = make_unit("区司法局")
    overrides = {k: (str(unit.id) if v == "UNIT" else v) for k, v in overrides.items()}
    before = (count(User), count(AuditEvent))
    response = client.post("/users/new", data=user_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in error_flashes(html), error_flashes(html)
    assert (count(User), count(AuditEvent)) == before


def test_only_the_office_posts_the_user_form(client, login, make_user):
    login(make_user("viewer"))
    before = count(User)
    assert client.post("/users/new", data=user_form(role="office")).status_code == 403
    assert count(User) == before
