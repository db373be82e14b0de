"""The filing record in the 自测得分表: pre-selected, changed only with a note, seen by the panel."""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from tests.helpers import IN_SELF_ASSESSMENT, assign, new_cycle

from pufa_flow import clock
from pufa_flow.errors import ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, UnitAssessment
from pufa_flow.services import filings, record_suggestions, self_assessment, workflow

PDF = b"%PDF-1.4 x"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2)


def _file(ft, user, day, **data):
    with clock.frozen(at(day)):
        return filings.file_filing(ft.id, data, actor=user, files=[(PDF, "材料.pdf")])


@pytest.fixture
def scored(make_unit, make_user, office_user):
    """区司法局 filed its plan 2 working days late, its list on time, 3 工作信息 of 5; the cycle is in 自评."""
    unit = make_unit("区司法局", has_enforcement_power=True)
    user = make_user("unit", unit=unit)
    with clock.frozen(at(date(2026, 1, 5))):
        types = {ft.code: ft for ft in filings.install_defaults(2026, actor=office_user)}
    plan = _file(types["plan"], user, date(2026, 4, 2))
    _file(types["duty_list"], user, date(2026, 3, 20), url="https://www.example.gov.cn/qingdan")
    with clock.frozen(at(date(2026, 3, 2))):
        filings.file_filing(types["contacts"].id, {"people": [{"role": "liaison", "name": "李联络"}]}, actor=user)
    for i in range(3):
        _file(types["info"], user, date(2026, 5, 10), title=f"信息{i}", item_date="2026-05-08")
    with clock.frozen(IN_SELF_ASSESSMENT):
        cycle = new_cycle(office_user, [unit])
        workflow.fire(cycle, "start", actor=office_user)
    db.session.commit()
    a = db.session.scalars(sa.select(UnitAssessment)).one()
    return a, user, plan, cycle, office_user


def _save(a, user, entries, notes=None):
    body = {"entries": entries}
    if notes is not None:
        body["record_notes"] = notes
    with clock.frozen(IN_SELF_ASSESSMENT):
        return self_assessment.save_entries(a, body, actor=user)


def test_a_sheet_never_saved_starts_from_the_record(scored):
    a, user, plan, *_ = scored
    with clock.frozen(IN_SELF_ASSESSMENT):
        out = self_assessment.self_score_json(a)
    pre = {e["rule_id"]: e for e in out["preselected"]}
    assert set(pre) == {"n23-03-c", "n23-04-a"} and pre["n23-04-a"]["count"] == 2
    record = {r["rule_id"]: r for r in out["record"]}
    late = record["n23-03-c"]
    assert late["rule_text"].startswith("未及时报备的，扣2分") and late["suggested_count"] == 1
    assert "逾期 2 个工作日" in late["evidence"] and late["links"][0]["url"] == f"/filings/{plan.id}"
    assert late["chosen_count"] == 1 and late["changed"] is False and late["note"] is None
    assert record["n23-04-a"]["suggested_count"] == 2 and "报送工作信息 3 条" in record["n23-04-a"]["evidence"]


def test_saving_the_suggestions_as_they_are_needs_no_note(scored):
    a, user, *_ = scored
    with clock.frozen(IN_SELF_ASSESSMENT):
        entries = record_suggestions.preselected(a)
    ws = _save(a, user, entries)
    assert ws.record_choices == [
        {"rule_id": "n23-03-c", "suggested": 1, "chosen": 1, "note": None},
        {"rule_id": "n23-04-a", "suggested": 2, "chosen": 2, "note": None}]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "self_assessment.record_override")) == 0


def test_leaving_out_a_suggested_rule_is_refused_without_a_note_and_nothing_is_saved(scored):
    a, user, *_ = scored
    with pytest.raises(ValidationFailed) as refused:
        _save(a, user, [{"rule_id": "n23-04-a", "count": 1}])
    assert set(refused.value.fields) == {"record_notes.n23-03-c", "record_notes.n23-04-a"}
    assert "报备记录显示应扣分" in refused.value.fields["record_notes.n23-03-c"]
    assert "数量改为1须填写说明" in refused.value.fields["record_notes.n23-04-a"]
    db.session.expire_all()
    assert a.workspace is None


def test_a_change_with_a_note_is_stored_audited_and_shown(scored):
    a, user, *_ = scored
    _save(a, user, [{"rule_id": "n23-04-a", "count": 2}],
          {"n23-03-c": "计划于3月30日已通过OA报送，系统补录晚于时限"})
    db.session.expire_all()
    ws = a.workspace
    assert ws.record_choices[0] == {"rule_id": "n23-03-c", "suggested": 1, "chosen": 0,
                                    "note": "计划于3月30日已通过OA报送，系统补录晚于时限"}
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "self_assessment.record_override")).one()
    assert event.data["rule_id"] == "n23-03-c" and event.data["chosen"] == 0 and "OA" in event.data["note"]
    with clock.frozen(IN_SELF_ASSESSMENT):
        lines = {line.rule_id: line for line in record_suggestions.lines(a)}
    assert lines["n23-03-c"].changed and lines["n23-03-c"].note.startswith("计划于3月30日")
    assert not lines["n23-04-a"].changed and lines["n23-04-a"].note is None
    # saved again with the same choice: the stored note still stands
    _save(a, user, [{"rule_id": "n23-04-a", "count": 2}, {"rule_id": "n23-05-a"}])
    # a different change needs its own note
    with pytest.raises(ValidationFailed):
        _save(a, user, [{"rule_id": "n23-03-c"}, {"rule_id": "n23-04-a", "count": 1}])


