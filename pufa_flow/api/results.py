"""/api/v1: grading rules, the ranking, grade adjustments and confirmation, 评估意见, publish,
commendations, the 通报批评 list and archive (services/results.py)."""
from __future__ import annotations

from flask import jsonify

from ..errors import NotFound, ValidationFailed
from ..models import COMMENDATION_KINDS, GRADES, ITEM_CATEGORIES, QUOTA_KINDS, Cycle, UnitAssessment
from ..models.scoping import get_visible
from ..services import results as service
from ..services.validation import MAX_LEN
from .base import current_api_user, json_body, require_roles
from .serializers import iso
from .spec import ID_SCHEMA, endpoint, enum_of, exact, schema, text

WRITE_ERRORS = ("400", "401", "403", "404", "409", "422")
READ_ERRORS = ("401", "403", "404")
NUM = {"type": ["string", "null"], "description": "十进制数字（字符串）"}
GRADE_OR_NULL = enum_of(GRADES, nullable=True)

RULES = schema("GradingRules", exact({
    "cycle_id": ID_SCHEMA, "excellent_min": NUM, "good_min": NUM, "pass_min": NUM,
    "excellent_quota": {"type": ["integer", "null"]}, "quota_kind": enum_of(QUOTA_KINDS, nullable=True),
    "quota_limit": {"type": ["integer", "null"], "description": "按名额折算的优秀个数上限"},
    "rectification_workdays": {"type": "integer"},
    "grades_confirmed_at": {"type": ["string", "null"], "format": "date-time"},
    "published_at": {"type": ["string", "null"], "format": "date-time"}}))
RULES_INPUT = schema("GradingRulesInput", {"type": "object", "additionalProperties": False, "properties": {
    "excellent_min": {"type": ["number", "string"], "description": "优秀最低分，默认 90"},
    "good_min": {"type": ["number", "string"], "description": "良好最低分，默认 80"},
    "pass_min": {"type": ["number", "string"], "description": "合格最低分，默认 60；须 优秀 > 良好 > 合格"},
    "excellent_quota": {"type": ["integer", "null"], "minimum": 0, "maximum": 10000,
                        "description": "优秀名额（个数或百分比）；null 表示不设名额"},
    "quota_kind": enum_of(QUOTA_KINDS, nullable=True),
    "rectification_workdays": {"type": "integer", "minimum": 1, "maximum": 250,
                               "description": "评估意见所列问题的默认整改时限（工作日）"}}})
ADJUSTMENT = exact({"grade": enum_of(GRADES), "proposed": enum_of(GRADES), "reason": {"type": "string"},
                    "adjusted_at": {"type": "string", "format": "date-time"}})
RANK_ROW = exact({
    "rank": {"type": ["integer", "null"]}, "assessment_id": ID_SCHEMA, "unit_id": ID_SCHEMA,
    "unit_name": {"type": "string"}, "status": {"type": "string"}, "score": NUM,
    "proposed": GRADE_OR_NULL,
    "proposed_by": {"type": ["string", "null"], "enum": ["threshold", "quota", "quota_tie", None]},
    "grade": GRADE_OR_NULL, "adjustment": {"oneOf": [ADJUSTMENT, {"type": "null"}]}})
RANKING = schema("Ranking", exact({
    "rules": RULES, "items": {"type": "array", "items": RANK_ROW},
    "counts": exact({g: {"type": "integer"} for g in GRADES})}))
ADJUST_INPUT = schema("GradeAdjustmentInput", {
    "type": "object", "required": ["grade", "reason"], "additionalProperties": False, "properties": {
        "grade": enum_of(GRADES), "reason": text(MAX_LEN["comment"], description="调整理由（必填，记入审计日志）")}})
PROBLEM = exact({"problem": {"type": "string"}, "requirement": {"type": "string"},
                 "category": enum_of(ITEM_CATEGORIES)})
OPINION = schema("EvaluationOpinion", exact({
    "assessment_id": ID_SCHEMA, "unit_id": ID_SCHEMA, "saved": {"type": "boolean"}, "text": {"type": "string"},
    "problems": {"type": "array", "items": PROBLEM}, "notice_id": {"type": ["integer", "null"]},
    "editable": {"type": "boolean"}}))
OPINION_INPUT = schema("EvaluationOpinionInput", {
    "type": "object", "required": ["text"], "additionalProperties": False, "properties": {
        "text": text(service.MAX_OPINION, description="评估意见"),
        "problems": {"type": "array", "maxItems": service.MAX_PROBLEMS, "items": {
            "type": "object", "required": ["problem", "requirement"], "additionalProperties": False, "properties": {
                "problem": text(MAX_LEN["text"]), "requirement": text(MAX_LEN["text"], description="整改要求"),
                "category": enum_of(ITEM_CATEGORIES)}}}}})
