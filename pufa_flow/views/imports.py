"""Importing units from a spreadsheet (普法办 only)."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_login import current_user

from ..services import imports as import_service
from .access import roles_required
from .forms import ImportForm

bp = Blueprint("imports", __name__, url_prefix="/units")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/import", methods=["GET", "POST"], endpoint="units")
@roles_required("office")
def units():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            flash("请选择要导入的文件（.xlsx 或 .csv）", "error")
            return render_template("units/import.html", form=form, report=None,
                                   max_rows=import_service.MAX_ROWS), 400
        report = import_service.import_units(upload.filename, upload.read(), actor=current_user)
        if report.ok:
            flash(report.summary(), "success")
            return redirect(url_for("units.index"))
        return render_template("units/import.html", form=form, report=report,
                               max_rows=import_service.MAX_ROWS), 422
    return render_template("units/import.html", form=form, report=report,
                           max_rows=import_service.MAX_ROWS)


@bp.route("/import/template.xlsx", endpoint="template")
@roles_required("office")
def template():
    response = send_file(io.BytesIO(import_service.template_workbook()), mimetype=XLSX_MIME,
                         as_attachment=True, download_name="单位名册导入模板.xlsx", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
