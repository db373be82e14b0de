"""The 自评 workspace page: a unit fills its sheet, report, problems and case, and submits;
the office reads it, returns or accepts it, extends the deadline and downloads the Word files.

Routes hang on the cycles blueprint (``cycles.assessment`` is the page every
link to an assessment names). Each form posts to one service call; a refused
score sheet is shown again with what was typed and the reason beside each row.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..documents.download import docx_response, download_filename
from ..errors import AppError, ValidationFailed
from ..frameworks import ScoreSheetInvalid, applicable_rules
from ..models import UnitAssessment
from ..models.cycles import RESULTS_PUBLISHED
from ..models.scoping import get_visible
from ..services import cycles as cycle_service
from ..services import record_suggestions, results
from ..services import self_assessment as service
from ..services.calendar import today
from ..services.self_assessment_exports import problem_list_docx, score_sheet_docx
from .access import roles_required
from .cycles import bp


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_user)


def _editable(a: UnitAssessment) -> bool:
    return (current_user.role == "unit" and current_user.unit_id == a.unit_id
            and a.cycle.status == "self_assessment" and a.status in service.OPEN_FOR_EDIT)


def _render(a: UnitAssessment, *, entries=None, sheet_errors=None, record_notes=None, status=200):
    row = service.framework_row(a)
    ws = service.workspace(a)
    saved_entries = ws.entries if entries is None else entries
    # a sheet never saved opens with the filing record's deductions pre-selected
    preselected = saved_entries is None and row.kind == "score_sheet"
    if preselected:
        saved_entries = record_suggestions.preselected(a) or None
    by_rule = {}
    for e in saved_entries or []:
        by_rule.setdefault(e.get("rule_id"), e)
    sheet = None
    if row.kind == "score_sheet":
        try:
            sheet = service.sheet(a, saved_entries or [])
        except ScoreSheetInvalid:  # a refused draft is shown with its errors, totals from the saved sheet
            sheet = service.sheet(a)
    usable = ({r.id for r in applicable_rules(row.framework, a.unit.has_enforcement_power)}
              if row.kind == "score_sheet" else set())
    scores = {}
    if sheet is not None:
        scores = {i.number: i for c in sheet.categories for i in c.indicators}
        scores.update({i.number: i for i in sheet.bonus_indicators})
    problems = ws.problems or []
    cases = ws.cases or []
    returned = service.return_reason(a) if a.status == "returned" else None
    return render_template(
        "cycles/assessment.html", a=a, fw=row.framework, fw_row=row, ws=ws, by_rule=by_rule, usable=usable,
        sheet=sheet, scores=scores, sheet_errors=sheet_errors or {}, editable=_editable(a),
        answers={x["item"]: x for x in ws.answers or []}, answer_labels=service.ANSWERS,
        problems=problems, problem_warnings=service.problem_warnings(problems) if problems else [],
        cases=cases or [{}], case_checks=[service.case_checks(c) for c in cases],
        needs_case=service.needs_case(a), missing=service.missing(a), due_on=a.due_on, late=a.is_late(today()),
        returned=returned, result_shown=a.result_visible_to(current_user),
        opinion=results.opinion(a) if a.cycle.status in RESULTS_PUBLISHED else None, record={line.rule_id: line for line in record_suggestions.lines(
            a, entries=None if entries is None else entries)} if row.kind == "score_sheet" else {},
        record_preselected=preselected and bool(saved_entries), record_notes=record_notes or {},
        report_files=service.files(a, service.REPORT_OWNER),
        evidence_files=service.files(a, service.EVIDENCE_OWNER), limits={
            "problem_min": service.PROBLEM_BODY[0], "problem_max": service.PROBLEM_BODY[1],
            "title_max": service.CASE_TITLE_MAX, "practice_min": service.CASE_PRACTICE_MIN}), status


def _ws_version(form) -> int | None:
    value = form.get("ws_version", "")
    return int(value) if value.isdigit() else None


def _back(a, anchor: str = ""):
    return redirect(url_for("cycles.assessment", assessment_id=a.id) + (f"#{anchor}" if anchor else ""))


@bp.route("/assessments/<id:assessment_id>")
@roles_required()
def assessment(assessment_id: int):
    return _render(_assessment(assessment_id))


def _sheet_entries(a, form) -> list[dict]:
    row = service.framework_row(a)
    if row.kind == "checklist":
        out = []
        for item in row.framework.items:
            answer = form.get(f"answer_{item.number}")
            if answer:
                out.append({"item": item.number, "answer": answer, "note": form.get(f"note_{item.number}", "")})
        return out
    entries = []
    for ind in row.framework.indicators():
        for rule in ind.rules:
            if form.get(f"use_{rule.id}") != "1":
                continue
            e = {"rule_id": rule.id}
            count = form.get(f"count_{rule.id}", "").strip()
            if count:
                e["count"] = int(count) if count.lstrip("-").isdigit() else count
            if rule.kind == "tier":
                e["tier"] = form.get(f"tier_{rule.id}") or None
            note = form.get(f"note_{rule.id}", "").strip()
            if note:
                e["note"] = note
            evidence = [int(x) for x in form.getlist(f"evidence_{rule.id}") if x.isdigit()]
            if evidence:
                e["evidence"] = evidence
            entries.append({k: v for k, v in e.items() if v is not None})
    return entries


@bp.route("/assessments/<id:assessment_id>/sheet", methods=["POST"])
@roles_required("unit")
def save_sheet(assessment_id: int):
    a = _assessment(assessment_id)
    entries = _sheet_entries(a, request.form)
    notes = {key[len("record_note_"):]: value.strip() for key, value in request.form.items()
             if key.startswith("record_note_") and value.strip()}
    try:
        service.save_entries(a, {"entries": entries, "record_notes": notes}, actor=current_user,
                             expected_version=_ws_version(request.form))
    except ValidationFailed as exc:
        flash(f"得分表未保存：{exc.message}", "error")
        rules = {}
        for key, message in exc.fields.items():
            if key.startswith("record_notes."):
                rules[f"record:{key.split('.', 1)[1]}"] = message
            if key.startswith("entries.") and key.split(".")[1].isdigit():
                index = int(key.split(".")[1])
                if index < len(entries):
                    rules[entries[index].get("rule_id") or entries[index].get("item")] = message
        if service.framework_row(a).kind == "checklist":
            return _back(a, "sheet")
        return _render(a, entries=entries, sheet_errors=rules, record_notes=notes, status=422)
    except AppError as exc:
        flash(exc.message, "error")
        return _back(a)
    flash("得分表草稿已保存，得分已由系统重新计算", "success")
    return _back(a, "sheet")


@bp.route("/assessments/<id:assessment_id>/report", methods=["POST"])
@roles_required("unit")
def save_report(assessment_id: int):
    a = _assessment(assessment_id)
    try:
        service.save_report_text(a, request.form.get("text", ""), actor=current_user,
                                 expected_version=_ws_version(request.form))
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash("自评报告已保存", "success")
    return _back(a, "report")


@bp.route("/assessments/<id:assessment_id>/upload", methods=["POST"])
@roles_required("unit")
def upload(assessment_id: int):
    a = _assessment(assessment_id)
    kind = service.REPORT_OWNER if request.form.get("kind") == "report" else service.EVIDENCE_OWNER
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise ValidationFailed({"file": "请选择要上传的文件"})
        row = service.upload(a, file, actor=current_user, kind=kind)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已上传“{row.original_name}”", "success")
    return _back(a, "report" if kind == service.REPORT_OWNER else "sheet")


@bp.route("/assessments/<id:assessment_id>/problems", methods=["POST"])
@roles_required("unit")
def save_problems(assessment_id: int):
    a = _assessment(assessment_id)
    titles, bodies = request.form.getlist("problem_title"), request.form.getlist("problem_body")
    problems = [{"title": t, "body": b} for t, b in zip(titles, bodies) if t.strip() or b.strip()]
    try:
        warnings = service.save_problems(a, {"problems": problems}, actor=current_user,
                                         expected_version=_ws_version(request.form))
    except AppError as exc:
        flash(f"问题清单未保存：{exc.message}", "error")
    else:
        flash("问题清单已保存" + ("。提示：" + "；".join(warnings) if warnings else ""),
              "info" if warnings else "success")
    return _back(a, "problems")


@bp.route("/assessments/<id:assessment_id>/cases", methods=["POST"])
@roles_required("unit")
def save_cases(assessment_id: int):
    a = _assessment(assessment_id)
    keys = ("title", "background", "practice", "lessons")
    columns = [request.form.getlist(f"case_{k}") for k in keys]
    cases = [dict(zip(keys, values)) for values in zip(*columns) if any(v.strip() for v in values)]
    try:
        checks = service.save_cases(a, {"cases": cases}, actor=current_user,
                                    expected_version=_ws_version(request.form))
    except AppError as exc:
        flash(f"典型案例未保存：{exc.message}", "error")
    else:
        failed = [c["detail"] for cs in checks for c in cs if not c["ok"]]
        flash("典型创新案例已保存" + ("。提示：" + "；".join(failed) if failed else ""),
              "info" if failed else "success")
    return _back(a, "cases")


@bp.route("/assessments/<id:assessment_id>/submit", methods=["POST"])
@roles_required("unit")
def submit(assessment_id: int):
    a = _assessment(assessment_id)
    version = request.form.get("version", "")
    try:
        service.submit(a, actor=current_user, comment=request.form.get("comment") or None,
                       expected_version=int(version) if version.isdigit() else None)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"自评材料已提交，自测得分 {a.self_score if a.self_score is not None else '（检查清单，不计分）'}", "success")
    return _back(a)


@bp.route("/assessments/<id:assessment_id>/extend", methods=["POST"])
@roles_required("office")
def extend(assessment_id: int):
    a = _assessment(assessment_id)
    try:
        cycle_service.extend_deadline(a, request.form.get("new_due_date"), request.form.get("reason"),
                                      actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已将{a.unit.name}的自评截止日期延至{a.due_on.isoformat()}", "success")
    return _back(a)


@bp.route("/assessments/<id:assessment_id>/self-score.docx")
@roles_required()
def self_score_docx(assessment_id: int):
    a = _assessment(assessment_id)
    return docx_response(score_sheet_docx(a), download_filename("自测得分表", a.unit.name, str(a.cycle.year)))


@bp.route("/assessments/<id:assessment_id>/problems.docx")
@roles_required()
def problems_docx(assessment_id: int):
    a = _assessment(assessment_id)
    return docx_response(problem_list_docx(a), download_filename("问题清单", a.unit.name, str(a.cycle.year)))
