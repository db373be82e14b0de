"""The audit log: append-only, and readable by the office with filters."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, AuditLogIsAppendOnly
from pufa_flow.services import units


def test_rows_cannot_be_changed_or_deleted(app, office_user):
    unit = units.create_unit({"name": "区审计局", "kind": "city_department"}, actor=office_user)
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "unit.create")).one()
    assert row.object_id == unit.id and row.actor_label == office_user.label
    row.comment = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_office_reads_and_filters_the_log(client, login, office_user, make_user):
    other = make_user("office", username="office2")
    units.create_unit({"name": "区统计局", "kind": "city_department"}, actor=office_user)
    units.create_unit({"name": "区水利局", "kind": "city_department"}, actor=other)
    login(office_user)
    html = client.get("/audit/").get_data(as_text=True)
    assert "新建单位" in html and "区统计局" in html and "区水利局" in html
    mine = client.get(f"/audit/?actor_id={other.id}").get_data(as_text=True)
    assert "区水利局" in mine and "区统计局" not in mine
    by_type = client.get("/audit/?object_type=unit&date_from=2000-01-01&date_to=2999-12-31").get_data(as_text=True)
    assert "区水利局" in by_type
    bad = client.get("/audit/?date_from=not-a-date").get_data(as_text=True)
    assert "开始日期不是有效日期" in bad
    assert "区水利局" not in client.get("/audit/?date_to=2001-01-01").get_data(as_text=True)


def test_unit_users_cannot_read_the_log(client, login, make_unit, make_user):
    login(make_user("unit", make_unit()))
    assert client.get("/audit/").status_code == 403
