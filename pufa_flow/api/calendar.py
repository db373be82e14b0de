"""/api/v1/calendar: the working-day calendar, and the office's holiday entries."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request

from ..errors import ValidationFailed
from ..services import holidays
from ..services.calendar import today
from ..services.validation import clean_date
from .base import current_api_user, json_body, require_roles
from .spec import endpoint, schema

YEAR = {"type": "integer", "minimum": holidays.YEARS.start, "maximum": holidays.YEARS.stop - 1}
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

CALENDAR = schema("Calendar", {
    "type": "object", "additionalProperties": False, "required": ["year", "coverage", "days"], "properties": {
        "year": YEAR,
        "coverage": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["year", "covered", "source", "note", "override_count"], "properties": {
                "year": YEAR, "covered": {"type": "boolean"},
                "source": {"type": "string", "enum": ["package", "office", ""]},
                "note": {"type": "string"}, "override_count": {"type": "integer", "minimum": 0}}}},
        "days": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["date", "is_workday", "note"],
            "properties": {"date": DATE, "is_workday": {"type": "boolean"}, "note": {"type": "string"}}}}}})

RANGE_INPUT = schema("CalendarRangeInput", {
    "type": "object", "additionalProperties": False, "required": ["start", "end", "kind", "note"], "properties": {
        "start": DATE, "end": DATE, "kind": {"type": "string", "enum": list(holidays.KINDS)},
        "note": {"type": "string", "minLength": 1, "maxLength": holidays.NOTE_MAX}}})
CLEAR_INPUT = schema("CalendarClearInput", {
    "type": "object", "additionalProperties": False, "required": ["start", "end"],
    "properties": {"start": DATE, "end": DATE}})
CONFIRM_INPUT = schema("CalendarYearInput", {
    "type": "object", "additionalProperties": False, "required": ["source"],
    "properties": {"source": {"type": "string", "minLength": 1, "maxLength": holidays.SOURCE_MAX}}})
CHANGED = schema("CalendarChange", {
    "type": "object", "additionalProperties": False, "required": ["days"],
    "properties": {"days": {"type": "integer", "minimum": 0}}})


def _calendar_json(year: int) -> dict:
    return {"year": year,
            "coverage": [{"year": c.year, "covered": c.covered, "source": c.source, "note": c.note,
                          "override_count": c.override_count} for c in holidays.coverage(year)],
            "days": [{"date": o.day.isoformat(), "is_workday": o.is_workday, "note": o.note}
                     for o in holidays.overrides(year)]}


def _year() -> int:
    raw = request.args.get("year")
    if raw is None:
        return today().year
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in holidays.YEARS:
        raise ValidationFailed({"year": f"year 须为 {holidays.YEARS.start}–{holidays.YEARS.stop - 1} 之间的整数"})
    return int(raw)


def _date(body: dict, name: str) -> date:
    errors: dict[str, str] = {}
    day = clean_date(body.get(name), name, name, errors)
    if errors:
        raise ValidationFailed(errors)
    return day


def _text(body: dict, name: str) -> str:
    value = body.get(name, "")
    if not isinstance(value, str):
        raise ValidationFailed({name: f"{name} 须为字符串"})
    return value


@endpoint("/calendar", "GET", summary="工作日历：年份覆盖情况与某年的放假、调休录入", tag="calendar",
          response=CALENDAR, query=[{"name": "year", "in": "query", "schema": YEAR}],
          errors=("400", "401", "422"))
@require_roles()
def get_calendar():
    return jsonify(_calendar_json(_year()))


@endpoint("/calendar/ranges", "POST", summary="录入一段放假或调休上班（普法办）", tag="calendar",
          response=CHANGED, body=RANGE_INPUT, errors=("400", "401", "403", "422"))
@require_roles("office")
def set_calendar_range():
    body = json_body()
    days = holidays.set_range(_date(body, "start"), _date(body, "end"), _text(body, "kind"),
                              _text(body, "note"), actor=current_api_user())
    return jsonify({"days": days})


@endpoint("/calendar/ranges/clear", "POST", summary="删除一段日期的录入，恢复默认安排（普法办）", tag="calendar",
          response=CHANGED, body=CLEAR_INPUT, errors=("400", "401", "403", "422"))
@require_roles("office")
def clear_calendar_range():
    body = json_body()
    days = holidays.clear_range(_date(body, "start"), _date(body, "end"), actor=current_api_user())
    return jsonify({"days": days})


@endpoint("/calendar/years/<id:year>", "PUT", summary="确认某年的放假和调休安排已完整录入（普法办）",
          tag="calendar", response=CALENDAR, body=CONFIRM_INPUT, errors=("400", "401", "403", "404", "422"))
@require_roles("office")
def confirm_calendar_year(year: int):
    holidays.confirm_year(year, _text(json_body(), "source"), actor=current_api_user())
    return jsonify(_calendar_json(year))


@endpoint("/calendar/years/<id:year>", "DELETE", summary="撤销某年的“已完整录入”确认（普法办）",
          tag="calendar", response=CALENDAR, errors=("400", "401", "403", "404", "422"))
@require_roles("office")
def withdraw_calendar_year(year: int):
    if year not in holidays.YEARS:
        raise ValidationFailed({"year": f"年份须在 {holidays.YEARS.start}–{holidays.YEARS.stop - 1} 之间"})
    holidays.withdraw_year(year, actor=current_api_user())
    return jsonify(_calendar_json(year))
