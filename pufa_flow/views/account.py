"""The signed-in user's own account: change the password, list and revoke API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user

from ..errors import NotFound, ValidationFailed
from ..services import auth as auth_service
from ..services import users as user_service
from .access import roles_required
from .forms import ActionForm, PasswordChangeForm, TokenForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _flash_errors(exc: ValidationFailed) -> None:
    for message in (exc.fields or {"": exc.message}).values():
        flash(message, "error")


@bp.route("/password", methods=["GET", "POST"])
@roles_required()
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user_service.change_own_password(current_user._get_current_object(), form.current_password.data,
                                             form.new_password.data, form.confirm_password.data)
        except ValidationFailed as exc:
            _flash_errors(exc)
            return render_template("account/password.html", form=form), 422
        login_user(current_user._get_current_object())  # this session goes on under the new epoch
        flash("密码已修改；其他设备上的登录和全部 API 令牌已失效", "success")
        return redirect(url_for("account.tokens"))
    return render_template("account/password.html", form=form)


@bp.route("/tokens", methods=["GET", "POST"])
@roles_required()
def tokens():
    form = TokenForm()
    form.days.choices = [(d, f"{d}天") for d in TokenForm.DAYS]
    new_token = None
    if form.validate_on_submit():
        try:
            days = int(form.days.data)
            new_token = auth_service.issue_token(current_user._get_current_object(),
                                                 name=(form.name.data or "网页签发").strip()[:50] or "网页签发",
                                                 days=days)
        except (ValueError, ValidationFailed):
            flash("有效期无效", "error")
        else:
            flash("令牌已签发：请立即复制保存，离开本页后将无法再次查看", "success")
    return render_template("account/tokens.html", form=form, new_token=new_token,
                           tokens=auth_service.tokens_of(current_user._get_current_object()),
                           action_form=ActionForm(), now=auth_service.utcnow_naive())


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@roles_required()
def revoke(token_id: int):
    if ActionForm().validate_on_submit():
        try:
            row = auth_service.revoke_token(token_id, actor=current_user._get_current_object(),
                                            owner=current_user._get_current_object())
        except NotFound:
            abort(404)
        flash(f"令牌“{row.name}”已撤销", "success")
    return redirect(url_for("account.tokens"))