def test_a_bad_note_is_refused(scored):
    a, user, *_ = scored
    with pytest.raises(ValidationFailed) as refused:
        _save(a, user, [], {"n23-03-c": "x" * 2001, "no-such-rule": "x"})
    assert set(refused.value.fields) == {"record_notes.n23-03-c", "record_notes.no-such-rule"}


def test_the_panel_sheet_shows_the_suggestion_beside_the_units_choice(scored, app, make_user, login, client):
    a, user, plan, cycle, office = scored
    _save(a, user, [{"rule_id": "n23-04-a", "count": 2}], {"n23-03-c": "已通过OA按时报送"})
    with clock.frozen(IN_SELF_ASSESSMENT):
        fill = self_assessment.save_report_text(a, "自评报告", actor=user)
        self_assessment.save_problems(a, {"problems": [{"title": "问题", "body": "内容"}]}, actor=user)
        self_assessment.submit(a, actor=user)
        workflow.fire(a, "accept", actor=office)
        workflow.fire(cycle, "begin_field_research", actor=office)
    assert fill is not None
    member = make_user("panel", username="p1")
    assign(member, cycle, [a.unit])
    login(member)
    with clock.frozen(IN_SELF_ASSESSMENT):
        page = client.get(f"/worklist/assessments/{a.id}/score").get_data(as_text=True)
    assert "报备记录建议" in page
    assert "已通过OA按时报送" in page and f'href="/filings/{plan.id}"' in page
    assert "单位未选（说明：已通过OA按时报送）" in page


# -- the unit's page ------------------------------------------------------------------
def _form(page: str, **overrides) -> dict:
    import re

    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1), "ws_version": "0"}
    data.update(overrides)
    return data


def test_the_page_opens_with_the_record_preselected_and_refuses_a_change_without_a_note(scored, login, client):
    a, user, plan, *_ = scored
    login(user)
    with clock.frozen(IN_SELF_ASSESSMENT):
        page = client.get(f"/cycles/assessments/{a.id}").get_data(as_text=True)
    assert "已按本单位2026年度报备记录预选 2 项扣分" in page
    assert 'name="use_n23-03-c" value="1" checked' in page
    assert 'name="use_n23-04-a" value="1" checked' in page and 'name="count_n23-04-a" min="0" max="1000" step="1" value="2"' in page
    assert 'name="use_n23-03-a" value="1" checked' not in page
    assert "逾期 2 个工作日" in page and f'href="/filings/{plan.id}"' in page
    # untick the late filing without a note: refused beside the rule, nothing saved
    with clock.frozen(IN_SELF_ASSESSMENT):
        refused = client.post(f"/cycles/assessments/{a.id}/sheet",
                              data=_form(page, **{"use_n23-04-a": "1", "count_n23-04-a": "2"}))
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "报备记录显示应扣分" in body and "未选择须填写说明" in body
    db.session.expire_all()
    assert a.workspace is None
    # with the note it is saved; the page then shows the unit's choice
    with clock.frozen(IN_SELF_ASSESSMENT):
        saved = client.post(f"/cycles/assessments/{a.id}/sheet", data=_form(
            page, **{"use_n23-04-a": "1", "count_n23-04-a": "2", "record_note_n23-03-c": "已通过OA按时报送"}))
        assert saved.status_code == 302
        again = client.get(f"/cycles/assessments/{a.id}").get_data(as_text=True)
    db.session.expire_all()
    assert a.workspace.record_choices[0]["note"] == "已通过OA按时报送"
    assert 'name="use_n23-03-c" value="1" checked' not in again and 'value="已通过OA按时报送"' in again
    assert "已按本单位2026年度报备记录预选" not in again


# -- the API ----------------------------------------------------------------------------
def test_the_api_reports_the_suggestion_and_takes_the_note(scored, client, token_for):
    a, user, plan, *_ = scored
    h = token_for(user)
    url = f"/api/v1/assessments/{a.id}/self-score"
    with clock.frozen(IN_SELF_ASSESSMENT):
        fresh = client.get(url, headers=h).json
        assert [e["rule_id"] for e in fresh["preselected"]] == ["n23-03-c", "n23-04-a"]
        refused = client.put(url, json={"entries": [{"rule_id": "n23-04-a", "count": 2}]}, headers=h)
        assert refused.status_code == 422 and "record_notes.n23-03-c" in refused.json["error"]["details"]["fields"]
        saved = client.put(url, json={"entries": [{"rule_id": "n23-04-a", "count": 2}],
                                      "record_notes": {"n23-03-c": "已按时报送纸质件"}}, headers=h)
    assert saved.status_code == 200, saved.json
    late = next(r for r in saved.json["record"] if r["rule_id"] == "n23-03-c")
    assert late == {"rule_id": "n23-03-c", "rule_text": late["rule_text"], "suggested_count": 1, "chosen_count": 0,
                    "changed": True, "note": "已按时报送纸质件", "evidence": late["evidence"],
                    "links": [{"label": "年度普法工作计划（已报送）", "url": f"/filings/{plan.id}"}]}
    assert saved.json["preselected"] == []
