"""Rectification item pages (整改事项): the list with its filters, and one item."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_login import current_user

from ..models import ITEM_CATEGORIES, RectificationItem
from ..models.scoping import get_visible
from ..services.calendar import today
from ..services import reminders
from ..services.items import filtered_items
from .access import roles_required
from .pagination import paginate

bp = Blueprint("items", __name__, url_prefix="/items")


@bp.route("/")
@roles_required()
def index():
    status = 200
    try:
        stmt = filtered_items(current_user, request.args)
    except ValueError as exc:  # a bad filter: say so, show the unfiltered list, answer 400
        flash(str(exc), "error")
        stmt, status = filtered_items(current_user, {}), 400
    return render_template("items/index.html", page=paginate(stmt), args=request.args,
                           states=RectificationItem.workflow.definition.states, today=today()), status


@bp.route("/<id:item_id>")
@roles_required()
def show(item_id: int):
    item = get_visible(RectificationItem, item_id, current_user)
    return render_template("items/show.html", item=item, categories=ITEM_CATEGORIES, today=today(),
                           timeline=reminders.preview(item))
