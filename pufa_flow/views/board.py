"""The office's overdue board (督办看板) and the exports: 整改台账 (.xlsx) and 督办通报 (.docx)."""
from __future__ import annotations

import io
import json

from flask import Blueprint, render_template, request, send_file
from flask_login import current_user

from ..errors import BadRequest
from ..extensions import db
from ..services import board as board_service
from ..services.calendar import today
from ..services.exports import ledger_workbook, overdue_bulletin_docx
from ..services.items import filtered_items
from .access import roles_required

bp = Blueprint("board", __name__, url_prefix="/board")
exports_bp = Blueprint("exports", __name__, url_prefix="/exports")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@roles_required("office", "viewer")
def index():
    sort = request.args.get("sort", "overdue")
    figures = board_service.figures(current_user, sort=sort)
    charts = {"trend": figures["trend"], "age": figures["by_age"],
              "category": [c for c in figures["by_category"] if c["open"]],
              "units": figures["by_unit"][:15]}
    return render_template("board/index.html", f=figures, sort=sort, today=today(),
                           charts=json.dumps(charts, ensure_ascii=False))


@exports_bp.route("/ledger.xlsx")
@roles_required("office", "viewer")
def ledger():
    """整改台账: the item list's current filter, every column."""
    try:
        stmt = filtered_items(current_user, request.args)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    data = ledger_workbook(db.session.scalars(stmt).all())
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True,
                         download_name=f"整改台账-{today().isoformat()}.xlsx", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@exports_bp.route("/overdue-bulletin.docx")
@roles_required("office", "viewer")
def overdue_bulletin():
    """督办通报: overdue items by unit, ready to sign."""
    from ..documents.download import docx_response, download_filename

    return docx_response(overdue_bulletin_docx(current_user),
                         download_filename("督办通报", today().isoformat()))
