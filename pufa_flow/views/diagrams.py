"""Each workflow drawn from its own definition, so the picture cannot drift."""
from __future__ import annotations

from flask import Blueprint, render_template

from workflows import WORKFLOWS

from .access import roles_required

bp = Blueprint("workflows", __name__, url_prefix="/workflows")


@bp.route("/")
@roles_required()
def index():
    return render_template("workflows/index.html", workflows=WORKFLOWS.values())
