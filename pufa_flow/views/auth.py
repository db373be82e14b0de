"""Sign-in and sign-out pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..errors import Unauthorized
from ..services import auth as auth_service
from .forms import ActionForm, LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site; browsers read "/\\host" and "/<tab>/host" as "//host"."""
    if (target and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and not any(ord(ch) < 32 or ord(ch) == 127 for ch in target)
            and urlsplit(target).netloc == "" and urlsplit(target).scheme == ""):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = auth_service.authenticate(form.username.data, form.password.data)
        except Unauthorized as exc:
            flash(exc.message, "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            auth_service.sign_out(current_user._get_current_object())
        logout_user()
        flash("您已安全退出", "info")
    return redirect(url_for("auth.login"))
