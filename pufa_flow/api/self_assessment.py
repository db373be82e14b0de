"""/api/v1: a cycle's framework, a unit's 自评 (score sheet, report, problems, cases, submit), exports."""
from __future__ import annotations

from flask import jsonify, request, send_file
import io

from ..documents.download import docx_response, download_filename
from ..documents.responses import DOCX_DOWNLOAD, DOCX_MIME
from ..errors import BadRequest, NotFound, ValidationFailed
from ..extensions import db
from ..models import UNIT_KINDS, Cycle, FrameworkVersion, UnitAssessment
from ..models.scoping import get_visible
from ..services import cycles as cycle_service
from ..services import frameworks as framework_service
from ..services import self_assessment as service
from ..services.validation import MAX_LEN
from ..services.self_assessment_exports import (XLSX_MIME, problem_list_docx, score_sheet_docx,
                                                self_scores_xlsx)
from .base import current_api_user, json_body, require_roles
from .serializers import ASSESSMENT, CYCLE, assessment_json, iso
from .spec import DATE_SCHEMA, ID_SCHEMA, SCHEMAS, endpoint, exact, schema

NUM = {"type": ["string", "null"], "description": "十进制数字（字符串）"}
RULE_KINDS = ["fixed", "per_unit", "whole", "tier"]
TIERS = ["national", "provincial", "municipal"]
RULE = schema("FrameworkRule", exact({
    "id": {"type": "string"}, "text": {"type": "string", "description": "附件2原文"},
    "kind": {"type": "string", "enum": RULE_KINDS},
    "points": NUM, "per_unit": NUM, "cap": NUM, "requires_enforcement_power": {"type": "boolean"},
    "applicable": {"type": "boolean", "description": "对所查看的单位是否适用（无单位时均为 true）"},
    "tiers": {"type": "array", "items": exact({"key": {"type": "string"}, "label": {"type": "string"},
                                               "points": NUM})}}))
FRAMEWORK_COMMON = {
    "id": {"type": "string"}, "db_id": {"type": ["integer", "null"]}, "name": {"type": "string"},
    "version": {"type": "string"}, "unit_kind": {"type": ["string", "null"]}, "bonus_cap": NUM,
    "frozen": {"type": "boolean"}, "frozen_reason": {"type": ["string", "null"]}}
#: 评分表 (市直部门、镇街): categories of indicators with their deduction rules; 检查清单 (县区): items
FRAMEWORK = schema("Framework", {"oneOf": [
    exact({**FRAMEWORK_COMMON, "kind": {"type": "string", "enum": ["score_sheet"]},
           "categories": {"type": "array", "items": exact({
               "key": {"type": "string"}, "name": {"type": "string"}, "max_points": NUM,
               "is_bonus": {"type": "boolean"},
               "indicators": {"type": "array", "items": exact({
                   "number": {"type": "integer"}, "title": {"type": "string"}, "content": {"type": "string"},
                   "max_points": NUM, "is_bonus": {"type": "boolean"},
                   "rules": {"type": "array", "items": RULE}})}})}}),
    exact({**FRAMEWORK_COMMON, "kind": {"type": "string", "enum": ["checklist"]},
           "items": {"type": "array", "items": exact({
               "number": {"type": "integer"}, "part": {"type": "string"}, "text": {"type": "string"},
               "is_bonus": {"type": "boolean"}})}})]})
FRAMEWORK_INPUT = schema("FrameworkInput", {
    "type": "object", "required": ["id", "name", "version", "kind"],
    "description": "与 GET 返回的指标体系同形；编号、类型、版本号不能修改",
    "properties": {"id": {"type": "string", "maxLength": 64}, "name": {"type": "string", "maxLength": 200},
                   "version": {"type": "string", "maxLength": 20},
                   "kind": {"type": "string", "enum": ["score_sheet", "checklist"]},
                   "bonus_cap": {"type": ["string", "number", "null"]},
                   "categories": {"type": "array", "items": {"type": "object"}},
                   "items": {"type": "array", "items": {"type": "object"}}}})
APPLIED = exact({"rule_id": {"type": "string"}, "count": {"type": ["integer", "null"]},
                 "tier": {"type": ["string", "null"]}, "amount": NUM, "note": {"type": ["string", "null"]}})
