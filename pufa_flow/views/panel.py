"""Worklists and 评估验收 pages: the evaluator's units, findings and reports; the panel member's
score sheet beside the unit's own; the office's per-unit scores, mean, differences and final score.

Each form posts to one call of services/panel.py; a refusal is flashed and
the page shown again. Outside one's assignment every page is a 404.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import AppError, ValidationFailed
from ..frameworks import ScoreSheetInvalid, applicable_rules
from ..models import UnitAssessment
from ..models.scoping import get_visible
from ..services import record_suggestions
from ..services import panel as service
from ..services import self_assessment
from .access import roles_required
from .self_assessment import _sheet_entries

bp = Blueprint("panel", __name__)


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_user)


@bp.route("/worklist")
@roles_required("evaluator", "panel")
def worklist():
    items = service.worklist(current_user)
    return render_template("panel/worklist.html", items=items, progress=service.progress(items))


# -- the evaluator: findings and the 评估报告 -------------------------------------------
@bp.route("/worklist/assessments/<id:assessment_id>/field")
@roles_required("evaluator", "office", "viewer")
def field(assessment_id: int):
    a = _assessment(assessment_id)
    return _field_page(a)


def _field_page(a, findings=None, status=200):
    editable = current_user.role == "evaluator" and a.cycle.status in service.SCORING_CYCLE_STATES
    rows = service.findings(a) if findings is None else findings
    return render_template("panel/field.html", a=a, findings=rows + ([{}] if editable else []),
                           reports=service.reports(a), editable=editable), status


@bp.route("/worklist/assessments/<id:assessment_id>/findings", methods=["POST"])
@roles_required("evaluator")
def save_findings(assessment_id: int):
    a = _assessment(assessment_id)
    rows = []
    for n in range(service.MAX_FINDINGS + 1):
        title, body = request.form.get(f"title_{n}"), request.form.get(f"body_{n}")
        if title is None and body is None:
            break
        if (title or "").strip() or (body or "").strip():
            rows.append({"title": title or "", "body": body or ""})
    try:
        service.save_findings(a, {"findings": rows}, actor=current_user)
    except ValidationFailed as exc:
        flash(f"未保存：{exc.message}", "error")
        return _field_page(a, rows, 422)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for("panel.field", assessment_id=a.id))
    flash(f"已保存{len(rows)}个发现的问题", "success")
    return redirect(url_for("panel.field", assessment_id=a.id))


@bp.route("/worklist/assessments/<id:assessment_id>/report", methods=["POST"])
@roles_required("evaluator")
def upload_report(assessment_id: int):
    a = _assessment(assessment_id)
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise ValidationFailed({"file": "请选择要上传的文件"})
        row = service.upload_report(a, file, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已上传“{row.original_name}”", "success")
    return redirect(url_for("panel.field", assessment_id=a.id) + "#reports")


# -- the panel member: their sheet beside the unit's --------------------------------------
@bp.route("/worklist/assessments/<id:assessment_id>/score")
@roles_required("panel")
def score(assessment_id: int):
    a = _assessment(assessment_id)
    service.check_panel_member(current_user, a)
    return _score_page(a)


def _by_rule(entries) -> dict:
    out = {}
    for e in entries or []:
        out.setdefault(e.get("rule_id"), e)
    return out


def _scores(sheet) -> dict:
    return {i.number: i for i in service.indicators(sheet)} if sheet else {}


def _score_page(a, entries=None, errors=None, status=200):
    row = self_assessment.framework_row(a)
    own = service.own_sheet(a, current_user)
    if row.kind != "score_sheet":
        return render_template("panel/score.html", a=a, checklist=True, own=own, editable=False), status
    mine = own.entries if entries is None and own else (entries or [])
    try:
        my_sheet = service.computed(a, mine)
    except ScoreSheetInvalid:
        my_sheet = service.computed(a, own.entries if own else [])
    self_sheet = self_assessment.sheet(a)
    editable = ((own is None or own.status == "draft") and a.status == service.AWAITING_SCORE
                and a.cycle.status in service.SCORING_CYCLE_STATES)
    return render_template(
        "panel/score.html", a=a, checklist=False, fw=row.framework, own=own, editable=editable,
        usable={r.id for r in applicable_rules(row.framework, a.unit.has_enforcement_power)},
        self_rules=_by_rule(self_assessment.workspace(a).entries), my_rules=_by_rule(mine),
        self_scores=_scores(self_sheet), my_scores=_scores(my_sheet), self_sheet=self_sheet, my_sheet=my_sheet,
        record={line.rule_id: line for line in record_suggestions.lines(a)}, errors=errors or {}), status


@bp.route("/worklist/assessments/<id:assessment_id>/score", methods=["POST"])
@roles_required("panel")
def save_score(assessment_id: int):
    a = _assessment(assessment_id)
    service.check_panel_member(current_user, a)
    entries = [{k: v for k, v in e.items() if k != "evidence"} for e in _sheet_entries(a, request.form)]
    try:
        service.save_sheet(a, {"entries": entries}, actor=current_user)
    except ValidationFailed as exc:
        flash(f"评分表未保存：{exc.message}", "error")
        errors = {}
        for key, message in exc.fields.items():
            parts = key.split(".")
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(entries):
                errors[entries[int(parts[1])].get("rule_id")] = message
        return _score_page(a, entries, errors, 422)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for("panel.score", assessment_id=a.id))
    flash("评分表草稿已保存，得分已由系统计算", "success")
    return redirect(url_for("panel.score", assessment_id=a.id))


@bp.route("/worklist/assessments/<id:assessment_id>/score/submit", methods=["POST"])
@roles_required("panel")
def submit_score(assessment_id: int):
    a = _assessment(assessment_id)
    try:
        row = service.submit_sheet(a, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"评分表已提交，得分{row.total}", "success")
    return redirect(url_for("panel.score", assessment_id=a.id))


# -- the office: every sheet, the mean, the differences, the final score ------------------
@bp.route("/acceptance/assessments/<id:assessment_id>")
@roles_required("office", "viewer")
def scores(assessment_id: int):
    return _scores_page(_assessment(assessment_id))


def _scores_page(a, status=200):
    rows, totals = service.comparison(a)
    return render_template(
        "panel/scores.html", a=a, sheets=service.sheets(a), rows=rows, totals=totals,
        basis=service.final_basis(a) if a.review_score is not None else None,
        can_finalize=(current_user.role == "office" and a.status == service.AWAITING_SCORE
                      and a.cycle.status == "acceptance")), status


@bp.route("/acceptance/assessments/<id:assessment_id>/final-score", methods=["POST"])
@roles_required("office")
def final_score(assessment_id: int):
    a = _assessment(assessment_id)
    mode = request.form.get("mode", "mean")
    version = request.form.get("version", "")
    try:
        service.finalize(a, actor=current_user,
                         score=request.form.get("score") if mode == "designated" else None,
                         reason=request.form.get("reason") if mode == "designated" else None,
                         expected_version=int(version) if version.isdigit() and len(version) < 10 else None)
    except AppError as exc:
        flash(exc.message if not isinstance(exc, ValidationFailed) else "；".join(exc.fields.values()), "error")
        return _scores_page(a, exc.status)
    flash(f"最终得分已确认：{a.review_score}", "success")
    return redirect(url_for("panel.scores", assessment_id=a.id))
