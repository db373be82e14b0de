"""The office's holiday table: entering a new year's 放假 and 调休 days.

The State Council publishes next year's arrangement each November, usually
before chinesecalendar releases it. The office types it in a range at a time
(or imports a sheet), then confirms the year as complete. Every change is one
transaction with its audit row; once it is committed, the pending reminders,
planned on the old calendar, are planned again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from ..errors import ValidationFailed
from ..extensions import db
from ..models import WorkdayOverride, WorkdayYear
from ..workdays import package_years
from . import audit, board, reminders
from .calendar import forget_per_request
from .imports import FileRejected, RowError, read_table
from .transaction import transaction

KINDS = {"holiday": "放假", "workday": "调休上班"}
KIND_BY_LABEL = {"放假": "holiday", "休": "holiday", "休息": "holiday",
                 "上班": "workday", "班": "workday", "调休上班": "workday"}
MAX_SPAN_DAYS = 31
YEARS = range(2000, 2101)
NOTE_MAX = 100
SOURCE_MAX = 200


@dataclass(frozen=True)
class YearCoverage:
    year: int
    #: "package" (chinesecalendar), "office" (confirmed here) or "" (not covered)
    source: str
    note: str
    override_count: int

    @property
    def covered(self) -> bool:
        return bool(self.source)


def coverage(around: int) -> list[YearCoverage]:
    """Every year from the package's last two to two after ``around``, and any year with entries."""
    counts = dict(db.session.execute(
        sa.select(sa.extract("year", WorkdayOverride.day).cast(sa.Integer), sa.func.count())
        .group_by(sa.extract("year", WorkdayOverride.day).cast(sa.Integer))).all())
    confirmed = {row.year: row for row in db.session.scalars(sa.select(WorkdayYear))}
    known = package_years()
    years = set(range(known.stop - 2, max(around, known.stop) + 2)) | set(counts) | set(confirmed)
    years &= set(YEARS)
    result = []
    for year in sorted(years):
        if year in confirmed:
            source, note = "office", confirmed[year].source
        elif year in known:
            source, note = "package", "chinesecalendar 内置"
        else:
            source, note = "", ""
        result.append(YearCoverage(year, source, note, counts.get(year, 0)))
    return result