INDICATOR_SCORE = exact({
    "number": {"type": "integer"}, "title": {"type": "string"}, "max_points": NUM, "is_bonus": {"type": "boolean"},
    "deducted": {**NUM, "description": "扣分（加分项为 null）"},
    "earned": {**NUM, "description": "加分（扣分项为 null）"},
    "raw": NUM, "score": NUM, "capped": {"type": "boolean"}, "applied": {"type": "array", "items": APPLIED}})
SCORE_COMMON = {"assessment_id": {"type": "integer"}, "status": {"type": "string"},
                "saved": {"type": "boolean"}}
ANSWER_VALUES = list(service.ANSWERS)
RECORD_LINE = exact({
    "rule_id": {"type": "string"}, "rule_text": {"type": "string"},
    "suggested_count": {"type": "integer", "description": "报备记录显示该规则适用的次数（按数量扣分的为缺少数量）"},
    "chosen_count": {"type": "integer", "description": "单位的选择（0：未选）；从未保存时等于建议"},
    "changed": {"type": "boolean"}, "note": {"type": ["string", "null"], "description": "单位改动建议的说明"},
    "evidence": {"type": "string"},
    "links": {"type": "array", "items": exact({"label": {"type": "string"}, "url": {"type": "string"}})}})
SELF_SCORE = schema("SelfScore", {"oneOf": [
    exact({**SCORE_COMMON, "framework_kind": {"type": "string", "enum": ["score_sheet"]},
           "entries": {"type": "array", "items": exact({
               "rule_id": {"type": ["string", "null"]}, "count": {"type": ["integer", "null"]},
               "tier": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
               "evidence": {"type": "array", "items": {"type": "integer"}}})},
           "framework_id": {"type": "string"},
           "categories": {"type": "array", "items": exact({
               "key": {"type": "string"}, "name": {"type": "string"}, "max_points": NUM, "score": NUM,
               "indicators": {"type": "array", "items": INDICATOR_SCORE}})},
           "bonus": exact({"indicators": {"type": "array", "items": INDICATOR_SCORE},
                           "raw": NUM, "score": NUM, "capped": {"type": "boolean"}}),
           "base": NUM, "total": NUM,
           "record": {"type": "array", "description": "报备记录建议的扣分，与单位的选择和说明并列", "items": RECORD_LINE},
           "preselected": {"type": "array", "description": "从未保存的得分表：按报备记录预选的条目",
                           "items": exact({"rule_id": {"type": "string"}, "count": {"type": "integer"},
                                           "note": {"type": "string"}}, optional=("count",))}}),
    exact({**SCORE_COMMON, "framework_kind": {"type": "string", "enum": ["checklist"]},
           "entries": {"type": "array", "items": exact({
               "item": {"type": "integer"}, "answer": {"type": "string", "enum": ANSWER_VALUES},
               "note": {"type": "string"}})},
           "total": {"type": "null", "description": "检查清单不计分"},
           "answers": exact({k: {"type": "integer", "minimum": 0} for k in ANSWER_VALUES})})]})
SELF_SCORE_INPUT = schema("SelfScoreInput", {"type": "object", "required": ["entries"], "properties": {
    "entries": {"type": "array", "maxItems": 500, "items": {"type": "object", "additionalProperties": False,
                                                            "properties": {
        "rule_id": {"type": ["string", "null"]}, "count": {"type": ["integer", "null"], "minimum": 0},
        "tier": {"type": ["string", "null"], "enum": TIERS + [None]},
        "note": {"type": ["string", "null"], "maxLength": service.MAX_NOTE},
        "evidence": {"type": "array", "items": {"type": "integer"}},
        "item": {"type": "integer", "description": "检查清单（县区）：第几项"},
        "answer": {"type": "string", "enum": ANSWER_VALUES}}}},
    "record_notes": {"type": "object", "description": "扣分规则编号 → 不采纳或改动报备记录建议的说明（改动时必填）",
                     "additionalProperties": {"type": "string", "maxLength": service.MAX_NOTE}}},
    "additionalProperties": False})
PROBLEMS = schema("ProblemList", exact({
    "title": {"type": "string"},
    "problems": {"type": "array", "items": exact({"title": {"type": "string"}, "body": {"type": "string"}})},
    "warnings": {"type": "array", "items": {"type": "string"}}}))
