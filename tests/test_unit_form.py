"""/units/new and /units/<id>/edit: contact rows survive an error, none is dropped silently,
and the blank rows offer one of each role (issue 7)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import Contact, Unit


def selected_roles(html: str) -> list[str]:
    selects = re.findall(r'<select name="contact_role".*?</select>', html, re.S)
    return [re.search(r'<option value="(\w+)" selected', s).group(1) for s in selects]


def form(rows, name="区司法局"):
    data = {"name": name, "kind": "city_department", "parent_id": "",
            "contact_role": [], "contact_name": [], "contact_phone": [], "contact_email": []}
    for role, person, phone, email in rows:
        data["contact_role"].append(role)
        data["contact_name"].append(person)
        data["contact_phone"].append(phone)
        data["contact_email"].append(email)
    return data


def test_the_three_blank_rows_default_to_their_own_roles(client, office_user, login):
    login(office_user)
    html = client.get("/units/new").get_data(as_text=True)
    assert selected_roles(html) == ["principal", "leader", "liaison"]


def test_a_bad_phone_or_email_keeps_every_contact_field(client, office_user, login):
    login(office_user)
    rows = [("principal", "张主任", "13800138000", "zhang@example.org"),
            ("leader", "李副局长", "12345", "li@example.org"),
            ("liaison", "王联络", "010-12345678", "not-an-email")]
    response = client.post("/units/new", data=form(rows))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for _, person, phone, email in rows:
        for value in (person, phone, email):
            assert f'value="{value}"' in html, value
    assert selected_roles(html) == ["principal", "leader", "liaison"]
    assert "联系人第2行" in html and "联系人第3行" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_a_phone_without_a_name_is_an_error_not_dropped(client, office_user, login):
    login(office_user)
    rows = [("principal", "张主任", "13800138000", ""), ("leader", "", "13900139000", ""),
            ("liaison", "", "", "")]
    response = client.post("/units/new", data=form(rows))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "联系人第2行" in html and 'value="13900139000"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_blank_rows_are_ignored_and_filled_rows_saved(client, office_user, login):
    login(office_user)
    rows = [("principal", "张主任", "13800138000", ""), ("leader", "", "", ""), ("liaison", "王联络", "", "")]
    response = client.post("/units/new", data=form(rows))
    assert response.status_code == 302
    contacts = db.session.scalars(sa.select(Contact).order_by(Contact.id)).all()
    assert [(c.role, c.name) for c in contacts] == [("principal", "张主任"), ("liaison", "王联络")]
    # editing: the contacts, then a blank row offering the role not yet given
    html = client.get(f"/units/{contacts[0].unit_id}/edit").get_data(as_text=True)
    assert selected_roles(html) == ["principal", "liaison", "leader"]
