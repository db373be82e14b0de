"""The result bulletin's texts (the office writes them on a page) and the results workbooks, on the cycles blueprint."""
from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..documents.download import download_filename
from ..errors import AppError
from ..models import Cycle
from ..models.scoping import get_visible
from ..services import bulletin as bulletin_service
from ..services.results_exports import panel_sheets_xlsx, ranking_xlsx
from ..services.self_assessment_exports import XLSX_MIME
from .access import roles_required
from .cycles import bp


def _xlsx(data: bytes, kind: str, cycle):
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, max_age=0,
                         download_name=download_filename(kind, cycle.name, ext="xlsx"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<id:cycle_id>/bulletin/text", methods=["GET", "POST"])
@roles_required("office", "viewer")
def bulletin_text(cycle_id: int):
    """考评情况通报: the office writes the method and the three sections; the counts and annex are computed."""
    cycle = get_visible(Cycle, cycle_id, current_user)
    errors: dict = {}
    values = bulletin_service.as_dict(bulletin_service.texts(cycle))
    status = 200
    if request.method == "POST":
        if current_user.role != "office":
            abort(403)
        form = {f: request.form.get(f, "") for f in bulletin_service.FIELDS} | {"version": request.form.get("version")}
        try:
            bulletin_service.save(cycle, form, actor=current_user)
        except AppError as exc:
            errors = getattr(exc, "fields", None) or {"form": exc.message}
            values = {**values, **{f: form[f] for f in bulletin_service.FIELDS}}
            flash(exc.message, "error")
            status = getattr(exc, "status", 400)
        else:
            flash("通报内容已保存", "success")
            return redirect(url_for("cycles.bulletin_text", cycle_id=cycle.id))
    return render_template("cycles/bulletin.html", cycle=cycle, values=values, errors=errors,
                           fields=bulletin_service.FIELDS, max_text=bulletin_service.MAX_TEXT, editable=bulletin_service.editable(cycle)), status


@bp.route("/<id:cycle_id>/ranking.xlsx")
@roles_required("office", "viewer")
def ranking(cycle_id: int):
    cycle = get_visible(Cycle, cycle_id, current_user)
    return _xlsx(ranking_xlsx(cycle, current_user), "考评结果排名", cycle)


@bp.route("/<id:cycle_id>/panel-scores.xlsx")
@roles_required("office", "viewer", "panel")
def panel_scores(cycle_id: int):
    """Each panel member's sheets; a panel member gets only their own."""
    cycle = get_visible(Cycle, cycle_id, current_user)
    return _xlsx(panel_sheets_xlsx(cycle, current_user), "评议得分表", cycle)