COMMENDATION = schema("Commendation", exact({
    "id": ID_SCHEMA, "cycle_id": ID_SCHEMA, "kind": enum_of(COMMENDATION_KINDS), "unit_id": ID_SCHEMA,
    "unit_name": {"type": "string"}, "person_name": {"type": "string"}, "post": {"type": "string"},
    "note": {"type": "string"}}))
COMMENDATION_INPUT = schema("CommendationInput", {
    "type": "object", "required": ["kind", "unit_id"], "additionalProperties": False, "properties": {
        "kind": enum_of(COMMENDATION_KINDS), "unit_id": ID_SCHEMA,
        "person_name": text(MAX_LEN["person"], required=False, description="先进个人的姓名"),
        "post": text(100, required=False, description="先进个人的职务"),
        "note": text(500, required=False, description="事迹或推荐理由")}})
RESULTS = schema("CycleResults", exact({
    "cycle_id": ID_SCHEMA, "status": {"type": "string"}, "published_at": {"type": ["string", "null"]},
    "counts": exact({g: {"type": "integer"} for g in GRADES}),
    "commendations": {"type": "array", "items": COMMENDATION},
    "criticism": {"type": "array", "items": exact({
        "unit_id": ID_SCHEMA, "unit_name": {"type": "string"}, "overdue_items": {"type": "integer"},
        "max_working_days_overdue": {"type": "integer"}})}}))
COMMENT_INPUT = schema("ResultsStepInput", {"type": "object", "additionalProperties": False, "properties": {
    "comment": text(MAX_LEN["comment"], required=False)}})


def _n(d) -> str | None:
    return None if d is None else format(d, "f")


def _cycle(cycle_id: int) -> Cycle:
    return get_visible(Cycle, cycle_id, current_api_user())


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_api_user())


def _body_or_empty() -> dict:
    from flask import request

    return json_body() if request.get_data(cache=True).strip() else {}


def _rules_json(cycle: Cycle) -> dict:
    row = service.rules(cycle)
    return {"cycle_id": cycle.id, "excellent_min": _n(row.excellent_min), "good_min": _n(row.good_min),
            "pass_min": _n(row.pass_min), "excellent_quota": row.excellent_quota, "quota_kind": row.quota_kind,
            "quota_limit": service.quota_limit(row, service.unit_count(cycle)),
            "rectification_workdays": row.rectification_workdays,
            "grades_confirmed_at": iso(row.grades_confirmed_at), "published_at": iso(row.published_at)}


def _ranking_json(cycle: Cycle) -> dict:
    rows = service.ranking(cycle)
    return {"rules": _rules_json(cycle), "counts": service.summary(rows), "items": [{
        "rank": r.rank, "assessment_id": r.assessment.id, "unit_id": r.assessment.unit_id,
        "unit_name": r.assessment.unit.name, "status": r.assessment.status, "score": _n(r.score),
        "proposed": r.proposed, "proposed_by": r.why, "grade": r.grade,
        "adjustment": {"grade": r.adjustment.grade, "proposed": r.adjustment.proposed, "reason": r.adjustment.reason,
                       "adjusted_at": iso(r.adjustment.adjusted_at)} if r.adjustment else None} for r in rows]}


@endpoint("/cycles/<id:cycle_id>/grading-rules", "GET", summary="等次分数线、优秀名额和默认整改时限",
          tag="results", response=RULES, errors=READ_ERRORS)
@require_roles("office", "viewer")
def get_grading_rules(cycle_id: int):
    return jsonify(_rules_json(_cycle(cycle_id)))


