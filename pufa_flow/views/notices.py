"""Rectification notice pages (整改通知书): the list, one notice, drafting and its workflow buttons."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..errors import ValidationFailed
from ..extensions import db
from ..models import ITEM_CATEGORIES, Inspection, Notice, Unit
from ..models.scoping import get_visible, scoped_select
from ..request_guard import checks_own_form
from ..services import notices as notice_service
from ..services.calendar import today
from ..services.inspections import notice_title
from ..services.validation import parse_int
from ..converters import MAX_ID
from .access import roles_required
from .forms import ActionForm
from .pagination import paginate

bp = Blueprint("notices", __name__, url_prefix="/notices")


def parse_id(raw) -> int | None:
    """An id from the query string, or None (not an error: the form just starts empty)."""
    return parse_int((raw or "").strip(), minimum=1, maximum=MAX_ID)
BLANK_ROWS = 3
NEW_ROWS = 8


@bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Notice, current_user).options(selectinload(Notice.items))
    if current_user.role == "unit":  # a unit sees a notice once it is issued
        stmt = stmt.where(Notice.status == "issued")
    status = request.args.get("status", "")
    if status in Notice.workflow.states:
        stmt = stmt.where(Notice.status == status)
    return render_template("notices/index.html", page=paginate(stmt.order_by(Notice.id.desc())),
                           states=Notice.workflow.definition.states, args=request.args)


def _visible_notice(notice_id: int) -> Notice:
    notice = get_visible(Notice, notice_id, current_user)
    if current_user.role == "unit" and notice.status != "issued":
        abort(404)  # drafts are the office's
    return notice


@bp.route("/<id:notice_id>")
@roles_required()
def show(notice_id: int):
    return render_template("notices/show.html", notice=_visible_notice(notice_id), today=today(),
                           categories=ITEM_CATEGORIES)


@bp.route("/<id:notice_id>/document")
@roles_required()
def document(notice_id: int):
    """The notice as a Word document in the 公文 format (整改通知书-单位-〔年〕号.docx)."""
    from ..documents.responses import notice_document_response

    return notice_document_response(_visible_notice(notice_id))


def _items_from_form() -> list[dict]:
    rows = zip(request.form.getlist("problem"), request.form.getlist("requirement"),
               request.form.getlist("category"), request.form.getlist("responsible"),
               request.form.getlist("due_date"), request.form.getlist("due_workdays"))
    items = []
    for problem, requirement, category, responsible, due, workdays in rows:
        if not (problem.strip() or requirement.strip() or due.strip() or workdays.strip()):
            continue  # a blank row of the form
        items.append({"problem": problem, "requirement": requirement, "category": category,
                      "responsible": responsible, "due_date": due or None, "due_workdays": workdays or None})
    return items


def _form(notice: Notice | None, header: dict):
    form = ActionForm()
    if form.validate_on_submit():
        data = {"unit_id": request.form.get("unit_id"), "title": request.form.get("title"),
                "inspection_id": header.get("inspection_id"), "source": header.get("source"),
                "items": _items_from_form()}
        try:
            if notice is None:
                notice = notice_service.create_draft(data, actor=current_user)
            else:
                notice_service.update_draft(notice, data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return _render_form(form, notice, header, data["items"]), 422
        flash(f"已保存草稿：{notice.title}", "success")
        return redirect(url_for("notices.show", notice_id=notice.id))
    return _render_form(form, notice, header, (notice.draft_items if notice else None) or [])


def _render_form(form, notice, header, items):
    units = db.session.query(Unit.id, Unit.name).filter(Unit.is_active.is_(True)).order_by(Unit.name).all()
    return render_template("notices/form.html", form=form, notice=notice, header=header, units=units,
                           items=list(items) + [{}] * (BLANK_ROWS if items else NEW_ROWS), categories=ITEM_CATEGORIES)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def create():
    inspection_id = parse_id(request.args.get("inspection_id"))
    inspection = db.session.get(Inspection, inspection_id) if inspection_id else None
    unit_id = parse_id(request.args.get("unit_id"))
    unit = db.session.get(Unit, unit_id) if unit_id else None
    header = {"inspection_id": inspection.id if inspection else None,
              "source": "inspection" if inspection else (request.args.get("source") or "other"),
              "unit_id": unit.id if unit else None,
              "title": notice_title(inspection, unit.name) if inspection and unit else ""}
    return _form(None, header)


@bp.route("/<id:notice_id>/edit", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def edit(notice_id: int):
    notice = get_visible(Notice, notice_id, current_user)
    if notice.status != "draft":  # the notice itself, with the reason it cannot be edited
        flash("只有草稿可以修改；已审核的请先“退回修改”，已下发的不能修改", "error")
        return render_template("notices/show.html", notice=notice, today=today(), categories=ITEM_CATEGORIES)
    header = {"inspection_id": notice.inspection_id, "source": notice.source, "unit_id": notice.unit_id,
              "title": notice.title}
    return _form(notice, header)