PROBLEMS_INPUT = schema("ProblemListInput", {"type": "object", "required": ["problems"], "properties": {
    "problems": {"type": "array", "maxItems": service.MAX_PROBLEMS, "items": {
        "type": "object", "required": ["title"], "additionalProperties": False, "properties": {
            "title": {"type": "string", "maxLength": 200, "minLength": 1, "pattern": r"\S"},
            "body": {"type": "string", "maxLength": 5000}}}}},
    "additionalProperties": False})
CASE_KEYS = ("title", "background", "practice", "lessons")
CASES = schema("InnovationCases", exact({
    "cases": {"type": "array", "items": exact({k: {"type": "string"} for k in CASE_KEYS})},
    "checks": {"type": "array", "items": {"type": "array", "items": exact({
        "check": {"type": "string", "enum": ["title", "parts", "practice", "total"]},
        "ok": {"type": "boolean"}, "detail": {"type": "string"}})}},
    "required": {"type": "boolean"}}))
CASES_INPUT = schema("InnovationCasesInput", {"type": "object", "required": ["cases"], "properties": {
    "cases": {"type": "array", "maxItems": service.MAX_CASES, "items": {
        "type": "object", "required": ["title"], "additionalProperties": False, "properties": {
            "title": {"type": "string", "maxLength": 100, "minLength": 1, "pattern": r"\S"},
            "background": {"type": ["string", "null"], "maxLength": 20000},
            "practice": {"type": ["string", "null"], "maxLength": 20000},
            "lessons": {"type": ["string", "null"], "maxLength": 20000}}}}},
    "additionalProperties": False})
UPLOAD = exact({"id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"}})
REPORT = schema("SelfReport", exact({"text": {"type": ["string", "null"]},
                                     "files": {"type": "array", "items": UPLOAD}}))
REPORT_INPUT = schema("SelfReportInput", {"type": "object", "required": ["text"], "properties": {
    "text": {"type": "string", "maxLength": service.MAX_REPORT}}, "additionalProperties": False})
COMPLETENESS = schema("SelfAssessmentCompleteness", exact({
    "missing": {"type": "array", "items": {"type": "string"}}, "due_on": {"type": ["string", "null"]},
    "late": {"type": "boolean"}, "return_reason": {"type": ["string", "null"]}}))
EXTENSION_INPUT = schema("DeadlineExtensionInput", {"type": "object", "required": ["new_due_date", "reason"],
                                                    "properties": {"new_due_date": DATE_SCHEMA,
                                                                   "reason": {"type": "string", "maxLength": 500}},
                                                    "additionalProperties": False})
SUBMIT_INPUT = {"type": "object", "additionalProperties": False, "properties": {
    "comment": {"type": "string", "maxLength": MAX_LEN["comment"]}, "version": {"type": "integer"}}}
XLSX_DOWNLOAD = {"type": "string", "format": "binary", "contentMediaType": XLSX_MIME}
LIBRARY = exact({"items": {"type": "array", "items": FRAMEWORK}})
#: an extension answers the assessment with its new deadline
EXTENDED = schema("ExtendedAssessment", exact({**SCHEMAS["Assessment"]["properties"],
                                               "due_on": {**DATE_SCHEMA, "description": "延长后的自评截止日期"}}))
WRITE_ERRORS = ("400", "401", "403", "404", "409", "422")


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_api_user())


@endpoint("/cycles/<id:cycle_id>/framework", "GET", summary="周期使用的评议指标体系（类别、指标、扣分规则原文）",
          tag="self-assessment", response=FRAMEWORK,
          query=[{"name": "unit_kind", "in": "query", "schema": {"type": "string", "enum": list(UNIT_KINDS)},
                  "description": "单位类别；省略时为本单位的类别（普法办等为市直部门）"}])
