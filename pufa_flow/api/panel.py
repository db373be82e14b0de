"""/api/v1: worklists, panel score sheets, the final score, the teams' findings and reports."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import ValidationFailed
from ..models import PANEL_SHEET_STATES, UnitAssessment
from ..models.scoping import get_visible
from ..services import panel as service
from .base import current_api_user, json_body, parse_json, require_roles
from .serializers import ASSESSMENT, assessment_json, iso
from .spec import ID_SCHEMA, endpoint, exact, schema

NUM = {"type": ["string", "null"], "description": "十进制数字（字符串）"}
WRITE_ERRORS = ("400", "401", "403", "404", "409", "422")
ENTRY = exact({"rule_id": {"type": "string"}, "count": {"type": ["integer", "null"]},
               "tier": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}})
INDICATOR = exact({"number": {"type": "integer"}, "title": {"type": "string"}, "max_points": NUM,
                   "is_bonus": {"type": "boolean"}, "score": NUM})
PANEL_SHEET = schema("PanelScoreSheet", exact({
    "assessment_id": ID_SCHEMA, "user_id": ID_SCHEMA, "saved": {"type": "boolean"},
    "status": {"type": ["string", "null"], "enum": [*PANEL_SHEET_STATES, None]},
    "entries": {"type": "array", "items": ENTRY}, "indicators": {"type": "array", "items": INDICATOR},
    "total": NUM, "self_total": NUM}))
PANEL_SHEET_INPUT = schema("PanelScoreSheetInput", {
    "type": "object", "required": ["entries"], "additionalProperties": False, "properties": {
        "entries": {"type": "array", "maxItems": 500, "items": {"type": "object", "additionalProperties": False,
                                                                "required": ["rule_id"], "properties": {
            "rule_id": {"type": "string", "maxLength": 64}, "count": {"type": ["integer", "null"], "minimum": 0},
            "tier": {"type": "string", "enum": ["national", "provincial", "municipal"]},
            "note": {"type": "string", "maxLength": 2000}}}}}})
PANEL_SCORES = schema("PanelScores", exact({
    "assessment_id": ID_SCHEMA, "self_score": NUM, "panel_mean": NUM, "review_score": NUM,
    "basis": {"type": ["string", "null"], "enum": ["panel_mean", "designated", None]},
    "reason": {"type": ["string", "null"]}, "difference": NUM,
    "sheets": {"type": "array", "items": exact({
        "id": ID_SCHEMA, "user_id": ID_SCHEMA, "name": {"type": "string"},
        "status": {"type": "string", "enum": list(PANEL_SHEET_STATES)}, "total": NUM,
        "submitted_at": {"type": ["string", "null"], "format": "date-time"}})},
    "indicators": {"type": "array", "items": exact({
        "number": {"type": "integer"}, "title": {"type": "string"}, "max_points": NUM,
        "is_bonus": {"type": "boolean"}, "self_score": NUM, "panel_score": NUM, "difference": NUM})}}))
FINAL_INPUT = schema("FinalScoreInput", {"type": "object", "additionalProperties": False, "properties": {
    "score": {"type": ["string", "number", "null"],
              "description": "普法办指定得分；省略时取已提交评议得分表的平均分"},
    "reason": {"type": "string", "maxLength": 2000, "description": "指定得分时必填"},
    "version": {"type": "integer"}}})
FILE = exact({"id": ID_SCHEMA, "name": {"type": "string"}, "size": {"type": "integer"}})
FINDING = exact({"title": {"type": "string"}, "body": {"type": "string"}})
FINDINGS = schema("FieldFindings", exact({
    "assessment_id": ID_SCHEMA, "findings": {"type": "array", "items": FINDING},
    "reports": {"type": "array", "items": FILE}}))
FINDINGS_INPUT = schema("FieldFindingsInput", {
    "type": "object", "required": ["findings"], "additionalProperties": False, "properties": {
        "findings": {"type": "array", "maxItems": service.MAX_FINDINGS, "items": {
            "type": "object", "required": ["title"], "additionalProperties": False, "properties": {
                "title": {"type": "string", "maxLength": 200}, "body": {"type": "string", "maxLength": 5000}}}}}})
WORKLIST = schema("Worklist", exact({
    "items": {"type": "array", "items": exact({
        "assessment_id": ID_SCHEMA, "cycle_id": ID_SCHEMA, "cycle_name": {"type": "string"},
        "unit_id": ID_SCHEMA, "unit_name": {"type": "string"}, "status": {"type": "string"},
        "visit_on": {"type": ["string", "null"], "format": "date"},
        "sheet_status": {"type": ["string", "null"]}, "sheet_total": NUM})},
    "progress": exact({"assigned": {"type": "integer"}, "submitted": {"type": "integer"},
                       "draft": {"type": "integer"}})}))


def _n(d) -> str | None:
    return None if d is None else format(d, "f")


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_api_user())


def _sheet_json(a: UnitAssessment, user) -> dict:
    row = service.own_sheet(a, user)
    entries = row.entries if row else []
    # a county's checklist has no score sheet: an empty one, so reading never fails
    s = service.computed(a, entries) if service.framework_row(a).kind == "score_sheet" else None
    return {"assessment_id": a.id, "user_id": user.id, "saved": row is not None,
            "status": row.status if row else None,
            "entries": [{"rule_id": e.get("rule_id"), "count": e.get("count"), "tier": e.get("tier"),
                         "note": e.get("note")} for e in entries],
            "indicators": [{"number": i.number, "title": i.title, "max_points": _n(i.max_points),
                            "is_bonus": i.is_bonus, "score": _n(i.score)} for i in (service.indicators(s) if s else [])],
            "total": _n(row.total) if row else None, "self_total": _n(a.self_score)}


@endpoint("/worklist", "GET", summary="评委会成员、评议团成员的工作清单：分配的单位、调研日期、评分进度",
          tag="evaluation", response=WORKLIST, errors=("401", "403"))
@require_roles("evaluator", "panel")
def worklist():
    items = service.worklist(current_api_user())
    return jsonify({"items": [{
        "assessment_id": i.assessment.id, "cycle_id": i.assessment.cycle_id, "cycle_name": i.assessment.cycle.name,
        "unit_id": i.assessment.unit_id, "unit_name": i.assessment.unit.name, "status": i.assessment.status,
        "visit_on": iso(i.visit_on), "sheet_status": i.sheet.status if i.sheet else None,
        "sheet_total": _n(i.sheet.total) if i.sheet else None} for i in items],
        "progress": service.progress(items)})


@endpoint("/assessments/<id:assessment_id>/panel-score", "GET", summary="本人对该单位的评议得分表（与自测得分表同一指标体系）",
          tag="evaluation", response=PANEL_SHEET, errors=("401", "403", "404", "409"))
@require_roles("panel")
def get_panel_score(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    service.check_panel_member(user, a)
    return jsonify(_sheet_json(a, user))


@endpoint("/assessments/<id:assessment_id>/panel-score", "PUT",
          summary="保存评议得分表草稿：列出适用的扣分（加分）规则，得分由系统计算，不能填写",
          tag="evaluation", response=PANEL_SHEET, body=PANEL_SHEET_INPUT, errors=WRITE_ERRORS)
@require_roles("panel")
def put_panel_score(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    service.save_sheet(a, json_body(), actor=user)
    return jsonify(_sheet_json(a, user))


@endpoint("/assessments/<id:assessment_id>/panel-score/submit", "POST", summary="提交评议得分表（提交后不能修改）",
          tag="evaluation", response=PANEL_SHEET, errors=WRITE_ERRORS)
@require_roles("panel")
def submit_panel_score(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    service.submit_sheet(a, actor=user)
    return jsonify(_sheet_json(a, user))


def _scores_json(a: UnitAssessment) -> dict:
    rows, totals = service.comparison(a)
    basis = service.final_basis(a) if a.review_score is not None else None
    return {"assessment_id": a.id, "self_score": _n(totals["self"]), "panel_mean": _n(totals["panel"]),
            "review_score": _n(a.review_score), "basis": basis["basis"] if basis else None,
            "reason": basis["reason"] if basis else None, "difference": _n(totals["difference"]),
            "sheets": [{"id": s.id, "user_id": s.user_id, "name": s.user.label, "status": s.status,
                        "total": _n(s.total), "submitted_at": iso(s.submitted_at)} for s in service.sheets(a)],
            "indicators": [{"number": r.number, "title": r.title, "max_points": _n(r.max_points),
                            "is_bonus": r.is_bonus, "self_score": _n(r.self_score), "panel_score": _n(r.panel_score),
                            "difference": _n(r.difference)} for r in rows]}


@endpoint("/assessments/<id:assessment_id>/panel-scores", "GET",
          summary="该单位的全部评议得分表、平均分，以及与自测得分的差异（按指标和合计）",
          tag="evaluation", response=PANEL_SCORES, errors=("401", "403", "404"))
@require_roles("office", "viewer")
def get_panel_scores(assessment_id: int):
    return jsonify(_scores_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/final-score", "POST",
          summary="确认最终得分：已提交评议得分表的平均分，或普法办指定得分（须写明理由）",
          tag="evaluation", response=ASSESSMENT, body=FINAL_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def final_score(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    raw = request.get_data(cache=True)
    body = parse_json(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "请求体应为 JSON 对象"})
    if unknown := sorted(set(body) - {"score", "reason", "version"}):
        raise ValidationFailed({k: "不接受此字段" for k in unknown})
    reason, version = body.get("reason"), body.get("version")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed({"reason": "理由须为文字"})
    score = body.get("score")
    if isinstance(score, bool) or (score is not None and not isinstance(score, (str, int, float))):
        raise ValidationFailed({"score": "指定得分应为数字"})
    service.finalize(a, actor=user, score=score, reason=reason,
                     expected_version=version if isinstance(version, int) and not isinstance(version, bool) else None)
    return jsonify(assessment_json(a, user))


def _findings_json(a: UnitAssessment) -> dict:
    return {"assessment_id": a.id, "findings": service.findings(a),
            "reports": [{"id": f.id, "name": f.original_name, "size": f.size} for f in service.reports(a)]}


@endpoint("/assessments/<id:assessment_id>/findings", "GET", summary="调研评估小组发现的问题及评估报告",
          tag="evaluation", response=FINDINGS, errors=("401", "403", "404"))
@require_roles("office", "viewer", "evaluator")
def get_findings(assessment_id: int):
    return jsonify(_findings_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/findings", "PUT", summary="保存实地调研发现的问题（负责该单位的调研评估小组）",
          tag="evaluation", response=FINDINGS, body=FINDINGS_INPUT, errors=WRITE_ERRORS)
@require_roles("evaluator")
def put_findings(assessment_id: int):
    a = _assessment(assessment_id)
    service.save_findings(a, json_body(), actor=current_api_user())
    return jsonify(_findings_json(a))


@endpoint("/assessments/<id:assessment_id>/evaluation-report", "POST",
          summary="上传调研评估小组对该单位的评估报告（Word、WPS、PDF、OFD；multipart 字段 file）",
          tag="evaluation", response=FILE, status=201, errors=WRITE_ERRORS)
@require_roles("evaluator")
def upload_evaluation_report(assessment_id: int):
    a = _assessment(assessment_id)
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed({"file": "请选择要上传的文件（multipart 字段 file）"})
    row = service.upload_report(a, file, actor=current_api_user())
    return jsonify({"id": row.id, "name": row.original_name, "size": row.size}), 201
