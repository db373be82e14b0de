"""The home page: what this role needs to see first."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user

from ..services import dashboard
from ..services.calendar import today
from .access import roles_required

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for("main.home"))


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for it at the root whatever the page says. Served from memory: a browser
    that drops the request half-way would otherwise leave the file open until collected."""
    from pathlib import Path

    from flask import Response

    data = (Path(current_app.static_folder) / "favicon.ico").read_bytes()
    response = Response(data, mimetype="image/vnd.microsoft.icon")
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response


@bp.route("/home")
@roles_required()
def home():
    unit_view = current_user.role == "unit"
    return render_template(
        "home.html", summary=dashboard.summary(current_user), today=today(),
        assessments=dashboard.current_assessments(current_user) if unit_view else [],
        open_items=dashboard.open_items(current_user) if unit_view else [],
        oldest_overdue=[] if unit_view else dashboard.oldest_overdue(current_user),
        overdue_by_unit=[] if unit_view else dashboard.overdue_by_unit(current_user))
