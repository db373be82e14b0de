"""The worklist, scoring, field-record and acceptance pages, and their API: what each user sees and may do.

The world of test_panel_scores.py: 部门甲 (self score 98) and 部门乙; P1 scores
both, P2 only 部门甲; evaluator e1 visits 部门甲, e2 部门乙.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from test_panel_scores import _acceptance, world  # noqa: F401  (the shared fixture)

from pufa_flow.extensions import db
from pufa_flow.services import panel

PASSWORD = "Secret123"  # conftest's; "import conftest" may name tests/browser/conftest.py in a full run


class _Signed:
    """A test client that forgets the user flask-login cached in the shared app context's ``g``
    before each request, as a server's fresh context would (no hook added to the app)."""

    def __init__(self, client):
        self.client = client

    def _call(self, method, *args, **kwargs):
        from flask import g

        g.pop("_login_user", None)
        return getattr(self.client, method)(*args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def post(self, *args, **kwargs):
        return self._call("post", *args, **kwargs)


@pytest.fixture
def session_of(app):
    """A signed-in test client per user (each with its own cookie jar)."""
    def make(user):
        c = _Signed(app.test_client())
        r = c.post("/login", data={"username": user.username, "password": PASSWORD})
        assert r.status_code == 302
        return c
    return make


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_worklists_list_only_the_assigned_units_with_their_links(world, session_of):
    p2 = session_of(world["p2"])
    html = p2.get("/worklist").get_data(as_text=True)
    assert "部门甲" in html and "部门乙" not in html
    assert f"/worklist/assessments/{world['a1'].id}/score" in html
    assert "共 <strong>1</strong> 个单位，已提交 <strong>0</strong> 个" in html
    ev = session_of(world["evaluator"])
    html = ev.get("/worklist").get_data(as_text=True)
    assert "部门甲" in html and "部门乙" not in html and f"/worklist/assessments/{world['a1'].id}/field" in html
    # the unit's workspace opens read-only for them: no save button, inputs disabled
    ws = ev.get(f"/cycles/assessments/{world['a1'].id}").get_data(as_text=True)
    assert "部门甲 · 自评" in ws and 'data-action="save-sheet"' not in ws
    assert ev.get(f"/cycles/assessments/{world['a2'].id}").status_code == 404
    assert session_of(world["office"]).get("/worklist").status_code == 403


def test_the_panel_member_scores_beside_the_self_score_and_submits(world, session_of):
    a1 = world["a1"]
    p1 = session_of(world["p1"])
    html = p1.get(f"/worklist/assessments/{a1.id}/score").get_data(as_text=True)
    # the unit chose n23-03-c (late filing): ✓ in the self column, indicator 3 at 8 beside
    assert re.search(r'data-rule="n23-03-c">.*?class="self-choice">✓', html, re.S)
    assert 'data-self-score="3">8<' in html and 'id="self-total">98<' in html
    r = p1.post(f"/worklist/assessments/{a1.id}/score", data={
        "csrf_token": _csrf(html), "use_n23-04-a": "1", "count_n23-04-a": "2", "note_n23-04-a": "缺两期"})
    assert r.status_code == 302
    html = p1.get(f"/worklist/assessments/{a1.id}/score").get_data(as_text=True)
    assert 'data-my-score="4">3<' in html and 'id="my-total">98<' in html and "草稿 · 98.00分" in html
    r = p1.post(f"/worklist/assessments/{a1.id}/score", data={
        "csrf_token": _csrf(html), "use_n23-04-a": "1", "count_n23-04-a": "abc"})
    assert r.status_code == 422 and "评分表未保存" in r.get_data(as_text=True)
    assert panel.own_sheet(a1, world["p1"]).total == Decimal("98.00")
    r = p1.post(f"/worklist/assessments/{a1.id}/score/submit", data={"csrf_token": _csrf(html)})
    assert r.status_code == 302
    html = p1.get(f"/worklist/assessments/{a1.id}/score").get_data(as_text=True)
    assert "已提交 · 98.00分" in html and 'data-action="save-panel-sheet"' not in html
    # P2 has no sheet on 部门乙
    assert session_of(world["p2"]).get(f"/worklist/assessments/{world['a2'].id}/score").status_code == 404


def test_the_evaluator_records_findings_and_uploads_the_report(world, session_of):
    a1 = world["a1"]
    ev = session_of(world["evaluator"])
    html = ev.get(f"/worklist/assessments/{a1.id}/field").get_data(as_text=True)
    r = ev.post(f"/worklist/assessments/{a1.id}/findings", data={
        "csrf_token": _csrf(html), "title_0": "宣传栏内容陈旧", "body_0": "仍为2024年内容"})
    assert r.status_code == 302
    assert panel.findings(a1) == [{"title": "宣传栏内容陈旧", "body": "仍为2024年内容"}]
    r = ev.post(f"/worklist/assessments/{a1.id}/report", content_type="multipart/form-data",
                data={"csrf_token": _csrf(html), "file": (io.BytesIO(b"%PDF-1.4 test"), "第一组评估报告.pdf")})
    assert r.status_code == 302
    html = ev.get(f"/worklist/assessments/{a1.id}/field").get_data(as_text=True)
    assert "宣传栏内容陈旧" in html and "第一组评估报告.pdf" in html
    assert ev.get(f"/worklist/assessments/{world['a2'].id}/field").status_code == 404
    other = session_of(world["other_evaluator"])
    assert other.get(f"/worklist/assessments/{a1.id}/field").status_code == 404
    assert other.post(f"/worklist/assessments/{a1.id}/findings", data={"csrf_token": _csrf(html)}).status_code == 404


def test_the_office_sees_every_sheet_the_mean_the_differences_and_confirms(world, session_of):
    a1 = world["a1"]
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-04-a", "count": 2}]}, actor=world["p1"])  # 98
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-11-a", "count": 1}]}, actor=world["p2"])  # 96
    panel.submit_sheet(a1, actor=world["p1"])
    panel.submit_sheet(a1, actor=world["p2"])
    _acceptance(world)
    office = session_of(world["office"])
    html = office.get(f"/acceptance/assessments/{a1.id}").get_data(as_text=True)
    assert 'id="panel-mean">97.00<' in html and 'id="self-total">98.00<' in html
    assert re.search(r'data-indicator="3">.*?<td>8</td><td>10.00</td>\s*<td[^>]*>\+2.00<', html, re.S)
    r = office.post(f"/acceptance/assessments/{a1.id}/final-score", data={
        "csrf_token": _csrf(html), "mode": "designated", "score": "90"})
    assert r.status_code == 422 and "须写明理由" in r.get_data(as_text=True)
    r = office.post(f"/acceptance/assessments/{a1.id}/final-score", data={"csrf_token": _csrf(html), "mode": "mean"})
    assert r.status_code == 302
    html = office.get(f"/acceptance/assessments/{a1.id}").get_data(as_text=True)
    assert 'id="final-score">97.00（评议团平均分）' in html and 'id="total-difference">-1.00<' in html
    db.session.refresh(a1)
    assert a1.status == "scored"
    assert session_of(world["p1"]).get(f"/acceptance/assessments/{a1.id}").status_code == 403


# -- the API --------------------------------------------------------------------------
def test_api_panel_sheet_round_trip_and_refusals(world, client, token_for):
    a1, a2 = world["a1"], world["a2"]
    h1, h2 = token_for(world["p1"]), token_for(world["p2"])
    url = f"/api/v1/assessments/{a1.id}/panel-score"
    r = client.get(url, headers=h1)
    assert r.status_code == 200 and r.json["saved"] is False and r.json["total"] is None
    r = client.put(url, headers=h1, json={"entries": [{"rule_id": "n23-06-c"}, {"rule_id": "n23-06-d"}]})
    assert r.status_code == 200 and r.json["total"] == "95.00" and r.json["status"] == "draft"
    assert r.json["entries"][0] == {"rule_id": "n23-06-c", "count": None, "tier": None, "note": None}
    assert {i["number"]: i["score"] for i in r.json["indicators"]}[6] == "4"
    assert client.put(url, headers=h1, json={"entries": [], "total": 100}).status_code == 422
    assert client.put(f"/api/v1/assessments/{a2.id}/panel-score", headers=h2, json={"entries": []}).status_code == 404
    assert client.get(f"/api/v1/assessments/{a2.id}/panel-score", headers=h2).status_code == 404
    assert client.get(f"/api/v1/assessments/{a1.id}/findings", headers=token_for(world["other_evaluator"])).status_code == 404
    assert client.get(url, headers=token_for(world["office"])).status_code == 403
    r = client.post(url + "/submit", headers=h1)
    assert r.status_code == 200 and r.json["status"] == "submitted"
    assert client.put(url, headers=h1, json={"entries": []}).status_code == 409
    w = client.get("/api/v1/worklist", headers=h1).json
    assert w["progress"] == {"assigned": 2, "submitted": 1, "draft": 0}
    assert [i["unit_name"] for i in w["items"]] == ["部门甲", "部门乙"]


def test_api_office_scores_and_final_score(world, client, token_for):
    a1 = world["a1"]
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-04-a", "count": 2}]}, actor=world["p1"])  # 98
    panel.save_sheet(a1, {"entries": [{"rule_id": "n23-11-a", "count": 1}]}, actor=world["p2"])  # 96
    panel.submit_sheet(a1, actor=world["p1"])
    panel.submit_sheet(a1, actor=world["p2"])
    _acceptance(world)
    h = token_for(world["office"])
    body = client.get(f"/api/v1/assessments/{a1.id}/panel-scores", headers=h).json
    assert body["panel_mean"] == "97.00" and body["self_score"] == "98.00" and len(body["sheets"]) == 2
    assert body["difference"] == "-1.00" and body["review_score"] is None
    assert client.get(f"/api/v1/assessments/{a1.id}/panel-scores", headers=token_for(world["p1"])).status_code == 403
    url = f"/api/v1/assessments/{a1.id}/final-score"
    assert client.post(url, headers=h, json={"score": "91"}).status_code == 422
    assert client.post(url, headers=h, json={"score": True, "reason": "x"}).status_code == 422
    r = client.post(url, headers=h, json={"score": 91.5, "reason": "评议团一名成员回避"})
    assert r.status_code == 200 and r.json["status"] == "scored"
    body = client.get(f"/api/v1/assessments/{a1.id}/panel-scores", headers=h).json
    assert (body["review_score"], body["basis"], body["reason"]) == ("91.50", "designated", "评议团一名成员回避")
    assert body["difference"] == "-6.50"
    assert client.post(url, headers=h, json={}).status_code == 409  # already scored
