"""The results pages and API: errors beside the field, nothing saved; viewers read only; archived = 409."""
from __future__ import annotations

import sqlalchemy as sa
from test_results import IN_ACCEPTANCE, PROBLEMS, count, world  # noqa: F401 - fixture

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, EvaluationOpinion, GradeAdjustment, GradingRules
from pufa_flow.services import results


def test_thresholds_out_of_order_on_the_page_show_beside_the_fields(client, login, world):
    login(world["office"])
    cycle = world["cycle"]
    r = client.post(f"/cycles/{cycle.id}/grading-rules", data={
        "excellent_min": "80", "good_min": "85", "pass_min": "60", "rectification_workdays": "20"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-error="thresholds"' in html and "从高到低" in html
    assert 'value="80"' in html  # what was typed is shown again
    assert count(GradingRules) == 0


def test_the_ranking_page_proposes_grades_and_never_preselects_one(client, login, world):
    login(world["office"])
    html = client.get(f"/cycles/{world['cycle'].id}/ranking").get_data(as_text=True)
    assert 'data-unit="单位戊" data-grade="fail"' in html
    assert '<option value="" selected disabled>请选择等次</option>' in html
    assert "selected>优秀" not in html


def test_an_adjustment_without_a_reason_is_refused_on_the_page(client, login, world):
    login(world["office"])
    a = world["a"]["丁"]
    r = client.post(f"/assessments/{a.id}/grade-adjustment", data={"grade": "excellent", "reason": ""})
    assert r.status_code == 422 and 'data-error="reason"' in r.get_data(as_text=True)
    assert count(GradeAdjustment) == 0


def test_a_viewer_reads_the_pages_without_forms_and_cannot_write(client, login, world, make_user):
    viewer = make_user("viewer")
    login(viewer)
    cycle = world["cycle"]
    for url in (f"/cycles/{cycle.id}/ranking", f"/cycles/{cycle.id}/results",
                f"/assessments/{world['a']['甲'].id}/opinion"):
        r = client.get(url)
        assert r.status_code == 200 and "data-action=" not in r.get_data(as_text=True)
    assert client.post(f"/cycles/{cycle.id}/grades/confirm").status_code == 403


def test_the_opinion_form_keeps_input_and_saves_nothing_on_error(client, login, world):
    login(world["office"])
    a = world["a"]["丁"]
    r = client.post(f"/assessments/{a.id}/opinion", data={
        "text": "意见", "problem_0": "问题一", "requirement_0": "", "category_0": "archives"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'data-error="problems.0.requirement"' in html and "问题一" in html
    assert count(EvaluationOpinion) == 0


def test_api_publish_archive_and_the_409_envelope_once_archived(client, world, token_for):
    cycle, office = world["cycle"], world["office"]
    h = token_for(office)
    a = world["a"]["丁"]
    r = client.put(f"/api/v1/cycles/{cycle.id}/grading-rules", headers=h,
                   json={"excellent_min": 70, "good_min": 75, "pass_min": 60})
    assert r.status_code == 422 and r.json["error"]["code"] == "validation_failed"
    r = client.put(f"/api/v1/assessments/{a.id}/opinion", headers=h, json={"text": "意见", "problems": PROBLEMS})
    assert r.status_code == 200 and len(r.json["problems"]) == 2
    assert client.post(f"/api/v1/cycles/{cycle.id}/publish", headers=h).status_code == 409  # not graded
    with clock.frozen(IN_ACCEPTANCE):
        r = client.post(f"/api/v1/cycles/{cycle.id}/grades/confirm", headers=h)
        assert r.status_code == 200 and r.json["counts"]["excellent"] == 3
        r = client.post(f"/api/v1/cycles/{cycle.id}/publish", headers=h, json={"comment": "发布"})
    assert r.status_code == 200 and r.json["status"] == "results"
    r = client.post(f"/api/v1/cycles/{cycle.id}/commendations", headers=h,
                    json={"kind": "individual", "unit_id": world["units"]["甲"].id, "person_name": "王芳",
                          "post": "科长"})
    assert r.status_code == 201 and r.json["person_name"] == "王芳"
    assert client.post(f"/api/v1/cycles/{cycle.id}/archive", headers=h).json["status"] == "archived"
    before = count(AuditEvent)
    for method, url, body in (
        ("put", f"/api/v1/assessments/{a.id}/opinion", {"text": "改"}),
        ("post", f"/api/v1/cycles/{cycle.id}/commendations", {"kind": "collective", "unit_id": a.unit_id}),
        ("put", f"/api/v1/cycles/{cycle.id}/grading-rules", {"excellent_min": 95}),
        ("post", f"/api/v1/assessments/{a.id}/grade-adjustment", {"grade": "good", "reason": "x"}),
        ("post", f"/api/v1/cycles/{cycle.id}/archive", None),
    ):
        r = getattr(client, method)(url, headers=h, json=body)
        assert r.status_code == 409, (url, r.json)
        assert "已归档" in r.json["error"]["message"]
    assert count(AuditEvent) == before
    r = client.get(f"/api/v1/cycles/{cycle.id}/results", headers=h)
    assert r.json["commendations"][0]["kind"] == "individual"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GradingRules)) == 1
    assert results.rules(cycle).published_at is not None
