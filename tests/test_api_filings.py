"""/api/v1 filings: the office's types, a unit filing through JSON, the board, and every bad input refused."""
from __future__ import annotations

import base64
import io
from datetime import datetime

import openpyxl
import pytest

from pufa_flow import clock

PDF = base64.b64encode(b"%PDF-1.4 plan").decode()


@pytest.fixture
def api(app, make_unit, make_user, office_user, token_for):
    unit, other, town = make_unit("区司法局"), make_unit("区教育局"), make_unit("某镇", kind="town")
    client = app.test_client()
    office = token_for(office_user)
    with clock.frozen(datetime(2026, 1, 5, 2)):
        r = client.post("/api/v1/filing-types/defaults", json={"year": 2026}, headers=office)
    assert r.status_code == 201, r.get_json()
    types = {t["code"]: t for t in r.get_json()["items"]}
    return {"client": client, "office": office, "unit": unit, "other": other, "town": town, "types": types,
            "me": token_for(make_user("unit", unit=unit)), "them": token_for(make_user("unit", unit=other))}


def _file(api, who="me", **body):
    body.setdefault("files", [{"filename": "计划.pdf", "content_base64": PDF}])
    return api["client"].post("/api/v1/filings", json=body, headers=api[who])


def test_types_listed_and_defined(api):
    c = api["client"]
    items = c.get("/api/v1/filing-types?year=2026", headers=api["me"]).get_json()["items"]
    assert [t["name"] for t in items][:2] == ["年度普法工作计划", "普法责任清单"]
    assert items[0]["due_date"] == "2026-03-31" and items[-1]["target"] == 5
    r = c.post("/api/v1/filing-types", json={"year": 2026, "name": "乡镇专项", "due_date": "2026-06-30",
                                             "unit_ids": [api["town"].id]}, headers=api["office"])
    assert r.status_code == 201 and r.get_json()["unit_ids"] == [api["town"].id]
    hidden = c.get("/api/v1/filing-types?year=2026", headers=api["me"]).get_json()["items"][-1]
    assert hidden["unit_ids"] == []  # a unit is not told which other units were named
    r = c.patch(f"/api/v1/filing-types/{r.get_json()['id']}", json={"due_date": "2026-07-15"}, headers=api["office"])
    assert r.status_code == 200 and r.get_json()["due_date"] == "2026-07-15"
    assert c.post("/api/v1/filing-types", json={"year": 2026, "name": "x", "due_date": "2026-06-30"},
                  headers=api["me"]).status_code == 403


def test_file_return_refile_receive_and_the_board(api):
    c, plan = api["client"], api["types"]["plan"]
    with clock.frozen(datetime(2026, 4, 1, 2)):
        r = _file(api, filing_type_id=plan["id"], note="计划")
    assert r.status_code == 201, r.get_json()
    f = r.get_json()
    assert (f["status"], f["late_workdays"], f["is_late"], f["files"][0]["name"]) == ("submitted", 1, True, "计划.pdf")
    r = c.post(f"/api/v1/filings/{f['id']}/transitions", json={"trigger": "return_for_revision"}, headers=api["office"])
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "transition_refused"
    r = c.post(f"/api/v1/filings/{f['id']}/transitions",
               json={"trigger": "return_for_revision", "comment": "缺少责任分工"}, headers=api["office"])
    assert r.get_json()["status"] == "returned" and r.get_json()["return_reason"] == "缺少责任分工"
    r = _file(api, filing_type_id=plan["id"], note="修改稿")
    assert r.status_code == 201 and r.get_json()["id"] == f["id"] and len(r.get_json()["files"]) == 2
    r = c.post(f"/api/v1/filings/{f['id']}/transitions", json={"trigger": "receive"}, headers=api["office"])
    assert r.get_json()["status"] == "received"
    history = c.get(f"/api/v1/filings/{f['id']}/history", headers=api["me"]).get_json()["items"]
    assert [h["trigger"] for h in history] == ["submit", "return_for_revision", "submit", "receive"]

    with clock.frozen(datetime(2026, 4, 20, 2)):
        board = c.get("/api/v1/filing-board?year=2026", headers=api["office"]).get_json()
        xlsx = c.get("/api/v1/filing-board/export?year=2026", headers=api["office"])
        deductions = c.get(f"/api/v1/units/{api['unit'].id}/filing-deductions?year=2026", headers=api["me"])
    rows = {r["unit_name"]: {cell["filing_type_id"]: cell for cell in r["cells"]} for r in board["rows"]}
    assert rows["区司法局"][plan["id"]]["state"] == "late" and rows["区司法局"][plan["id"]]["filing_id"] == f["id"]
    assert rows["区教育局"][plan["id"]]["state"] == "missing"
    assert board["counts"][str(plan["id"])]["late"] == 1
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.data)).worksheets[0]
    assert ws.cell(1, 2).value == "年度普法工作计划" and ws.cell(3, 2).value == "逾期1个工作日"
    items = {d["rule_id"]: d for d in deductions.get_json()["items"]}
    assert items["n23-03-c"]["links"][0]["url"] == f"/filings/{f['id']}"
    assert deductions.get_json()["framework"] == "nanchang-2023"
    assert c.get("/api/v1/filing-board?year=2026", headers=api["me"]).status_code == 403


