"""Assessment cycle pages: the list, creating a cycle, the office's board, and exports."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..errors import AppError
from ..extensions import db
from ..models import PHASES, UNIT_KINDS, Cycle, Unit, UnitAssessment
from ..models.scoping import get_visible, scoped_select
from ..services import cycle_board, frameworks
from ..services import cycles as cycle_service
from ..services.calendar import today
from ..services.cycle_templates import TEMPLATES, phases_for
from ..services.self_assessment_exports import XLSX_MIME, self_scores_xlsx
from ..documents.download import download_filename
from .access import roles_required
from ..services.validation import choices_text, shown
from .pagination import paginate

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


@bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Cycle, current_user).order_by(Cycle.year.desc(), Cycle.id.desc())
    return render_template("cycles/index.html", page=paginate(stmt))


def _form_data(form) -> dict:
    """The cycle form as the service's dictionary (the service checks every field)."""
    phases = {p: {"start": form.get(f"{p}_start") or None, "due": form.get(f"{p}_due") or None} for p in PHASES}
    year = form.get("year", "").strip()
    chosen = {}
    for kind in UNIT_KINDS:
        value = form.get(f"framework_{kind}", "")
        if value.isdigit():
            chosen[kind] = int(value)
    return {
        "name": form.get("name", ""), "year": int(year) if year.isdigit() else year,
        "template": form.get("template") or None,
        "phases": {p: v for p, v in phases.items() if v["start"] or v["due"]} or None,
        "unit_kinds": form.getlist("unit_kinds") or None,
        "unit_ids": [int(i) for i in form.getlist("unit_ids") if i.isdigit()],
        "frameworks": chosen or None,
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
def new():
    """From scratch, or from the 003 template for a year (dates moved to working days)."""
    form = request.form if request.method == "POST" else request.args
    data = _form_data(form)
    errors: dict = {}
    if request.method == "POST" and form.get("action") == "prefill":
        if data["template"] and isinstance(data["year"], int):
            try:
                data["phases"] = phases_for(data["template"], data["year"])
            except AppError as exc:
                errors = getattr(exc, "fields", {}) or {"template": exc.message}
        else:
            errors = {"template": "请先选择模板并填写年度"}
    elif request.method == "POST":
        try:
            cycle = cycle_service.create_cycle(data, actor=current_user)
        except AppError as exc:
            errors = getattr(exc, "fields", None) or {"form": exc.message}
            flash(exc.message, "error")
        else:
            flash(f"已新建考评周期“{cycle.name}”，共{cycle.assessments.count()}个参评单位", "success")
            return redirect(url_for("cycles.show", cycle_id=cycle.id))
    units = db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.kind, Unit.name)).all()
    return render_template("cycles/new.html", data=data, errors=errors, phases=PHASES, unit_kinds=UNIT_KINDS,
                           units=units, templates=TEMPLATES, library=frameworks.library(),
                           defaults=frameworks.DEFAULT_BY_KIND)


@bp.route("/<id:cycle_id>")
@roles_required()
def show(cycle_id: int):
    """The board: timeline with today, counts per state (each a link), late units, what blocks the next phase."""
    cycle = get_visible(Cycle, cycle_id, current_user)
    base = scoped_select(UnitAssessment, current_user).where(UnitAssessment.cycle_id == cycle.id)
    on = today()
    status, code = request.args.get("status", ""), 200
    states = UnitAssessment.workflow.definition.states
    if status and status not in states:
        flash(f"status 不正确：{shown(status)}（可选：{choices_text(states)}）", "error")
        status, code = "", 400
    late = request.args.get("late") == "1"
    stmt = base.where(UnitAssessment.status == status) if status else base
    if late:
        stmt = stmt.where(cycle_board.late_filter(cycle, on))
    counts = _status_counts(base)
    stmt = stmt.join(Unit, Unit.id == UnitAssessment.unit_id).order_by(Unit.name, UnitAssessment.id)
    return render_template("cycles/show.html", cycle=cycle, counts=counts, status=status, late=late, today=on,
                           late_total=cycle_board.late_count(base, cycle, on),
                           board_states=cycle_board.BOARD_STATES, timeline=cycle_board.timeline(cycle, on),
                           blockers=cycle_board.blockers(cycle, counts) if current_user.role in ("office", "viewer") else [],
                           assessment_states=UnitAssessment.workflow.definition.states,
                           page=paginate(stmt)), code


def _status_counts(base) -> dict[str, int]:
    sub = base.subquery()
    rows = db.session.execute(sa.select(sub.c.status, sa.func.count()).group_by(sub.c.status)).all()
    return {status: n for status, n in rows}


@bp.route("/<id:cycle_id>/bulletin")
@roles_required("office", "viewer")
def bulletin(cycle_id: int):
    """The cycle's 考评情况通报 as a Word document in the 公文 format, units listed by grade."""
    from ..documents.responses import bulletin_response

    return bulletin_response(get_visible(Cycle, cycle_id, current_user))


@bp.route("/<id:cycle_id>/self-scores.xlsx")
@roles_required("office", "viewer")
def self_scores(cycle_id: int):
    cycle = get_visible(Cycle, cycle_id, current_user)
    response = send_file(io.BytesIO(self_scores_xlsx(cycle, current_user)), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=download_filename("自测得分汇总", cycle.name, ext="xlsx"), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<id:cycle_id>/edit", methods=["GET", "POST"])
@roles_required("office")
def edit(cycle_id: int):
    cycle = get_visible(Cycle, cycle_id, current_user)
    errors: dict = {}
    if request.method == "POST":
        data = _form_data(request.form)
        try:
            cycle_service.update_cycle(cycle, {"name": data["name"], "phases": data["phases"]}, actor=current_user)
        except AppError as exc:
            errors = getattr(exc, "fields", None) or {"form": exc.message}
            flash(exc.message, "error")
        else:
            flash("考评周期已保存", "success")
            return redirect(url_for("cycles.show", cycle_id=cycle.id))
    units = []
    if cycle.status == "draft":
        present = set(db.session.scalars(sa.select(UnitAssessment.unit_id).where(UnitAssessment.cycle_id == cycle.id)))
        units = [u for u in db.session.scalars(sa.select(Unit).where(Unit.is_active.is_(True))
                                               .order_by(Unit.kind, Unit.name)) if u.id not in present]
    return render_template("cycles/edit.html", cycle=cycle, errors=errors, phases=PHASES, units=units)


@bp.route("/<id:cycle_id>/units", methods=["POST"])
@roles_required("office")
def add_units(cycle_id: int):
    cycle = get_visible(Cycle, cycle_id, current_user)
    try:
        n = cycle_service.add_units(cycle, [int(i) for i in request.form.getlist("unit_ids") if i.isdigit()],
                                    actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已增加{n}个参评单位", "success")
    return redirect(url_for("cycles.show", cycle_id=cycle.id))

