"""Account administration pages (office only)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..errors import ValidationFailed
from ..extensions import db
from ..models import ROLES, Unit, User
from ..models.scoping import scoped_select
from ..services import users as user_service
from .access import roles_required
from .forms import UserForm
from .pagination import paginate

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@roles_required("office")
def index():
    stmt = scoped_select(User, current_user).order_by(User.role, User.id)
    return render_template("users/index.html", page=paginate(stmt))


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
def create():
    form = UserForm()
    form.role.choices = list(ROLES.items())
    units = db.session.execute(sa.select(Unit.id, Unit.name).order_by(Unit.name)).all()
    form.unit_id.choices = [("", "（非责任单位用户）")] + [(str(i), n) for i, n in units]
    if form.validate_on_submit():
        data = {"username": form.username.data, "display_name": form.display_name.data,
                "password": form.password.data, "role": form.role.data,
                "unit_id": form.unit_id.data or None}
        try:
            user = user_service.create_user(data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return render_template("users/form.html", form=form), 422
        flash(f"已创建用户：{user.username}", "success")
        return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form), 422 if form.is_submitted() else 200
