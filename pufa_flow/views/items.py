"""Rectification item pages (整改事项): the list with its filters, one item with everything done on it."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..errors import AppError
from ..extensions import db
from ..models import ITEM_CATEGORIES, NOTICE_SOURCES, Attachment, Inspection, RectificationItem, Unit
from ..models.scoping import get_visible, scoped_select
from ..services import items as item_service
from ..services.attachments import path_of
from ..services.calendar import today
from ..services import reminders
from ..services.items import AGE_BUCKETS, BULK_ACTIONS, ITEM_LOADS, SORTS, filtered_items
from .access import roles_required
from .forms import ActionForm
from .pagination import paginate

bp = Blueprint("items", __name__, url_prefix="/items")
IMAGE_TYPES = {"image/jpeg", "image/png"}


def _filter_choices() -> dict:
    units = db.session.execute(scoped_select(Unit, current_user).with_only_columns(Unit.id, Unit.name)
                               .order_by(Unit.name)).all()
    inspections = []
    if current_user.role in ("office", "viewer"):
        inspections = db.session.execute(sa.select(Inspection.id, Inspection.name)
                                         .order_by(Inspection.id.desc())).all()
    return {"units": units, "inspections": inspections, "categories": ITEM_CATEGORIES,
            "sources": NOTICE_SOURCES, "sorts": SORTS, "ages": AGE_BUCKETS}


@bp.route("/")
@roles_required()
def index():
    status = 200
    try:
        stmt = filtered_items(current_user, request.args)
    except ValueError as exc:  # a bad filter: say so, show the unfiltered list, answer 400
        flash(str(exc), "error")
        stmt, status = filtered_items(current_user, {}), 400
    return render_template("items/index.html", page=paginate(stmt, deferred=True, load=ITEM_LOADS), args=request.args,
                           states=RectificationItem.workflow.definition.states, today=today(),
                           bulk_actions=BULK_ACTIONS, form=ActionForm(), **_filter_choices()), status


@bp.route("/<id:item_id>")
@roles_required()
def show(item_id: int):
    item = get_visible(RectificationItem, item_id, current_user)
    units = []
    if current_user.role == "office" and item.is_open:
        units = db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.is_active.is_(True), Unit.id != item.unit_id)
                                   .order_by(Unit.name)).all()
    return render_template("items/show.html", item=item, categories=ITEM_CATEGORIES, today=today(),
                           word=item_service.latest_office_word(item),
                           evidence=item_service.evidence_of(item, current_user),
                           image_types=IMAGE_TYPES, form=ActionForm(), units=units,
                           timeline=reminders.preview(item))


def _act(item_id: int, action):
    item = get_visible(RectificationItem, item_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        message = action(item)
    except AppError as exc:
        flash(exc.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for("items.show", item_id=item.id))


@bp.route("/<id:item_id>/evidence", methods=["POST"])
@roles_required("unit", "office")
def upload_evidence(item_id: int):
    def action(item):
        rows = item_service.add_evidence(item, request.files.getlist("files"), actor=current_user)
        return f"已上传 {len(rows)} 个佐证材料"
    return _act(item_id, action)


@bp.route("/<id:item_id>/notes", methods=["POST"])
@roles_required("unit", "office")
def add_note(item_id: int):
    def action(item):
        item_service.add_note(item, request.form.get("body"), actor=current_user)
        return "已记录整改进展"
    return _act(item_id, action)


@bp.route("/<id:item_id>/reassign", methods=["POST"])
@roles_required("office")
def reassign(item_id: int):
    def action(item):
        item_service.reassign(item, request.form.get("unit_id"), request.form.get("comment"), actor=current_user)
        return f"已改派给 {item.unit.name if item.unit else ''}"
    return _act(item_id, action)


@bp.route("/bulk", methods=["POST"])
@roles_required("office")
def bulk():
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    try:
        result = item_service.bulk(request.form.getlist("ids"), action, actor=current_user,
                                   comment=request.form.get("comment") or None,
                                   new_due_date=request.form.get("new_due_date") or None)
    except AppError as exc:
        flash(f"{exc.message}（未作任何修改）", "error")
    else:
        flash(result.message, "success" if action != "remind" or result.reminded else "info")
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/items")
                    else url_for("items.index"))


@bp.route("/<id:item_id>/evidence/<id:attachment_id>/preview")
@roles_required()
def evidence_preview(item_id: int, attachment_id: int):
    """An image shown inline (thumbnail); other types are only downloaded."""
    item = get_visible(RectificationItem, item_id, current_user)
    attachment = get_visible(Attachment, attachment_id, current_user)
    if attachment.owner_type != item_service.EVIDENCE or attachment.owner_id != item.id \
            or attachment.content_type not in IMAGE_TYPES or not path_of(attachment).is_file():
        abort(404)
    response = send_file(path_of(attachment), mimetype=attachment.content_type, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/deadlines")
@roles_required("unit")
def deadlines():
    """The unit's open items by deadline, overdue first, with what to do next."""
    from ..services.deadlines import unit_deadlines, feed_url

    return render_template("items/deadlines.html", rows=unit_deadlines(current_user), today=today(),
                           feed_url=feed_url(current_user.unit_id))
