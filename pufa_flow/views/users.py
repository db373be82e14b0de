"""Account administration pages (office only): create, edit, reset a password, unlock, deactivate."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import ROLES, Unit, User
from ..models.base import utcnow_naive
from ..models.scoping import get_visible, scoped_select
from ..request_guard import checks_own_form
from ..services import users as user_service
from .access import roles_required
from .forms import ActionForm, PasswordResetForm, UserEditForm, UserForm
from .pagination import paginate

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@roles_required("office")
def index():
    stmt = scoped_select(User, current_user).order_by(User.role, User.id)
    return render_template("users/index.html", page=paginate(stmt), now=utcnow_naive())


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def create():
    form = UserForm()
    _choices(form)
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


def _choices(form) -> None:
    form.role.choices = list(ROLES.items())
    units = db.session.execute(sa.select(Unit.id, Unit.name).order_by(Unit.name)).all()
    form.unit_id.choices = [("", "（非责任单位用户）")] + [(str(i), n) for i, n in units]


def _edit_page(user, form, status: int = 200):
    return render_template("users/edit.html", user=user, form=form, reset_form=PasswordResetForm(),
                           action_form=ActionForm(), now=utcnow_naive()), status


@bp.route("/<id:user_id>/edit", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def edit(user_id: int):
    user = get_visible(User, user_id, current_user)
    form = UserEditForm(data=None if request.method == "POST" else {
        "display_name": user.display_name, "role": user.role, "unit_id": str(user.unit_id or ""),
        "is_active": user.is_active_account})
    _choices(form)
    if form.validate_on_submit():
        data = {"display_name": form.display_name.data or "", "role": form.role.data,
                "unit_id": form.unit_id.data or None, "is_active": bool(form.is_active.data)}
        try:
            user_service.update_user(user, data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return _edit_page(user, form, 422)
        except Conflict as exc:
            flash(exc.message, "error")
            return _edit_page(user, form, 409)
        flash(f"已保存用户：{user.username}", "success")
        return redirect(url_for("users.edit", user_id=user.id))
    return _edit_page(user, form)


@bp.route("/<id:user_id>/password", methods=["POST"])
@roles_required("office")
def reset_password(user_id: int):
    user = get_visible(User, user_id, current_user)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            user_service.reset_password(user, form.password.data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return redirect(url_for("users.edit", user_id=user.id))
        flash(f"已重置 {user.username} 的密码；其原有登录和 API 令牌均已失效", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<id:user_id>/unlock", methods=["POST"])
@roles_required("office")
def unlock(user_id: int):
    user = get_visible(User, user_id, current_user)
    if ActionForm().validate_on_submit():
        user_service.unlock(user, actor=current_user)
        flash(f"已解除 {user.username} 的登录锁定", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<id:user_id>/active", methods=["POST"])
@roles_required("office")
def set_active(user_id: int):
    """One button: deactivate an active account, reactivate a deactivated one."""
    user = get_visible(User, user_id, current_user)
    if ActionForm().validate_on_submit():
        active = not user.is_active_account
        try:
            user_service.set_active(user, active, actor=current_user)
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("users.edit", user_id=user.id))
        flash(f"已{'启用' if active else '停用'}用户：{user.username}", "success")
    return redirect(url_for("users.edit", user_id=user.id))