def test_bad_input_each_refused_with_a_reason(api):
    c, types = api["client"], api["types"]
    plan = types["plan"]["id"]
    # filing for another unit
    r = _file(api, filing_type_id=plan, unit_id=api["other"].id)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    # a type the unit is not required to file
    town_only = c.post("/api/v1/filing-types", json={"year": 2026, "name": "乡镇专项", "due_date": "2026-06-30",
                                                     "unit_kinds": ["town"]}, headers=api["office"]).get_json()
    r = _file(api, filing_type_id=town_only["id"])
    assert r.status_code == 422 and "无须报送" in r.get_json()["error"]["message"]
    # a due date outside the year
    r = c.post("/api/v1/filing-types", json={"year": 2026, "name": "跨年", "due_date": "2027-01-05"},
               headers=api["office"])
    assert r.status_code == 422 and r.get_json()["error"]["details"]["fields"]["due_date"] == "报送时限应在 2026 年内"
    # a duplicate filing of a single-shot type
    assert _file(api, filing_type_id=plan).status_code == 201
    r = _file(api, filing_type_id=plan)
    assert r.status_code == 409 and "退回修改" in r.get_json()["error"]["message"]
    # a file of a forbidden type, and one whose bytes lie about it
    exe = base64.b64encode(b"MZ\x90\x00").decode()
    r = _file(api, filing_type_id=types["report"]["id"], files=[{"filename": "报告.exe", "content_base64": exe}])
    assert r.status_code == 422 and "不支持的文件类型" in r.get_json()["error"]["message"]
    r = _file(api, filing_type_id=types["report"]["id"], files=[{"filename": "报告.pdf", "content_base64": exe}])
    assert r.status_code == 422 and "不符" in r.get_json()["error"]["message"]
    r = _file(api, filing_type_id=types["report"]["id"], files=[{"filename": "报告.pdf", "content_base64": "@@"}])
    assert r.status_code == 422
    # malformed requests
    assert _file(api, filing_type_id="plan").status_code == 422
    assert c.get("/api/v1/filings?year=abc", headers=api["me"]).status_code == 400
    assert c.get("/api/v1/filings?status=nope", headers=api["me"]).status_code == 400
    r = c.post("/api/v1/filing-types", json={"year": 2026, "name": "<b>", "due_date": "2026-05-01",
                                             "kind": "stream", "target": 0}, headers=api["office"])
    assert r.status_code == 422 and set(r.get_json()["error"]["details"]["fields"]) == {"name", "target"}
    # nothing of these was written
    mine = c.get("/api/v1/filings?year=2026", headers=api["me"]).get_json()
    assert mine["total"] == 1


def test_a_unit_lists_only_its_own_filings(api):
    _file(api, filing_type_id=api["types"]["plan"]["id"])
    _file(api, "them", filing_type_id=api["types"]["plan"]["id"])
    c = api["client"]
    mine = c.get(f"/api/v1/filings?year=2026&unit_id={api['other'].id}", headers=api["me"]).get_json()
    assert mine["total"] == 0
    assert c.get("/api/v1/filings?year=2026", headers=api["office"]).get_json()["total"] == 2