@require_roles()
def cycle_framework(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    unit = user.unit if user.role == "unit" else None
    kind = request.args.get("unit_kind") or (unit.kind if unit else "city_department")
    if kind not in UNIT_KINDS:
        raise BadRequest(f"unit_kind 只能是：{'、'.join(UNIT_KINDS)}")
    row = cycle.framework_for(kind)
    if row is None:
        raise NotFound("该考评周期没有指标体系")
    return jsonify(service.framework_json(row, unit if unit and unit.kind == kind else None))


@endpoint("/assessments/<id:assessment_id>/self-score", "GET", summary="单位的自测得分表（已保存的选择与计算结果）",
          tag="self-assessment", response=SELF_SCORE)
@require_roles()
def get_self_score(assessment_id: int):
    return jsonify(service.self_score_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/self-score", "PUT",
          summary="保存自测得分表草稿：列出适用的扣分（加分）规则；未列出的不扣分。得分由系统计算，不能填写",
          tag="self-assessment", response=SELF_SCORE, body=SELF_SCORE_INPUT, errors=WRITE_ERRORS)
@require_roles("unit")
def put_self_score(assessment_id: int):
    a = _assessment(assessment_id)
    service.save_entries(a, json_body(), actor=current_api_user())
    return jsonify(service.self_score_json(a))


def _problems_json(a):
    ws = service.workspace(a)
    problems = ws.problems or []
    return {"title": f"{a.unit.name}“八五”普法规划中期评估问题清单", "problems": problems,
            "warnings": service.problem_warnings(problems)}


@endpoint("/assessments/<id:assessment_id>/problems", "GET", summary="问题清单（附件4）及提示",
          tag="self-assessment", response=PROBLEMS)
@require_roles()
def get_problems(assessment_id: int):
    return jsonify(_problems_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/problems", "PUT", summary="保存问题清单（问题少于3个、多于8个或字数不在200—500之间时提示，不拦截）",
          tag="self-assessment", response=PROBLEMS, body=PROBLEMS_INPUT, errors=WRITE_ERRORS)
@require_roles("unit")
def put_problems(assessment_id: int):
    a = _assessment(assessment_id)
    service.save_problems(a, json_body(), actor=current_api_user())
    return jsonify(_problems_json(a))


def _cases_json(a):
    cases = service.workspace(a).cases or []
    return {"cases": cases, "checks": [service.case_checks(c) for c in cases], "required": service.needs_case(a)}


@endpoint("/assessments/<id:assessment_id>/cases", "GET", summary="典型创新案例（附件3）及检查结果",
          tag="self-assessment", response=CASES)
@require_roles()
def get_cases(assessment_id: int):
    return jsonify(_cases_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/cases", "PUT", summary="保存典型创新案例（县区至少1个）",
          tag="self-assessment", response=CASES, body=CASES_INPUT, errors=WRITE_ERRORS)
@require_roles("unit")
def put_cases(assessment_id: int):
    a = _assessment(assessment_id)
    service.save_cases(a, json_body(), actor=current_api_user())
    return jsonify(_cases_json(a))


def _report_json(a):
    return {"text": service.workspace(a).report_text,
            "files": [{"id": f.id, "name": f.original_name, "size": f.size}
                      for f in service.files(a, service.REPORT_OWNER)]}


@endpoint("/assessments/<id:assessment_id>/report", "GET", summary="自评报告（文字及上传的文件）",
          tag="self-assessment", response=REPORT)
@require_roles()
def get_report(assessment_id: int):
    return jsonify(_report_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/report", "PUT", summary="在线填写自评报告",
          tag="self-assessment", response=REPORT, body=REPORT_INPUT, errors=WRITE_ERRORS)
@require_roles("unit")
def put_report(assessment_id: int):
    a = _assessment(assessment_id)
    body = json_body()
    if set(body) - {"text"}:
        raise ValidationFailed({k: "不接受此字段" for k in set(body) - {"text"}})
    service.save_report_text(a, body.get("text"), actor=current_api_user())
    return jsonify(_report_json(a))


def _upload(assessment_id: int, kind: str):
    a = _assessment(assessment_id)
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed({"file": "请选择要上传的文件（multipart 字段 file）"})
    row = service.upload(a, file, actor=current_api_user(), kind=kind)
    return jsonify({"id": row.id, "name": row.original_name, "size": row.size}), 201


MULTIPART = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}


@endpoint("/assessments/<id:assessment_id>/report/file", "POST", summary="上传自评报告文件（Word、WPS、PDF、OFD）",
          tag="self-assessment", response=UPLOAD, status=201, errors=WRITE_ERRORS)
