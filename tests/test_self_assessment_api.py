"""The unit's 自评 over the API: framework, score sheet, problems, case, report, submit, refusals."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from helpers import assign, new_cycle

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, FrameworkVersion, SelfAssessment, UnitAssessment
from pufa_flow.services import workflow

# 2026-10-20 10:00 Shanghai: inside the 自评 phase of helpers.PHASE_DATES (due 2026-11-05)
IN_PHASE = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)
AFTER_DUE = datetime(2026, 11, 6, 2, 0, tzinfo=timezone.utc)
LONG = "我局在普法工作中存在宣传形式单一、覆盖面不广的问题，" * 10  # 270 characters


@pytest.fixture
def frozen_clock():
    with clock.frozen(IN_PHASE):
        yield


@pytest.fixture
def world(frozen_clock, make_unit, make_user, office_user, token_for):
    dept = make_unit("区司法局", has_enforcement_power=False)
    other = make_unit("区财政局")
    county = make_unit("新建区", kind="county")
    cycle = new_cycle(office_user, [dept, other, county])
    workflow.fire(cycle, "start", actor=office_user)
    users = {"dept": make_user("unit", dept), "other": make_user("unit", other), "county": make_user("unit", county)}
    by_unit = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment))}
    return {"cycle": cycle, "office": office_user, "units": {"dept": dept, "other": other, "county": county},
            "a": {k: by_unit[u.id] for k, u in (("dept", dept), ("other", other), ("county", county))},
            "h": {k: token_for(u) for k, u in users.items()} | {"office": token_for(office_user)},
            "users": users}


def url(world, who, tail):
    return f"/api/v1/assessments/{world['a'][who].id}/{tail}"


def test_cycle_framework_lists_categories_indicators_and_rules_as_written(client, world):
    r = client.get(f"/api/v1/cycles/{world['cycle'].id}/framework", headers=world["h"]["dept"])
    assert r.status_code == 200
    fw = r.json
    assert [(c["name"], c["max_points"]) for c in fw["categories"]] == [
        ("组织领导保障", "25"), ("系统内普法", "25"), ("面向社会普法", "35"), ("创新普法工作方式方法", "15"), ("加分项", "15")]
    ind3 = fw["categories"][0]["indicators"][2]
    assert ind3["number"] == 3 and ind3["max_points"] == "10" and ind3["is_bonus"] is False
    assert ind3["rules"][0] == {"id": "n23-03-a", "text": "未制定普法工作计划的，扣4分", "kind": "fixed", "points": "4",
                                "per_unit": None, "cap": None, "requires_enforcement_power": False, "tiers": [],
                                "applicable": True}
    rule10b = fw["categories"][2]["indicators"][1]["rules"][1]
    assert rule10b["id"] == "n23-10-b" and rule10b["applicable"] is False  # 区司法局 here has no 执法权限
    assert fw["frozen"] is True and "已启动" in fw["frozen_reason"]
    county = client.get(f"/api/v1/cycles/{world['cycle'].id}/framework", headers=world["h"]["county"]).json
    assert county["kind"] == "checklist" and len(county["items"]) == 40


def test_put_self_score_returns_computed_sheet_and_get_reads_it_back(client, world):
    body = {"entries": [{"rule_id": "n23-03-a", "note": "计划未印发"},
                        {"rule_id": "n23-04-a", "count": 2, "note": "全年报送3条"},
                        {"rule_id": "n23-16-a", "tier": "provincial"}]}
    r = client.put(url(world, "dept", "self-score"), json=body, headers=world["h"]["dept"])
    assert r.status_code == 200, r.json
    cats = {c["key"]: c for c in r.json["categories"]}
    assert cats["organisation"]["score"] == "19"  # 25 - 4 - 2
    assert cats["organisation"]["indicators"][2]["score"] == "6"
    assert r.json["bonus"]["score"] == "3" and r.json["total"] == "97"  # 94 + 3
    again = client.get(url(world, "dept", "self-score"), headers=world["h"]["office"]).json
    assert again["total"] == "97" and again["saved"] is True and len(again["entries"]) == 3


@pytest.mark.parametrize("body, field, words", [
    ({"entries": [{"rule_id": "n23-10-b"}]}, "entries.0", "无司法、执法权限"),  # rule does not apply
    ({"entries": [{"rule_id": "n23-04-a", "count": -1}]}, "entries.0", "负数"),
    ({"entries": [{"rule_id": "n23-04-a", "count": "2"}]}, "entries.0", "整数"),
    ({"entries": [{"rule_id": "n23-99-z"}]}, "entries.0", "没有编号"),
    ({"entries": [{"rule_id": "n23-03-a", "score": 6}]}, "entries.0", "不能直接填写"),
    ({"entries": [], "total": 100}, "total", "不能直接填写"),
    ({"entries": [{"rule_id": "n23-03-a", "count": 1}]}, "entries.0", "不按数量"),
    ({"entries": [{"rule_id": "n23-16-a"}]}, "entries.0", "级别"),
    ({"entries": "all"}, "entries", "列表"),
])
def test_bad_score_sheets_are_refused_whole(client, world, body, field, words):
    h = world["h"]["dept"]
    assert client.put(url(world, "dept", "self-score"), json={"entries": [{"rule_id": "n23-05-a"}]},
                      headers=h).status_code == 200
    r = client.put(url(world, "dept", "self-score"), json=body, headers=h)
    assert r.status_code == 422
    assert words in r.json["error"]["details"]["fields"][field]
    saved = client.get(url(world, "dept", "self-score"), headers=h).json
    assert [e["rule_id"] for e in saved["entries"]] == ["n23-05-a"]  # nothing half-saved


def test_count_beyond_the_indicator_is_capped_and_shown_capped(client, world):
    r = client.put(url(world, "dept", "self-score"), json={"entries": [
        {"rule_id": "n23-11-a", "count": 5}]}, headers=world["h"]["dept"])
    ind11 = r.json["categories"][2]["indicators"][2]
    assert ind11["number"] == 11 and ind11["score"] == "0" and ind11["raw"] == "8"
    r = client.put(url(world, "dept", "self-score"), json={"entries": [
        {"rule_id": "n23-03-a"}, {"rule_id": "n23-03-b"}, {"rule_id": "n23-03-c"}]}, headers=world["h"]["dept"])
    assert r.json["categories"][0]["indicators"][2]["score"] == "0"


def test_bonus_over_15_is_capped(client, world):
    r = client.put(url(world, "dept", "self-score"), json={"entries": [
        {"rule_id": "n23-16-a", "tier": "national"}, {"rule_id": "n23-17-a"},
        {"rule_id": "n23-18-a", "tier": "national", "count": 2}]}, headers=world["h"]["dept"])
    assert r.json["bonus"] == {**r.json["bonus"], "raw": "20", "score": "15", "capped": True}
    assert r.json["total"] == "115"


def test_another_units_sheet_is_404_and_office_cannot_write(client, world):
    assert client.get(url(world, "other", "self-score"), headers=world["h"]["dept"]).status_code == 404
    assert client.put(url(world, "other", "self-score"), json={"entries": []},
                      headers=world["h"]["dept"]).status_code == 404
    assert client.put(url(world, "dept", "self-score"), json={"entries": []},
                      headers=world["h"]["office"]).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SelfAssessment)) == 0


def test_evaluator_reads_only_assigned_units(client, world, make_user, token_for):
    evaluator = make_user("evaluator")
    assign(evaluator, world["cycle"], [world["units"]["dept"]])
    h = token_for(evaluator)
    assert client.get(url(world, "dept", "self-score"), headers=h).status_code == 200
    assert client.get(url(world, "other", "self-score"), headers=h).status_code == 404
    assert client.put(url(world, "dept", "self-score"), json={"entries": []}, headers=h).status_code == 403


def _fill(client, world, who="dept"):
    h = world["h"][who]
    assert client.put(url(world, who, "self-score"), json={"entries": [{"rule_id": "n23-03-c"}]},
                      headers=h).status_code == 200
    assert client.put(url(world, who, "report"), json={"text": "一、基本情况……"}, headers=h).status_code == 200
    r = client.put(url(world, who, "problems"), json={"problems": [{"title": "普法形式单一", "body": LONG}]},
                   headers=h)
    assert r.status_code == 200
    return r


def test_problem_list_warns_but_saves(client, world):
    r = _fill(client, world)
    assert r.json["title"] == "区司法局“八五”普法规划中期评估问题清单"
    assert r.json["warnings"] == ["问题清单只有1个问题，建议列出3—8个"]
    r = client.put(url(world, "dept", "problems"), json={"problems": [{"title": "短", "body": "太短"}] * 9},
                   headers=world["h"]["dept"])
    assert r.status_code == 200 and "建议不超过8个" in r.json["warnings"][0]
    assert any("第1个问题的内容为2字" in w for w in r.json["warnings"])


def test_submit_refuses_with_what_is_missing_then_succeeds_with_computed_score(client, world):
    h = world["h"]["dept"]
    r = client.post(url(world, "dept", "submit"), json={}, headers=h)
    assert r.status_code == 422 and r.json["error"]["message"].startswith("还缺：自测得分表、自评报告、问题清单")
    _fill(client, world)
    r = client.post(url(world, "dept", "submit"), json={}, headers=h)
    assert r.status_code == 200 and r.json["status"] == "submitted" and r.json["self_score"] == "98.00"
    # editing after submission
    r = client.put(url(world, "dept", "self-score"), json={"entries": []}, headers=h)
    assert r.status_code == 409 and "不能再修改" in r.json["error"]["message"]


def test_typed_score_on_the_transition_is_refused(client, world):
    _fill(client, world)
    r = client.post(url(world, "dept", "transitions"), json={"trigger": "submit", "self_score": 100},
                    headers=world["h"]["dept"])
    assert r.status_code == 422 and "系统" in r.json["error"]["details"]["fields"]["self_score"]
    assert db.session.get(UnitAssessment, world["a"]["dept"].id).status == "pending"


def test_submit_after_deadline_refused_unless_extended(client, world):
    _fill(client, world)
    h = world["h"]["dept"]
    with clock.frozen(AFTER_DUE):
        r = client.post(url(world, "dept", "submit"), json={}, headers=h)
        assert r.status_code == 409 and "2026年11月5日" in r.json["error"]["message"]
        r = client.post(url(world, "dept", "extension"), json={"new_due_date": "2026-11-12", "reason": ""},
                        headers=world["h"]["office"])
        assert r.status_code == 422 and "reason" in r.json["error"]["details"]["fields"]
        r = client.post(url(world, "dept", "extension"), json={"new_due_date": "2026-11-12",
                                                               "reason": "单位主要负责人调整"},
                        headers=world["h"]["office"])
        assert r.status_code == 200 and r.json["due_on"] == "2026-11-12"
        assert client.post(url(world, "dept", "extension"), json={"new_due_date": "2026-11-12", "reason": "x"},
                           headers=h).status_code == 403
        r = client.post(url(world, "dept", "submit"), json={}, headers=h)
        assert r.status_code == 200 and r.json["status"] == "submitted"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "assessment.extend")).one()
    assert event.comment == "单位主要负责人调整" and event.data == {"from": "2026-11-05", "to": "2026-11-12"}


def test_report_file_of_forbidden_type_refused(client, world):
    h = world["h"]["dept"]
    r = client.post(url(world, "dept", "report/file"), headers=h,
                    data={"file": (io.BytesIO(b"MZ\x90\x00"), "报告.exe")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Word" in r.json["error"]["message"]
    r = client.post(url(world, "dept", "report/file"), headers=h,
                    data={"file": (io.BytesIO(b"not a pdf"), "报告.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422
    r = client.post(url(world, "dept", "report/file"), headers=h,
                    data={"file": (io.BytesIO(b"%PDF-1.4 test"), "自评报告.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201 and r.json["name"] == "自评报告.pdf"
    assert client.get(url(world, "dept", "report"), headers=h).json["files"][0]["name"] == "自评报告.pdf"


def test_county_needs_checklist_and_case(client, world):
    h = world["h"]["county"]
    r = client.post(url(world, "county", "submit"), json={}, headers=h)
    assert "重点内容自查表" in r.json["error"]["message"] and "典型创新案例" in r.json["error"]["message"]
    entries = [{"item": n, "answer": "完成" if n % 2 else "partial", "note": ""} for n in range(1, 41)]
    r = client.put(url(world, "county", "self-score"), json={"entries": entries}, headers=h)
    assert r.status_code == 200 and r.json["answers"] == {"done": 20, "partial": 20, "not_done": 0}
    assert r.json["total"] is None
    bad = client.put(url(world, "county", "self-score"), json={"entries": [{"item": 41, "answer": "done"}]},
                     headers=h)
    assert bad.status_code == 422
    r = client.put(url(world, "county", "cases"), headers=h, json={"cases": [{
        "title": "新建区“法治夜市”让普法走进烟火气里的创新实践探索与思考启示", "background": "背景" * 300,
        "practice": "做法" * 1300, "lessons": "启示" * 300}]})
    assert r.status_code == 200
    checks = {c["check"]: c["ok"] for c in r.json["checks"][0]}
    assert checks == {"title": False, "parts": True, "practice": True, "total": True}
    client.put(url(world, "county", "report"), json={"text": "自评报告"}, headers=h)
    client.put(url(world, "county", "problems"), json={"problems": [{"title": "问题", "body": LONG}]}, headers=h)
    r = client.post(url(world, "county", "submit"), json={}, headers=h)
    assert r.status_code == 200 and r.json["self_score"] is None


def test_frozen_framework_refuses_edits_and_copy_is_editable(client, world):
    h = world["h"]["office"]
    row = world["cycle"].framework_for("city_department")
    fw = client.get(f"/api/v1/cycles/{world['cycle'].id}/framework", headers=h).json
    r = client.put(f"/api/v1/frameworks/{row.id}", json=fw, headers=h)
    assert r.status_code == 409 and "已启动" in r.json["error"]["message"]
    library = client.get("/api/v1/frameworks", headers=h).json["items"]
    source = next(f for f in library if f["id"] == "nanchang-2023")
    assert source["frozen"] is True  # a started cycle uses it
    copy = client.post(f"/api/v1/frameworks/{source['db_id']}/copy", json={"version": "2027"}, headers=h)
    assert copy.status_code == 201 and copy.json["frozen"] is False
    edited = copy.json
    edited["categories"][0]["indicators"][2]["rules"][0]["text"] = "未制定年度普法工作计划的，扣4分"
    r = client.put(f"/api/v1/frameworks/{edited['db_id']}", json=edited, headers=h)
    assert r.status_code == 200
    edited["categories"][0]["max_points"] = "30"  # no longer adds up to 100
    r = client.put(f"/api/v1/frameworks/{edited['db_id']}", json=edited, headers=h)
    assert r.status_code == 422
    assert db.session.get(FrameworkVersion, edited["db_id"]).definition["categories"][0]["max_points"] == "25"


def test_cycle_api_edit_add_units_and_templates(client, world, make_unit, office_user):
    h = world["h"]["office"]
    r = client.get("/api/v1/cycle-templates?year=2027", headers=h)
    assert r.status_code == 200
    assert r.json["items"][0]["phases"]["self_assessment"] == {"start": "2027-10-18", "due": "2027-11-05"}
    assert client.get("/api/v1/cycle-templates?year=abc", headers=h).status_code == 400
    cid = world["cycle"].id
    r = client.patch(f"/api/v1/cycles/{cid}", json={"name": "2026年度考评（修订）", "phases": {
        "self_assessment": {"start": "2026-10-15", "due": "2026-11-10"}}}, headers=h)
    assert r.status_code == 200 and r.json["name"] == "2026年度考评（修订）"
    assert client.patch(f"/api/v1/cycles/{cid}", json={"name": "x", "year": 2030}, headers=h).status_code == 422
    assert client.patch(f"/api/v1/cycles/{cid}", json={"name": "x"}, headers=world["h"]["dept"]).status_code == 403
    # started: no more units; a draft takes them
    unit = make_unit("区审计局")
    r = client.post(f"/api/v1/cycles/{cid}/units", json={"unit_ids": [unit.id]}, headers=h)
    assert r.status_code == 409
    r = client.post("/api/v1/cycles", json={"name": "草拟周期", "year": 2027, "template": "nanchang-003"}, headers=h)
    assert r.status_code == 201 and r.json["phases"][0]["start"] == "2027-10-18"
    r = client.post(f"/api/v1/cycles/{r.json['id']}/units", json={"unit_ids": [unit.id, unit.id]}, headers=h)
    assert r.status_code == 422
