"""Assessment cycle pages: the cycle, its phases and every unit's progress."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, render_template, request
from flask_login import current_user

from ..extensions import db
from ..models import Cycle, UnitAssessment
from ..models.scoping import get_visible, scoped_select
from .access import roles_required
from ..services.validation import choices_text, shown
from .pagination import paginate

bp = Blueprint("cycles", __name__, url_prefix="/cycles")


@bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Cycle, current_user).order_by(Cycle.year.desc(), Cycle.id.desc())
    return render_template("cycles/index.html", page=paginate(stmt))


@bp.route("/<id:cycle_id>")
@roles_required()
def show(cycle_id: int):
    cycle = get_visible(Cycle, cycle_id, current_user)
    base = scoped_select(UnitAssessment, current_user).where(UnitAssessment.cycle_id == cycle.id)
    status, code = request.args.get("status", ""), 200
    states = UnitAssessment.workflow.definition.states
    if status and status not in states:
        flash(f"status 不正确：{shown(status)}（可选：{choices_text(states)}）", "error")
        status, code = "", 400
    stmt = base.where(UnitAssessment.status == status) if status else base
    counts = _status_counts(base)
    return render_template("cycles/show.html", cycle=cycle, counts=counts, status=status,
                           assessment_states=UnitAssessment.workflow.definition.states,
                           page=paginate(stmt.order_by(UnitAssessment.id))), code


def _status_counts(base) -> dict[str, int]:
    sub = base.subquery()
    rows = db.session.execute(sa.select(sub.c.status, sa.func.count()).group_by(sub.c.status)).all()
    return {status: n for status, n in rows}


@bp.route("/assessments/<id:assessment_id>")
@roles_required()
def assessment(assessment_id: int):
    a = get_visible(UnitAssessment, assessment_id, current_user)
    return render_template("cycles/assessment.html", a=a)


@bp.route("/<id:cycle_id>/bulletin")
@roles_required("office", "viewer")
def bulletin(cycle_id: int):
    """The cycle's 考评情况通报 as a Word document in the 公文 format, units listed by grade."""
    from ..documents.responses import bulletin_response

    return bulletin_response(get_visible(Cycle, cycle_id, current_user))