def overrides(year: int) -> list[WorkdayOverride]:
    return list(db.session.scalars(
        sa.select(WorkdayOverride)
        .where(WorkdayOverride.day.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(WorkdayOverride.day)))


def set_range(start: date, end: date, kind: str, note: str, *, actor) -> int:
    """Mark every day from ``start`` to ``end`` as a day off or a working day; returns the day count."""
    _check_range(start, end)
    if kind not in KINDS:
        raise ValidationFailed({"kind": f"类型只能是 {'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}"})
    note = _text(note, "note", "依据（通知名称）", NOTE_MAX)
    with transaction():
        days = _write(start, end, kind == "workday", note)
        audit.record("calendar.set", "calendar", None, actor=actor, data={
            "start": start.isoformat(), "end": end.isoformat(), "kind": kind, "note": note, "days": days})
    _announce()
    return days


def clear_range(start: date, end: date, *, actor) -> int:
    """Drop the office's entries in a range: those days follow the package (or the weekday rule) again."""
    _check_range(start, end)
    with transaction():
        removed = db.session.execute(sa.delete(WorkdayOverride).where(
            WorkdayOverride.day.between(start, end))).rowcount
        board.forget_past_days()
        audit.record("calendar.clear", "calendar", None, actor=actor, data={
            "start": start.isoformat(), "end": end.isoformat(), "days": removed})
    _announce()
    return removed


def confirm_year(year: int, source: str, *, actor) -> None:
    """The office says: this year's arrangement is entered in full."""
    if year not in YEARS:
        raise ValidationFailed({"year": f"年份须在 {YEARS.start}–{YEARS.stop - 1} 之间"})
    source = _text(source, "source", "依据（通知名称）", SOURCE_MAX)
    if not db.session.scalar(sa.select(sa.func.count()).select_from(WorkdayOverride).where(
            WorkdayOverride.day.between(date(year, 1, 1), date(year, 12, 31)))):
        raise ValidationFailed({"year": f"{year} 年还没有录入任何放假或调休安排，不能确认为已完整录入"})
    with transaction():
        row = db.session.get(WorkdayYear, year) or WorkdayYear(year=year)
        row.source, row.confirmed_by_id = source, getattr(actor, "id", None)
        db.session.add(row)
        audit.record("calendar.confirm", "calendar", None, actor=actor, data={"year": year, "source": source})
    _announce()


def withdraw_year(year: int, *, actor) -> None:
    with transaction():
        removed = db.session.execute(sa.delete(WorkdayYear).where(WorkdayYear.year == year)).rowcount
        if removed:
            audit.record("calendar.withdraw", "calendar", None, actor=actor, data={"year": year})
    if removed:
        _announce()


IMPORT_COLUMNS = {"开始日期": "start", "结束日期": "end", "类型": "kind", "依据": "note"}


@dataclass
class RangeImport:
    filename: str
    ranges: list[tuple[date, date, str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def days(self) -> int:
        return sum((end - start).days + 1 for start, end, _, _ in self.ranges)

    def summary(self) -> str:
        if not self.ok:
            return f"导入失败：发现 {len(self.errors)} 处错误，未写入任何日期"
        done = "已导入" if self.applied else "检查通过，可导入"
        return f"{done} {len(self.ranges)} 段、共 {self.days} 天的放假和调休安排"


def import_ranges(filename: str, data: bytes, *, actor, dry_run: bool = False) -> RangeImport:
    """A sheet of ranges (开始日期, 结束日期, 类型, 依据), all applied or none."""
    report = RangeImport(filename=filename)
    try:
        report.ranges = _read_ranges(filename, data, report)
    except FileRejected as exc:
        report.errors.append(exc.error)
        return report
    if not report.ranges and report.ok:
        report.errors.append(RowError(None, "", "文件里没有数据行"))
    if report.errors or dry_run:
        return report
    ranges = report.ranges
    with transaction():
        for start, end, kind, note in ranges:
            _write(start, end, kind == "workday", note)
        audit.record("calendar.import", "calendar", None, actor=actor, data={
            "filename": filename, "ranges": len(ranges), "days": report.days})
    report.applied = True
    _announce()
    return report


def _read_ranges(filename: str, data: bytes, report: RangeImport) -> list[tuple[date, date, str, str]]:
    header_row, header, records = read_table(filename, data)
    names = [str(h).strip() if h is not None else "" for h in header]
    missing = [c for c in ("开始日期", "类型") if c not in names]
    if missing:
        raise FileRejected(f"第 {header_row} 行表头缺少：{'、'.join(missing)}（应为：开始日期、结束日期、类型、依据）")
    where = {IMPORT_COLUMNS[n]: i for i, n in enumerate(names) if n in IMPORT_COLUMNS}
    ranges = []
    for number, cells in records:
        value = {key: cells[i] if i < len(cells) else None for key, i in where.items()}
        try:
            ranges.append(_parse_range(value))
        except ValidationFailed as exc:
            for column, message in exc.fields.items():
                report.errors.append(RowError(number, _COLUMN_LABELS.get(column, ""), message))
    return ranges


_COLUMN_LABELS = {v: k for k, v in IMPORT_COLUMNS.items()}


def _parse_range(value: dict) -> tuple[date, date, str, str]:
    start = _as_date(value.get("start"), "start")
    end = _as_date(value.get("end"), "end") if value.get("end") not in (None, "") else start
    _check_range(start, end)
    label = str(value.get("kind") or "").strip()
    if label not in KIND_BY_LABEL:
        raise ValidationFailed({"kind": f"类型“{label}”无法识别：应为“放假”或“上班”"})
    note = _text(str(value.get("note") or ""), "note", "依据", NOTE_MAX)
    return start, end, KIND_BY_LABEL[label], note


def _as_date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(field, text)
    except ValueError:
        return _bad_date(field, text)


def _bad_date(field: str, text: str):
    raise ValidationFailed({field: f"日期“{text}”格式不对：应为 YYYY-MM-DD，如 2027-01-01"})


def _check_range(start: date, end: date) -> None:
    if start.year not in YEARS or end.year not in YEARS:
        raise ValidationFailed({"start": f"日期须在 {YEARS.start}–{YEARS.stop - 1} 年之间"})
    if end < start:
        raise ValidationFailed({"end": "结束日期不能早于开始日期"})
    if (end - start).days >= MAX_SPAN_DAYS:
        raise ValidationFailed({"end": f"一次最多录入 {MAX_SPAN_DAYS} 天，请分段录入"})


def _text(value: str, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: f"请填写{label}"})
    if len(value) > limit:
        raise ValidationFailed({field: f"{label}不能超过 {limit} 个字"})
    return value


def _write(start: date, end: date, is_workday: bool, note: str) -> int:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    existing = {o.day: o for o in db.session.scalars(
        sa.select(WorkdayOverride).where(WorkdayOverride.day.between(start, end)))}
    for day in days:
        row = existing.get(day) or WorkdayOverride(day=day)
        row.is_workday, row.note = is_workday, note
        db.session.add(row)
    db.session.flush()
    board.forget_past_days()  # the board's kept trend days were counted with the old cutoffs
    return len(days)


def _announce() -> None:
    """After a committed change: this request's calendar is outdated, and so are the reminder plans."""
    forget_per_request()
    reminders.replan_all()


def template_workbook() -> bytes:
    """The import sheet, with the 2027 New Year as the example rows."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "节假日安排"
    sheet.append(list(IMPORT_COLUMNS))
    notice = "国务院办公厅关于2027年部分节假日安排的通知"
    sheet.append(["2027-01-01", "2027-01-03", "放假", notice])
    sheet.append(["2027-01-04", "", "上班", "（示例，请按通知填写）"])
    for column, width in zip("ABCD", (14, 14, 10, 48)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