@require_roles("unit")
def upload_report(assessment_id: int):
    return _upload(assessment_id, service.REPORT_OWNER)


@endpoint("/assessments/<id:assessment_id>/evidence", "POST", summary="上传佐证材料（其编号可写入得分表条目的 evidence）",
          tag="self-assessment", response=UPLOAD, status=201, errors=WRITE_ERRORS)
@require_roles("unit")
def upload_self_assessment_evidence(assessment_id: int):
    return _upload(assessment_id, service.EVIDENCE_OWNER)


def _completeness_json(a):
    c = service.completeness(a)
    reason = service.return_reason(a) if a.status == "returned" else None
    return {"missing": c.missing, "due_on": iso(c.due_on), "late": c.late,
            "return_reason": reason.comment if reason else None}


@endpoint("/assessments/<id:assessment_id>/completeness", "GET", summary="自评材料完整性（还缺什么）、截止日期、退回理由",
          tag="self-assessment", response=COMPLETENESS)
@require_roles()
def get_completeness(assessment_id: int):
    return jsonify(_completeness_json(_assessment(assessment_id)))


@endpoint("/assessments/<id:assessment_id>/submit", "POST", summary="提交自评（材料不全或已过本单位截止日期时拒绝并说明原因）",
          tag="self-assessment", response=ASSESSMENT, body=SUBMIT_INPUT, errors=WRITE_ERRORS)
@require_roles("unit")
def submit(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict) or set(body) - {"comment", "version"}:
        raise ValidationFailed({"body": "只接受 comment 与 version；自测得分由系统计算"})
    version = body.get("version")
    service.submit(a, actor=user, comment=body.get("comment") if isinstance(body.get("comment"), str) else None,
                   expected_version=version if isinstance(version, int) and not isinstance(version, bool) else None)
    return jsonify(assessment_json(a, user))


