"""The unit's ICS calendar feed: no sign-in (calendar apps cannot), a token in the URL instead."""
from __future__ import annotations

from flask import Blueprint, Response, abort

from ..extensions import db
from ..models import Unit
from ..services.deadlines import token_is_valid, unit_ics

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@bp.route("/units/<id:unit_id>/<token>.ics")
def unit_ics_feed(unit_id: int, token: str):
    unit = db.session.get(Unit, unit_id)
    if unit is None or not token_is_valid(unit_id, token):
        abort(404)
    response = Response(unit_ics(unit), mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=deadlines.ics"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


