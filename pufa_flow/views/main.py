"""The home page: what this role needs to see first."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from ..services import dashboard
from .access import roles_required

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.route("/home")
@roles_required()
def home():
    return render_template("home.html", summary=dashboard.summary(current_user))
