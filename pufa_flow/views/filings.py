"""Yearly filings pages: the office's list of the year's types, a unit's filings, the board and its export.

Thin: parse the form, call services/filings (every state change there goes
through the filing workflow), render. A unit sees its own page and filings;
another unit's is 404 through the row policy.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..errors import AppError
from ..models import FILING_KINDS, UNIT_KINDS, Filing, Unit
from ..models.scoping import get_visible, visible
from ..extensions import db
from ..services import filings as service
from ..services.calendar import today
from ..services.filing_export import board_workbook
from ..services.workflow import history
from .access import roles_required

bp = Blueprint("filings", __name__, url_prefix="/filings")

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(year: int) -> int:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        abort(404)
    return year


def _flash_error(exc: AppError) -> None:
    fields = getattr(exc, "fields", None)
    for message in (fields.values() if fields else [exc.message]):
        flash(message, "error")


@bp.route("/")
@roles_required()
def index():
    year = today().year
    if current_user.role == "unit":
        return redirect(url_for("filings.unit_year", unit_id=current_user.unit_id, year=year))
    return redirect(url_for("filings.board_page", year=year))


# -- the office's list of the year's types -------------------------------------------
@bp.route("/types/<id:year>")
@roles_required()
def types(year: int):
    units = list(db.session.scalars(visible(Unit, current_user).order_by(Unit.id)).unique())
    types = service.types_of_year(_year(year))
    return render_template("filings/types.html", year=year, types=types, kinds=FILING_KINDS,
                           unit_kinds=UNIT_KINDS, units=units, edit=None,
                           defaults_missing=_defaults_missing(types))


def _defaults_missing(types) -> bool:
    have = {ft.code for ft in types} | {ft.name for ft in types}
    return any(d.code not in have and d.name not in have for d in service.DEFAULT_TYPES)


def _type_form() -> dict:
    form = request.form
    return {"year": form.get("year"), "name": form.get("name"), "kind": form.get("kind"),
            "due_date": form.get("due_date"), "target": form.get("target"),
            "description": form.get("description"), "requires_url": form.get("requires_url"),
            "names_people": form.get("names_people"), "unit_kinds": form.getlist("unit_kinds"),
            "unit_ids": form.getlist("unit_ids")}


@bp.route("/types/<id:year>", methods=["POST"])
@roles_required("office")
def create_type(year: int):
    data = _type_form() | {"year": _year(year)}
    try:
        ft = service.create_type(data, actor=current_user)
    except AppError as exc:
        _flash_error(exc)
        return redirect(url_for("filings.types", year=year))
    flash(f"已新增报备事项：{ft.name}（时限 {ft.due_date.isoformat()}）", "success")
    return redirect(url_for("filings.types", year=year))


@bp.route("/types/<id:year>/defaults", methods=["POST"])
@roles_required("office")
def install_defaults(year: int):
    try:
        created = service.install_defaults(_year(year), actor=current_user)
    except AppError as exc:
        _flash_error(exc)
    else:
        flash(f"已添加 {len(created)} 个默认报备事项" if created else "默认报备事项均已存在", "success")
    return redirect(url_for("filings.types", year=year))


@bp.route("/types/edit/<id:filing_type_id>", methods=["GET", "POST"])
@roles_required("office")
def edit_type(filing_type_id: int):
    ft = service.get_type(filing_type_id)
    if request.method == "POST":
        try:
            service.update_type(ft, _type_form(), actor=current_user)
        except AppError as exc:
            _flash_error(exc)
        else:
            flash(f"已保存：{ft.name}", "success")
            return redirect(url_for("filings.types", year=ft.year))
    units = list(db.session.scalars(visible(Unit, current_user).order_by(Unit.id)).unique())
    return render_template("filings/types.html", year=ft.year, types=service.types_of_year(ft.year),
                           kinds=FILING_KINDS, unit_kinds=UNIT_KINDS, units=units, edit=ft)


# -- a unit's year --------------------------------------------------------------------
@bp.route("/units/<id:unit_id>/<id:year>")
@roles_required()
def unit_year(unit_id: int, year: int):
    unit = get_visible(Unit, unit_id, current_user)
    on = today()
    filings = service.unit_filings(unit.id, _year(year))
    rows = []
    for ft in service.types_of_year(year):
        own = [f for f in filings if f.filing_type_id == ft.id]
        rows.append({"type": ft, "cell": service.cell_state(ft, unit, own, on), "filings": own,
                     "deadline": service.deadline_of(ft)})
    return render_template("filings/unit.html", unit=unit, year=year, rows=rows, today=on,
                           people_roles=service.PEOPLE_ROLES, states=service.CELL_STATES,
                           deductions=_deductions(unit.id, year, on))


def _deductions(unit_id: int, year: int, on) -> list[dict]:
    """The record's suggested 附件2 deductions with each rule's own words (see services/filing_record)."""
    from ..frameworks.registry import get_framework
    from ..services.filing_record import FRAMEWORK_ID, suggested_deductions

    framework = get_framework(FRAMEWORK_ID)
    out = []
    for s in suggested_deductions(unit_id, year, on=on):
        found = framework.rule(s.rule_id) if framework else None
        indicator, rule = found if found else (None, None)
        out.append({"suggestion": s, "text": rule.text if rule else s.rule_id,
                    "indicator": f"指标{indicator.number}" if indicator else ""})
    return out


def _people_from_form() -> list[dict]:
    rows = zip(request.form.getlist("person_role"), request.form.getlist("person_name"),
               request.form.getlist("person_phone"), request.form.getlist("person_email"))
    return [{"role": r, "name": n, "phone": p, "email": e} for r, n, p, e in rows if n.strip()]


@bp.route("/types/<id:filing_type_id>/file", methods=["POST"])
@roles_required("unit")
def file(filing_type_id: int):
    ft = service.get_type(filing_type_id)
    form = request.form
    data = {"url": form.get("url"), "note": form.get("note"), "title": form.get("title"),
            "item_date": form.get("item_date"), "people": _people_from_form()}
    try:
        filing = service.file_filing(ft.id, data, actor=current_user,
                                     files=[f for f in request.files.getlist("files") if f.filename])
    except AppError as exc:
        _flash_error(exc)
    else:
        late = f"，逾期 {filing.late_workdays} 个工作日" if filing.is_late and not ft.is_stream else ""
        flash(f"已报送：{filing.title}{late}", "success")
    return redirect(url_for("filings.unit_year", unit_id=current_user.unit_id, year=ft.year) + f"#type-{ft.id}")


@bp.route("/<id:filing_id>")
@roles_required()
def show(filing_id: int):
    filing = get_visible(Filing, filing_id, current_user)
    return render_template("filings/show.html", filing=filing, files=service.files_of(filing),
                           events=history(filing), people_roles=service.PEOPLE_ROLES,
                           deadline=service.deadline_of(filing.filing_type))


# -- the office's board -----------------------------------------------------------------
@bp.route("/board/<id:year>")
@roles_required("office", "viewer", "evaluator", "panel")
def board_page(year: int):
    b = service.board(_year(year), user=current_user)
    type_id, state = request.args.get("type", ""), request.args.get("state", "")
    focus = None
    if type_id.isdigit() and state in service.CELL_STATES:
        focus = next((ft for ft in b.types if ft.id == int(type_id)), None)
        if focus is not None:  # the units behind one figure of the counts table
            b.rows = [(u, cells) for u, cells in b.rows
                      if any(c.filing_type.id == focus.id and c.state == state for c in cells)]
    return render_template("filings/board.html", board=b, states=service.CELL_STATES, year=year,
                           focus=focus, focus_state=state if focus else None)


@bp.route("/board/<id:year>/export.xlsx")
@roles_required("office", "viewer", "evaluator", "panel")
def board_export(year: int):
    b = service.board(_year(year), user=current_user)
    stream = board_workbook(b)
    return send_file(stream, as_attachment=True, download_name=f"{year}年度报备情况.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", max_age=0)
