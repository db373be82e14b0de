"""Inspection pages (督查): create and edit, its notices, and the bulk import with its preview."""
from __future__ import annotations

import io

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..errors import AppError, ValidationFailed
from ..extensions import db
from ..models import Inspection, Unit
from ..models.scoping import get_visible, scoped_select
from ..request_guard import checks_own_form
from ..services import inspections as inspection_service
from ..services.validation import parse_int
from .access import roles_required
from .forms import ActionForm
from .pagination import paginate

bp = Blueprint("inspections", __name__, url_prefix="/inspections")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@roles_required("office", "viewer")
def index():
    stmt = scoped_select(Inspection, current_user).order_by(Inspection.starts_on.desc(), Inspection.id.desc())
    return render_template("inspections/index.html", page=paginate(stmt))


@bp.route("/<id:inspection_id>")
@roles_required("office", "viewer")
def show(inspection_id: int):
    return render_template("inspections/show.html",
                           inspection=get_visible(Inspection, inspection_id, current_user), form=ActionForm())


def _units():
    return db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.is_active.is_(True))
                              .order_by(Unit.name)).all()


def _save(inspection: Inspection | None):
    form = ActionForm()
    values = request.form if request.method == "POST" else None
    if form.validate_on_submit():
        data = {k: request.form.get(k) for k in ("name", "starts_on", "ends_on", "bodies")}
        data["unit_ids"] = request.form.getlist("unit_ids")
        try:
            if inspection is None:
                inspection = inspection_service.create_inspection(data, actor=current_user)
            else:
                inspection_service.update_inspection(inspection, data, actor=current_user)
        except ValidationFailed as exc:
            for message in exc.fields.values():
                flash(message, "error")
            return render_template("inspections/form.html", form=form, inspection=inspection, units=_units(),
                                   values=values, selected={parse_int(u) for u in data["unit_ids"]} - {None}), 422
        flash(f"已保存督查：{inspection.name}", "success")
        return redirect(url_for("inspections.show", inspection_id=inspection.id))
    selected = {u.id for u in inspection.units} if inspection else set()
    return render_template("inspections/form.html", form=form, inspection=inspection, units=_units(),
                           values=values, selected=selected)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def create():
    return _save(None)


@bp.route("/<id:inspection_id>/edit", methods=["GET", "POST"])
@roles_required("office")
@checks_own_form
def edit(inspection_id: int):
    return _save(get_visible(Inspection, inspection_id, current_user))


@bp.route("/import-template.xlsx")
@roles_required("office")
def template():
    response = send_file(io.BytesIO(inspection_service.template_workbook()), mimetype=XLSX_MIME,
                         as_attachment=True, download_name="督查整改事项导入模板.xlsx", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<id:inspection_id>/import", methods=["GET", "POST"])
@roles_required("office")
def import_items(inspection_id: int):
    """Upload → preview (nothing written) → confirm (one transaction)."""
    inspection = get_visible(Inspection, inspection_id, current_user)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("inspections/import.html", inspection=inspection, form=form, preview=None)
    token = request.form.get("token", "")
    try:
        if token:  # the confirm step
            data = inspection_service.kept_file(token)
            filename = request.form.get("filename") or token
            preview = inspection_service.confirm_import(
                inspection, filename, data, actor=current_user,
                only_valid=request.form.get("only_valid") == "1", issue=request.form.get("issue") == "1")
            flash(f"已导入 {len(preview.groups)} 个单位的 {preview.good_items} 条整改事项"
                  + ("并已下发" if request.form.get("issue") == "1" else "（整改通知书为草稿，审核后下发）"), "success")
            return redirect(url_for("inspections.show", inspection_id=inspection.id))
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("请选择要导入的文件（.xlsx）", "error")
            return render_template("inspections/import.html", inspection=inspection, form=form, preview=None), 400
        preview = inspection_service.preview_import(inspection, upload.filename, upload.read())
    except AppError as exc:
        flash(exc.message, "error")
        return render_template("inspections/import.html", inspection=inspection, form=form, preview=None), 422
    return render_template("inspections/import.html", inspection=inspection, form=form, preview=preview)
