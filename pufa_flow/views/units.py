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
from ..request_guard import checks_own_form
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


#: what the blank contact rows offer first: one row for each role, in this order
DEFAULT_CONTACT_ROLES = ("principal", "leader", "liaison")


def _submitted_rows() -> list[dict]:
    """Every contact row as typed, blank ones included (the page shows them again on an error)."""
    rows = zip(request.form.getlist("contact_role"), request.form.getlist("contact_name"),
               request.form.getlist("contact_phone"), request.form.getlist("contact_email"))
    return [{"role": r, "name": n, "phone": p, "email": e} for r, n, p, e in rows]


def _filled(row: dict) -> bool:
    """A row with anything typed in it is a contact (a phone without a name is an error, not dropped)."""
    return any((row.get(k) or "").strip() for k in ("name", "phone", "email"))


def _form_rows(unit: Unit | None, submitted: list[dict] | None = None) -> list[dict]:
    """The rows the form shows: what was submitted, else the unit's contacts, then blank
    rows up to three at least, each blank row defaulting to the next role not yet given."""
    if submitted is not None:
        rows = [dict(r) for r in submitted]
    else:
        rows = [{"role": c.role, "name": c.name, "phone": c.phone or "", "email": c.email or ""}
                for c in (unit.contacts if unit else [])]
    if submitted is None or not rows:
        taken = [r["role"] for r in rows]
        free = [role for role in DEFAULT_CONTACT_ROLES if role not in taken] or ["liaison"]
        for i in range(max(len(rows) + 1, 3) - len(rows)):
            rows.append({"role": free[min(i, len(free) - 1)], "name": "", "phone": "", "email": ""})
    return rows


def _contact_messages(exc: ValidationFailed, kept: list[int]) -> list[str]:
    """Errors naming the row the user sees (``contacts[0].phone`` -> 联系人第2行)."""
    import re

    messages = []
    for key, message in exc.fields.items():
        match = re.match(r"contacts\[(\d+)\]", key)
        if match and int(match.group(1)) < len(kept):
            message = f"联系人第{kept[int(match.group(1))] + 1}行：{message}"
        messages.append(message)
    return messages


def _save(unit: Unit | None):
    form = _unit_form(unit)
    if form.validate_on_submit():
        submitted = _submitted_rows()
        kept = [i for i, row in enumerate(submitted) if _filled(row)]
        data = {"name": form.name.data, "kind": form.kind.data,
                "parent_id": form.parent_id.data or None,
                "has_enforcement_power": form.has_enforcement_power.data,
                "contacts": [submitted[i] for i in kept]}
        try:
            if unit is None:
                unit = unit_service.create_unit(data, actor=current_user)
            else:
                unit_service.update_unit(unit, data, actor=current_user)
        except ValidationFailed as exc:
            for message in _contact_messages(exc, kept):
                flash(message, "error")
            return render_template("units/form.html", form=form, unit=unit,
                                   contact_rows=_form_rows(unit, submitted)), 422
        flash(f"已保存：{unit.name}", "success")
        return redirect(url_for("units.show", unit_id=unit.id))
    return (render_template("units/form.html", form=form, unit=unit, contact_rows=_form_rows(unit)),
            422 if form.is_submitted() else 200)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def create():
    return _save(None)


@bp.route("/<id:unit_id>/edit", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def edit(unit_id: int):
    return _save(get_visible(Unit, unit_id, current_user))
