"""Unit directory pages."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import ValidationFailed
from ..extensions import db
from ..models import UNIT_KINDS, Unit
from ..models.scoping import get_visible, scoped_select
from ..services import units as unit_service
from .access import roles_required
from .forms import UnitForm
from ..services.validation import MAX_LEN
from .pagination import paginate

bp = Blueprint("units", __name__, url_prefix="/units")


@bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Unit, current_user).options(selectinload(Unit.contacts)).order_by(Unit.kind, Unit.id)
    q = request.args.get("q", "").strip()
    if len(q) > MAX_LEN["search"]:
        flash(f"搜索词不能超过{MAX_LEN['search']}个字符", "error")
        q = ""
    if q:
        stmt = stmt.where(Unit.name.contains(q))
    return render_template("units/index.html", page=paginate(stmt), q=q, kinds=UNIT_KINDS)


@bp.route("/<id:unit_id>")
@roles_required()
def show(unit_id: int):
    return render_template("units/show.html", unit=get_visible(Unit, unit_id, current_user))


def _unit_form(unit: Unit | None = None) -> UnitForm:
    form = UnitForm(obj=unit)
    form.kind.choices = list(UNIT_KINDS.items())
    parents = db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.kind != "town").order_by(Unit.name)).all()
    form.parent_id.choices = [("", "（无）")] + [(str(i), n) for i, n in parents if not unit or i != unit.id]
    if unit is not None and request.method == "GET":
        form.parent_id.data = str(unit.parent_id or "")
    return form


def _contacts_from_form() -> list[dict]:
    rows = zip(request.form.getlist("contact_role"), request.form.getlist("contact_name"),
               request.form.getlist("contact_phone"), request.form.getlist("contact_email"))
    return [{"role": r, "name": n, "phone": p, "email": e} for r, n, p, e in rows if n.strip()]


def _save(unit: Unit | None):
    form = _unit_form(unit)
    if form.validate_on_submit():
        data = {"name": form.name.data, "kind": form.kind.data,
                "parent_id": form.parent_id.data or None,
                "has_enforcement_power": form.has_enforcement_power.data,
                "contacts": _contacts_from_form()}
        try:
            if unit is None:
                unit = unit_service.create_unit(data, actor=current_user)
            else:
                unit_service.update_unit(unit, data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return render_template("units/form.html", form=form, unit=unit), 422
        flash(f"已保存：{unit.name}", "success")
        return redirect(url_for("units.show", unit_id=unit.id))
    return render_template("units/form.html", form=form, unit=unit), 422 if form.is_submitted() else 200


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
def create():
    return _save(None)


@bp.route("/<id:unit_id>/edit", methods=["GET", "POST"])
@roles_required("office")
def edit(unit_id: int):
    return _save(get_visible(Unit, unit_id, current_user))
