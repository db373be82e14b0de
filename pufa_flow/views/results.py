"""评分定等 and 结果运用 pages: the ranking (rules, adjustments, confirm), 评估意见 per unit,
and the cycle's results page (publish, commendations, 通报批评, archive).

Each form posts to one call of services/results.py; a refusal is shown in
Chinese beside its field (the page again, with the status) and nothing is saved.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import AppError, ValidationFailed
from ..models import COMMENDATION_KINDS, GRADES, ITEM_CATEGORIES, QUOTA_KINDS, Cycle, UnitAssessment
from ..models.scoping import get_visible
from ..services import results as service
from .access import roles_required

bp = Blueprint("results", __name__)
#: blank problem rows offered beneath the saved ones on the opinion form
BLANK_PROBLEMS = 3


def _cycle(cycle_id: int) -> Cycle:
    return get_visible(Cycle, cycle_id, current_user)


def _assessment(assessment_id: int) -> UnitAssessment:
    return get_visible(UnitAssessment, assessment_id, current_user)


def _errors(exc: AppError) -> dict:
    return dict(exc.fields) if isinstance(exc, ValidationFailed) else {}


# -- the ranking -----------------------------------------------------------------------
@bp.route("/cycles/<id:cycle_id>/ranking")
@roles_required("office", "viewer")
def ranking(cycle_id: int):
    return _ranking_page(_cycle(cycle_id))


def _ranking_page(cycle, *, errors=None, form=None, adjust_for=None, status=200):
    rows = service.ranking(cycle)
    row = service.rules(cycle)
    editable = (current_user.role == "office" and cycle.status == service.GRADING_STATE
                and row.grades_confirmed_at is None)
    return render_template(
        "results/ranking.html", cycle=cycle, rows=rows, rules=row, counts=service.summary(rows),
        limit=service.quota_limit(row, len(rows)), editable=editable, grades=GRADES, quota_kinds=QUOTA_KINDS,
        errors=errors or {}, form=form or {}, adjust_for=adjust_for,
        unscored=[r for r in rows if r.assessment.status != "scored" and not r.assessment.grade]), status


@bp.route("/cycles/<id:cycle_id>/grading-rules", methods=["POST"])
@roles_required("office")
def save_rules(cycle_id: int):
    cycle = _cycle(cycle_id)
    form = {k: request.form.get(k, "") for k in ("excellent_min", "good_min", "pass_min", "excellent_quota",
                                                 "quota_kind", "rectification_workdays")}
    try:
        service.save_rules(cycle, form, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return _ranking_page(cycle, errors=_errors(exc), form=form, status=exc.status)
    flash("等次分数线和优秀名额已保存，排名已按新规则重新提出等次", "success")
    return redirect(url_for("results.ranking", cycle_id=cycle.id))


@bp.route("/assessments/<id:assessment_id>/grade-adjustment", methods=["POST"])
@roles_required("office")
def adjust(assessment_id: int):
    a = _assessment(assessment_id)
    form = {"grade": request.form.get("grade", ""), "reason": request.form.get("reason", "")}
    try:
        service.adjust_grade(a, form, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return _ranking_page(a.cycle, errors=_errors(exc), form=form, adjust_for=a.id, status=exc.status)
    flash(f"{a.unit.name}的等次已调整为「{GRADES[form['grade']]}」", "success")
    return redirect(url_for("results.ranking", cycle_id=a.cycle_id) + f"#unit-{a.unit_id}")


@bp.route("/cycles/<id:cycle_id>/grades/confirm", methods=["POST"])
@roles_required("office")
def confirm(cycle_id: int):
    cycle = _cycle(cycle_id)
    try:
        n = service.confirm_grades(cycle, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return _ranking_page(cycle, status=exc.status)
    flash(f"已确认 {n} 个单位的等次", "success")
    return redirect(url_for("results.ranking", cycle_id=cycle.id))


# -- 评估意见 ------------------------------------------------------------------------------
@bp.route("/assessments/<id:assessment_id>/opinion")
@roles_required("office", "viewer")
def opinion(assessment_id: int):
    return _opinion_page(_assessment(assessment_id))


def _opinion_page(a, *, form=None, errors=None, status=200):
    row = service.opinion(a)
    editable = (current_user.role == "office" and a.cycle.status in ("field_research", service.GRADING_STATE)
                and service.rules(a.cycle).published_at is None)
    if form is None:
        form = {"text": row.text if row else "", "problems": list(row.problems) if row else []}
    problems = form["problems"] + ([{}] * BLANK_PROBLEMS if editable else [])
    return render_template("results/opinion.html", a=a, row=row, form=form, problems=problems,
                           editable=editable, categories=ITEM_CATEGORIES, errors=errors or {}), status


def _problems_from_form() -> list[dict]:
    rows = []
    for n in range(service.MAX_PROBLEMS + BLANK_PROBLEMS):
        problem = request.form.get(f"problem_{n}")
        requirement = request.form.get(f"requirement_{n}")
        if problem is None and requirement is None:
            break
        if (problem or "").strip() or (requirement or "").strip():
            rows.append({"problem": problem or "", "requirement": requirement or "",
                         "category": request.form.get(f"category_{n}") or "other"})
    return rows


@bp.route("/assessments/<id:assessment_id>/opinion", methods=["POST"])
@roles_required("office")
def save_opinion(assessment_id: int):
    a = _assessment(assessment_id)
    form = {"text": request.form.get("text", ""), "problems": _problems_from_form()}
    try:
        service.save_opinion(a, form, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return _opinion_page(a, form=form, errors=_errors(exc), status=exc.status)
    flash(f"{a.unit.name}的评估意见已保存（{len(form['problems'])} 个问题）", "success")
    return redirect(url_for("results.opinion", assessment_id=a.id))


# -- the results page ---------------------------------------------------------------------
@bp.route("/cycles/<id:cycle_id>/results")
@roles_required("office", "viewer")
def show(cycle_id: int):
    return _results_page(_cycle(cycle_id))


def _results_page(cycle, *, errors=None, form=None, status=200):
    rows = service.ranking(cycle)
    row = service.rules(cycle)
    ops = service.opinions(cycle)
    return render_template(
        "results/show.html", cycle=cycle, rows=rows, rules=row, counts=service.summary(rows), opinions=ops,
        commendations=service.commendations(cycle), criticism=service.criticism_list(cycle),
        kinds=COMMENDATION_KINDS, grades=GRADES, errors=errors or {}, form=form or {},
        office=current_user.role == "office", archived=cycle.status == service.ARCHIVED), status


@bp.route("/cycles/<id:cycle_id>/publish", methods=["POST"])
@roles_required("office")
def publish(cycle_id: int):
    cycle = _cycle(cycle_id)
    try:
        out = service.publish_results(cycle, actor=current_user, comment=request.form.get("comment") or None)
    except AppError as exc:
        flash(exc.message, "error")
        return _results_page(cycle, status=exc.status)
    flash(f"考评结果已发布：已通知 {out['units']} 个单位，下发整改通知书 {len(out['notices'])} 份", "success")
    return redirect(url_for("results.show", cycle_id=cycle.id))


@bp.route("/cycles/<id:cycle_id>/commendations", methods=["POST"])
@roles_required("office")
def commend(cycle_id: int):
    cycle = _cycle(cycle_id)
    form = {k: request.form.get(k, "") for k in ("kind", "unit_id", "person_name", "post", "note")}
    try:
        row = service.add_commendation(cycle, form, actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return _results_page(cycle, errors=_errors(exc), form=form, status=exc.status)
    flash(f"已记录{row.kind_label}：{row.unit.name}{(' ' + row.person_name) if row.person_name else ''}", "success")
    return redirect(url_for("results.show", cycle_id=cycle.id) + "#commendations")


@bp.route("/cycles/<id:cycle_id>/commendations/<id:commendation_id>/delete", methods=["POST"])
@roles_required("office")
def uncommend(cycle_id: int, commendation_id: int):
    cycle = _cycle(cycle_id)
    try:
        service.delete_commendation(service.commendation_of(cycle, commendation_id), actor=current_user)
    except AppError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return _results_page(cycle, status=exc.status)
    flash("已删除该表彰记录", "success")
    return redirect(url_for("results.show", cycle_id=cycle.id) + "#commendations")


@bp.route("/cycles/<id:cycle_id>/archive", methods=["POST"])
@roles_required("office")
def archive(cycle_id: int):
    cycle = _cycle(cycle_id)
    try:
        n = service.archive(cycle, actor=current_user, comment=request.form.get("comment") or None)
    except AppError as exc:
        flash(exc.message, "error")
        return _results_page(cycle, status=exc.status)
    flash(f"考评周期已归档（{n} 个单位考评一并归档），此后只能查阅", "success")
    return redirect(url_for("results.show", cycle_id=cycle.id))
