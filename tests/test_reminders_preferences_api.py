"""GET/PUT /api/v1/reminders/preferences: the preferences page's API twin (same service)."""
from __future__ import annotations

import sqlalchemy as sa
from reminders_support import add_contacts

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Contact, ReminderPreference


def _liaison(unit) -> Contact:
    return db.session.scalar(sa.select(Contact).where(Contact.unit_id == unit.id, Contact.role == "liaison"))


def test_preferences_api_reads_and_writes_through_the_service(client, make_unit, make_user, office_user, token_for):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    add_contacts(unit, principal=False)
    add_contacts(other, leader=False, principal=False)
    unit_h, office_h = token_for(make_user("unit", unit)), token_for(office_user)
    liaison = _liaison(unit)

    body = client.get("/api/v1/reminders/preferences", headers=unit_h).get_json()  # its own unit by default
    assert body["unit_id"] == unit.id and len(body["contacts"]) == 2
    first = next(c for c in body["contacts"] if c["contact_id"] == liaison.id)
    assert first == {"contact_id": liaison.id, "name": "王敏", "role": "liaison", "email": True, "sms": True,
                     "mode": "immediate", "mode_label": "即时发送"}

    r = client.put("/api/v1/reminders/preferences", headers=unit_h, json={
        "contacts": [{"contact_id": liaison.id, "email": True, "sms": False, "mode": "digest"}]})
    assert r.status_code == 200, r.get_json()
    saved = next(c for c in r.get_json()["contacts"] if c["contact_id"] == liaison.id)
    assert (saved["sms"], saved["mode"], saved["mode_label"]) == (False, "digest", "每日汇总")
    pref = db.session.scalar(sa.select(ReminderPreference).where(ReminderPreference.contact_id == liaison.id))
    assert (pref.email, pref.sms, pref.mode) == (True, False, "digest")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminders.preferences"))

    # the office names the unit; reads what the unit saved
    assert client.get("/api/v1/reminders/preferences", headers=office_h).status_code == 400
    got = client.get(f"/api/v1/reminders/preferences?unit_id={unit.id}", headers=office_h).get_json()
    assert next(c for c in got["contacts"] if c["contact_id"] == liaison.id)["mode"] == "digest"


def test_preferences_api_refuses_others_and_nonsense(client, make_unit, make_user, office_user, token_for):
    unit, other = make_unit("区司法局"), make_unit("区教育局")
    add_contacts(unit, principal=False)
    add_contacts(other, leader=False, principal=False)
    unit_h = token_for(make_user("unit", unit))
    theirs = _liaison(other)
    assert client.get(f"/api/v1/reminders/preferences?unit_id={other.id}", headers=unit_h).status_code == 404
    assert client.get("/api/v1/reminders/preferences?unit_id=99999999999", headers=unit_h).status_code == 400
    assert client.put("/api/v1/reminders/preferences", headers=unit_h, json={
        "unit_id": other.id, "contacts": []}).status_code == 404
    r = client.put("/api/v1/reminders/preferences", headers=unit_h, json={  # another unit's contact
        "contacts": [{"contact_id": theirs.id, "email": True, "sms": True, "mode": "immediate"}]})
    assert r.status_code == 422 and "联系人不属于该单位" in str(r.get_json())
    mine = _liaison(unit)
    r = client.put("/api/v1/reminders/preferences", headers=unit_h, json={
        "contacts": [{"contact_id": mine.id, "email": True, "sms": True, "mode": "weekly"}]})
    assert r.status_code == 422 and "发送方式不正确" in str(r.get_json())
    r = client.put("/api/v1/reminders/preferences", headers=unit_h, json={
        "contacts": [{"contact_id": mine.id, "email": "yes", "sms": True, "mode": "immediate"}]})
    assert r.status_code == 400
    r = client.put("/api/v1/reminders/preferences", headers=unit_h, json={
        "contacts": [{"contact_id": mine.id, "email": True, "sms": True, "mode": ["digest"]}]})
    assert r.status_code == 422
    assert client.get("/api/v1/reminders/preferences", headers=token_for(make_user("viewer"))).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderPreference)) == 0  # nothing half-saved