@endpoint("/assessments/<id:assessment_id>/extension", "POST", summary="延长单位的自评截止日期（普法办，须写明理由，记入审计日志）",
          tag="self-assessment", response=EXTENDED, body=EXTENSION_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def extend(assessment_id: int):
    user = current_api_user()
    a = _assessment(assessment_id)
    body = json_body()
    if set(body) - {"new_due_date", "reason"}:
        raise ValidationFailed({k: "不接受此字段" for k in set(body) - {"new_due_date", "reason"}})
    cycle_service.extend_deadline(a, body.get("new_due_date"), body.get("reason"), actor=user)
    out = assessment_json(a, user)
    out["due_on"] = iso(a.due_on)
    return jsonify(out)


@endpoint("/assessments/<id:assessment_id>/self-score.docx", "GET", summary="下载自测得分表（Word）",
          tag="self-assessment", response=DOCX_DOWNLOAD, media_type=DOCX_MIME, errors=("401", "403", "404"))
@require_roles()
def self_score_docx(assessment_id: int):
    a = _assessment(assessment_id)
    return docx_response(score_sheet_docx(a), download_filename("自测得分表", a.unit.name, str(a.cycle.year)))


@endpoint("/assessments/<id:assessment_id>/problems.docx", "GET", summary="下载问题清单（Word，附件4格式）",
          tag="self-assessment", response=DOCX_DOWNLOAD, media_type=DOCX_MIME, errors=("401", "403", "404"))
@require_roles()
def problems_docx(assessment_id: int):
    a = _assessment(assessment_id)
    return docx_response(problem_list_docx(a), download_filename("问题清单", a.unit.name, str(a.cycle.year)))


@endpoint("/cycles/<id:cycle_id>/self-scores.xlsx", "GET", summary="下载本周期各单位自测得分汇总（.xlsx）",
          tag="self-assessment", response=XLSX_DOWNLOAD, media_type=XLSX_MIME, errors=("401", "403", "404"))
@require_roles("office", "viewer")
def self_scores(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    data = self_scores_xlsx(cycle, user)
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, max_age=0,
                         download_name=download_filename("自测得分汇总", cycle.name, ext="xlsx"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- the framework library ------------------------------------------------------
def _framework(framework_id: int) -> FrameworkVersion:
    row = db.session.get(FrameworkVersion, framework_id)
    if row is None:
        raise NotFound("未找到该指标体系")
    return row


@endpoint("/frameworks", "GET", summary="指标体系库（各版本）", tag="self-assessment", response=LIBRARY)
@require_roles("office", "viewer")
def list_frameworks():
    return jsonify({"items": [service.framework_json(r) for r in framework_service.library()]})


@endpoint("/frameworks/<id:framework_id>", "PUT", summary="修改指标体系（已启动周期使用的版本被冻结，拒绝并说明原因）",
          tag="self-assessment", response=FRAMEWORK, body=FRAMEWORK_INPUT, errors=WRITE_ERRORS)
@require_roles("office")
def update_framework(framework_id: int):
    row = framework_service.update(_framework(framework_id), json_body(), actor=current_api_user())
    return jsonify(service.framework_json(row))


@endpoint("/frameworks/<id:framework_id>/copy", "POST", summary="复制指标体系为新版本（用于新周期）",
          tag="self-assessment", response=FRAMEWORK, status=201, errors=WRITE_ERRORS,
          body={"type": "object", "required": ["version"], "properties": {
              "version": {"type": "string", "maxLength": 20, "minLength": 1, "pattern": r"\S"}}})
@require_roles("office")
def copy_framework(framework_id: int):
    row = framework_service.copy(_framework(framework_id), json_body().get("version"), actor=current_api_user())
    return jsonify(service.framework_json(row)), 201


# -- editing a cycle ------------------------------------------------------------
CYCLE_UPDATE = schema("CycleUpdate", {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "maxLength": 100},
    "phases": {"type": "object", "additionalProperties": {"type": "object", "properties": {
        "start": {"type": "string", "format": "date"}, "due": {"type": "string", "format": "date"}}}}},
    "additionalProperties": False})
TEMPLATES = exact({"items": {"type": "array", "items": exact({
    "id": {"type": "string"}, "label": {"type": "string"},
    "phases": {"type": "object", "description": "阶段 → {start, due}（ISO 日期）",
               "additionalProperties": exact({"start": DATE_SCHEMA, "due": DATE_SCHEMA})}})}})


@endpoint("/cycles/<id:cycle_id>", "PATCH", summary="修改考评周期名称与阶段日期（普法办；已归档的周期不能修改）",
          tag="cycles", response=CYCLE, body=CYCLE_UPDATE, errors=WRITE_ERRORS)
@require_roles("office")
def update_cycle(cycle_id: int):
    from .serializers import cycle_json

    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    body = json_body()
    if set(body) - {"name", "phases"}:
        raise ValidationFailed({k: "不接受此字段" for k in set(body) - {"name", "phases"}})
    cycle_service.update_cycle(cycle, body, actor=user)
    return jsonify(cycle_json(cycle, user))


@endpoint("/cycles/<id:cycle_id>/units", "POST", summary="为草拟中的考评周期增加参评单位（普法办）",
          tag="cycles", body={"type": "object", "required": ["unit_ids"], "properties": {
              "unit_ids": {"type": "array", "items": ID_SCHEMA}}},
          response=exact({"added": {"type": "integer", "minimum": 0}}), errors=WRITE_ERRORS)
@require_roles("office")
def add_cycle_units(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    return jsonify({"added": cycle_service.add_units(cycle, json_body().get("unit_ids"), actor=user)})


@endpoint("/cycle-templates", "GET", summary="考评周期模板及其在某年度的阶段日期（已顺延至工作日）",
          tag="cycles", response=TEMPLATES,
          query=[{"name": "year", "in": "query", "description": "省略时为今年", "schema": {"type": "integer", "minimum": 2000,
                                                                             "maximum": 2100}}])
@require_roles("office")
def cycle_templates():
    from ..services.cycle_templates import TEMPLATES as KNOWN, phases_for

    from ..services.calendar import today

    year = request.args.get("year") or str(today().year)
    if not year.isdigit() or not 2000 <= int(year) <= 2100:
        raise BadRequest("year 应为 2000 到 2100 之间的年份")
    return jsonify({"items": [{"id": tid, "label": label, "phases": phases_for(tid, int(year))}
                              for tid, (label, _) in KNOWN.items()]})
