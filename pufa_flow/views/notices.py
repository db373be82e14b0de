"""Rectification notice pages (整改通知书)."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..models import Notice
from ..models.scoping import get_visible, scoped_select
from ..services.calendar import today
from .access import roles_required
from .pagination import paginate

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.route("/")
@roles_required()
def index():
    stmt = scoped_select(Notice, current_user).options(selectinload(Notice.items)).order_by(Notice.id.desc())
    return render_template("notices/index.html", page=paginate(stmt))


@bp.route("/<id:notice_id>")
@roles_required()
def show(notice_id: int):
    return render_template("notices/show.html", notice=get_visible(Notice, notice_id, current_user),
                           today=today())


@bp.route("/<id:notice_id>/document")
@roles_required()
def document(notice_id: int):
    """The notice as a Word document in the 公文 format (整改通知书-单位-〔年〕号.docx)."""
    from ..documents.responses import notice_document_response

    return notice_document_response(get_visible(Notice, notice_id, current_user))