@endpoint("/cycles/<id:cycle_id>/grading-rules", "PUT",
          summary="设置等次分数线（须从高到低）、优秀名额（个数或百分比，须能满足）和默认整改时限",
          tag="results", response=RULES, body=RULES_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def put_grading_rules(cycle_id: int):
    cycle = _cycle(cycle_id)
    service.save_rules(cycle, json_body(), actor=current_api_user())
    return jsonify(_rules_json(cycle))


@endpoint("/cycles/<id:cycle_id>/ranking", "GET",
          summary="排名：按最终得分排列，按规则提出的等次、调整及理由", tag="results", response=RANKING,
          errors=READ_ERRORS)
@require_roles("office", "viewer")
def get_ranking(cycle_id: int):
    return jsonify(_ranking_json(_cycle(cycle_id)))


@endpoint("/assessments/<id:assessment_id>/grade-adjustment", "POST",
          summary="调整按规则提出的等次（须写明理由；改回规则等次即撤销调整）", tag="results",
          response=RANKING, body=ADJUST_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def adjust_grade(assessment_id: int):
    a = _assessment(assessment_id)
    service.adjust_grade(a, json_body(), actor=current_api_user())
    return jsonify(_ranking_json(a.cycle))


@endpoint("/cycles/<id:cycle_id>/grades/confirm", "POST",
          summary="确认等次：所有单位一次定等（全部成功或全部不变）", tag="results", response=RANKING,
          errors=WRITE_ERRORS)
@require_roles("office")
def confirm_grades(cycle_id: int):
    cycle = _cycle(cycle_id)
    service.confirm_grades(cycle, actor=current_api_user())
    return jsonify(_ranking_json(cycle))


def _opinion_json(a: UnitAssessment) -> dict:
    row = service.opinion(a)
    editable = a.cycle.status in ("field_research", "acceptance") and service.rules(a.cycle).published_at is None
    return {"assessment_id": a.id, "unit_id": a.unit_id, "saved": row is not None, "text": row.text if row else "",
            "problems": row.problems if row else [], "notice_id": row.notice_id if row else None,
            "editable": editable}


@endpoint("/assessments/<id:assessment_id>/opinion", "GET", summary="普法办对该单位的评估意见及问题清单（单位在结果发布后可读）",
          tag="results", response=OPINION, errors=READ_ERRORS)
@require_roles("office", "viewer", "unit")
def get_opinion(assessment_id: int):
    a = _assessment(assessment_id)
    if not a.result_visible_to(current_api_user()):  # a unit reads its opinion once the results are published
        raise NotFound("评估意见尚未发布")
    return jsonify(_opinion_json(a))


@endpoint("/assessments/<id:assessment_id>/opinion", "PUT",
          summary="保存评估意见：意见正文及问题（每个问题含整改要求、类别），结果发布前可修改", tag="results",
          response=OPINION, body=OPINION_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def put_opinion(assessment_id: int):
    a = _assessment(assessment_id)
    service.save_opinion(a, json_body(), actor=current_api_user())
    return jsonify(_opinion_json(a))


def _commendation_json(c) -> dict:
    return {"id": c.id, "cycle_id": c.cycle_id, "kind": c.kind, "unit_id": c.unit_id, "unit_name": c.unit.name,
            "person_name": c.person_name, "post": c.post, "note": c.note}


def _results_json(cycle: Cycle) -> dict:
    return {"cycle_id": cycle.id, "status": cycle.status, "published_at": iso(service.rules(cycle).published_at),
            "counts": service.summary(service.ranking(cycle)),
            "commendations": [_commendation_json(c) for c in service.commendations(cycle)],
            "criticism": [{"unit_id": r.unit.id, "unit_name": r.unit.name, "overdue_items": r.overdue,
                           "max_working_days_overdue": r.max_working_days} for r in service.criticism_list(cycle)]}


@endpoint("/cycles/<id:cycle_id>/results", "GET",
          summary="考评结果：等次统计、表彰与示范县推荐、通报批评名单（整改逾期的单位）", tag="results",
          response=RESULTS, errors=READ_ERRORS)
@require_roles("office", "viewer")
def get_results(cycle_id: int):
    return jsonify(_results_json(_cycle(cycle_id)))


@endpoint("/cycles/<id:cycle_id>/publish", "POST",
          summary="发布结果：通知每个单位得分、等次和评估意见，并按问题下发整改通知书（一次完成）",
          tag="results", response=RESULTS, body=COMMENT_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def publish_results(cycle_id: int):
    cycle = _cycle(cycle_id)
    body = _body_or_empty()
    if unknown := sorted(set(body) - {"comment"}):
        raise ValidationFailed({k: "不接受此字段" for k in unknown})
    service.publish_results(cycle, actor=current_api_user(), comment=body.get("comment"))
    return jsonify(_results_json(cycle))


@endpoint("/cycles/<id:cycle_id>/commendations", "POST",
          summary="记录表彰：先进集体、先进个人（单位、姓名、职务）或示范县推荐（仅县区）", tag="results",
          response=COMMENDATION, body=COMMENDATION_INPUT, status=201, errors=WRITE_ERRORS)
@require_roles("office")
def add_commendation(cycle_id: int):
    row = service.add_commendation(_cycle(cycle_id), json_body(), actor=current_api_user())
    return jsonify(_commendation_json(row)), 201


@endpoint("/cycles/<id:cycle_id>/commendations/<id:commendation_id>", "DELETE", summary="删除一条表彰记录",
          tag="results", response=RESULTS, errors=WRITE_ERRORS)
@require_roles("office")
def delete_commendation(cycle_id: int, commendation_id: int):
    cycle = _cycle(cycle_id)
    service.delete_commendation(service.commendation_of(cycle, commendation_id), actor=current_api_user())
    return jsonify(_results_json(cycle))


@endpoint("/cycles/<id:cycle_id>/archive", "POST",
          summary="归档考评周期：所有单位考评归档，周期此后只读", tag="results", response=RESULTS,
          body=COMMENT_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def archive_cycle(cycle_id: int):
    cycle = _cycle(cycle_id)
    body = _body_or_empty()
    if unknown := sorted(set(body) - {"comment"}):
        raise ValidationFailed({k: "不接受此字段" for k in unknown})
    service.archive(cycle, actor=current_api_user(), comment=body.get("comment"))
    return jsonify(_results_json(cycle))
