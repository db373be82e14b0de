"""Rectification pages: notices and the items units must close."""
from __future__ import annotations

from sqlalchemy.orm import selectinload
from flask import Blueprint, flash, render_template, request
from flask_login import current_user

from ..models import ITEM_CATEGORIES, Notice, RectificationItem
from ..models.scoping import get_visible, scoped_select
from ..services.calendar import today
from ..services.items import filtered_items
from .access import roles_required
from .pagination import paginate

notices_bp = Blueprint("notices", __name__, url_prefix="/notices")
items_bp = Blueprint("items", __name__, url_prefix="/items")


@notices_bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Notice, current_user).options(selectinload(Notice.items)).order_by(Notice.id.desc())
    return render_template("notices/index.html", page=paginate(stmt))


@notices_bp.route("/<int:notice_id>")
@roles_required()
def show(notice_id: int):
    return render_template("notices/show.html", notice=get_visible(Notice, notice_id, current_user),
                           today=today())


@items_bp.route("/")
@roles_required()
def index():
    try:
        stmt = filtered_items(current_user, request.args)
    except ValueError as exc:
        flash(str(exc), "error")
        stmt = filtered_items(current_user, {})
    return render_template("items/index.html", page=paginate(stmt), args=request.args,
                           states=RectificationItem.workflow.definition.states, today=today())


@items_bp.route("/<int:item_id>")
@roles_required()
def show(item_id: int):
    item = get_visible(RectificationItem, item_id, current_user)
    return render_template("items/show.html", item=item, categories=ITEM_CATEGORIES, today=today())
