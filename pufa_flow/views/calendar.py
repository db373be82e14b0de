"""The working-day calendar page: which years are known, and the office's entries."""
from __future__ import annotations

import calendar as monthcal
import io
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..errors import ValidationFailed
from ..services import holidays
from ..services.calendar import calendar, today
from ..services.validation import clean_date
from ..workdays import package_years
from .access import roles_required
from .forms import ActionForm, CalendarImportForm

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@roles_required()
def index():
    return _page(_year_arg())


def _year_arg() -> int:
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and int(raw) in holidays.YEARS:
        return int(raw)
    return today().year + (1 if today().month >= 11 else 0)


def _page(year: int, *, import_report=None, status: int = 200):
    cal = calendar()
    entries = holidays.overrides(year)
    months = [_month(cal, year, m, {o.day: o for o in entries}) for m in range(1, 13)]
    page = render_template(
        "calendar/index.html", year=year, months=months, entries=_group(entries),
        coverage=holidays.coverage(year), package=package_years(), kinds=holidays.KINDS,
        form=ActionForm(), import_form=CalendarImportForm(), import_report=import_report,
        max_span=holidays.MAX_SPAN_DAYS, today=today())
    return page, status


def _month(cal, year: int, month: int, entries: dict) -> dict:
    weeks = []
    for week in monthcal.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([None if d.month != month else {
            "day": d, "workday": cal.is_workday(d), "entry": entries.get(d)} for d in week])
    return {"month": month, "weeks": weeks}


def _group(entries) -> list[dict]:
    """Consecutive days with the same kind and note, shown as one range."""
    groups: list[dict] = []
    for entry in entries:
        last = groups[-1] if groups else None
        if (last and last["is_workday"] == entry.is_workday and last["note"] == entry.note
                and (entry.day - last["end"]).days == 1):
            last["end"] = entry.day
            last["days"] += 1
        else:
            groups.append({"start": entry.day, "end": entry.day, "days": 1,
                           "is_workday": entry.is_workday, "note": entry.note})
    return groups


def _date(name: str) -> date:
    errors: dict[str, str] = {}
    day = clean_date(request.form.get(name, "").strip(), name, {"start": "开始日期", "end": "结束日期"}[name], errors)
    if errors:
        raise ValidationFailed(errors)
    return day


def _back(year: int):
    return redirect(url_for("calendar.index", year=year))


def _guarded(action):
    """Run a change; a mistake re-shows the page with the reason."""
    if not ActionForm().validate_on_submit():
        flash("页面已过期，请刷新后重试", "error")
        return _page(_year_arg(), status=400)
    try:
        return action()
    except ValidationFailed as exc:
        for message in exc.fields.values():
            flash(message, "error")
        year = request.form.get("year", "")
        return _page(int(year) if year.isascii() and year.isdigit() and int(year) in holidays.YEARS
                     else _year_arg(), status=422)


@bp.route("/ranges", methods=["POST"])
@roles_required("office")
def set_range():
    def action():
        start, end = _date("start"), _date("end")
        days = holidays.set_range(start, end, request.form.get("kind", ""), request.form.get("note", ""),
                                  actor=current_user)
        flash(f"已将 {start.isoformat()} 至 {end.isoformat()} 共 {days} 天设为"
              f"{holidays.KINDS[request.form['kind']]}", "success")
        return _back(start.year)
    return _guarded(action)


@bp.route("/ranges/clear", methods=["POST"])
@roles_required("office")
def clear_range():
    def action():
        start, end = _date("start"), _date("end")
        removed = holidays.clear_range(start, end, actor=current_user)
        flash(f"已删除 {removed} 天的录入，这些日期恢复为默认安排", "success")
        return _back(start.year)
    return _guarded(action)


@bp.route("/years/<id:year>/confirm", methods=["POST"])
@roles_required("office")
def confirm(year: int):
    def action():
        holidays.confirm_year(year, request.form.get("source", ""), actor=current_user)
        flash(f"已确认 {year} 年的放假和调休安排录入完整", "success")
        return _back(year)
    return _guarded(action)


@bp.route("/years/<id:year>/withdraw", methods=["POST"])
@roles_required("office")
def withdraw(year: int):
    def action():
        holidays.withdraw_year(year, actor=current_user)
        flash(f"已撤销 {year} 年的“录入完整”确认", "success")
        return _back(year)
    return _guarded(action)


@bp.route("/import", methods=["POST"])
@roles_required("office")
def import_file():
    form = CalendarImportForm()
    year = _year_arg()
    if not form.validate_on_submit():
        flash("页面已过期，请刷新后重试", "error")
        return _page(year, status=400)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        flash("请选择要导入的文件（.xlsx 或 .csv）", "error")
        return _page(year, status=400)
    report = holidays.import_ranges(upload.filename, upload.read(), actor=current_user,
                                    dry_run=bool(request.form.get("check_only")))
    if not report.ok:
        return _page(year, import_report=report, status=422)
    flash(report.summary(), "success")
    if not report.applied:
        return _page(year, import_report=report)
    return _back(report.ranges[0][0].year)


@bp.route("/template.xlsx")
@roles_required("office")
def template():
    response = send_file(io.BytesIO(holidays.template_workbook()), mimetype=XLSX_MIME, as_attachment=True,
                         download_name="节假日安排导入模板.xlsx", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
