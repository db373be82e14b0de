"""Inspections (督查): the source of a round of 整改通知书, and their bulk import from .xlsx.

An inspection names its dates, the bodies that inspected (督查组) and the
units covered. Its findings come in either notice by notice (the notice
form) or as one spreadsheet, one row per item: the import previews what it
would create, per unit, and every rejected row with its Excel row number and
reason; confirming writes every notice as a draft in ONE transaction (all
rows, or, when the office chooses, only the good ones), and may issue them
at once.
"""
from __future__ import annotations

import difflib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import ITEM_CATEGORIES, Inspection, Notice, Unit
from . import audit, notices as notice_service, workflow
from .attachments import upload_folder
from .tabular import (DATE_FORMATS_HINT, FileRejected, RowError, column_letter, map_header, parse_date,
                      read_table, row_values, safe_filename)
from .transaction import transaction
from ..converters import MAX_ID
from .validation import MAX_LEN, clean_date, clean_text, encoding_problem, parse_int, shown

MAX_ROWS = 10_000
UNIT, PROBLEM, REQUIREMENT, CATEGORY, RESPONSIBLE, DUE, WORKDAYS = (
    "责任单位", "存在问题", "整改要求", "问题类别", "责任人", "整改时限", "整改工作日")
COLUMNS = ("序号", UNIT, PROBLEM, REQUIREMENT, CATEGORY, RESPONSIBLE, DUE, WORKDAYS)
REQUIRED = (UNIT, PROBLEM)
HEADER_ALIASES = {"单位": UNIT, "单位名称": UNIT, "被督查单位": UNIT, "问题": PROBLEM, "问题描述": PROBLEM,
                  "整改意见": REQUIREMENT, "整改措施要求": REQUIREMENT, "类别": CATEGORY, "问题分类": CATEGORY,
                  "责任人员": RESPONSIBLE, "时限": DUE, "完成时限": DUE, "整改期限": DUE,
                  "工作日": WORKDAYS, "整改时限（工作日）": WORKDAYS}
ALIAS_SHEET = "单位别名"
MAX_BODIES = 500  # the column's length
MAX_UNITS = 10_000
CATEGORY_BY_LABEL = {label: key for key, label in ITEM_CATEGORIES.items()}


# -- inspections ---------------------------------------------------------------
def _clean(data: dict) -> dict:
    errors: dict[str, str] = {}
    name = clean_text(data.get("name"), "name", "督查名称", errors, max_len=MAX_LEN["title"], visible=True)
    starts = clean_date(data.get("starts_on"), "starts_on", "开始日期", errors)
    ends = clean_date(data.get("ends_on"), "ends_on", "结束日期", errors)
    if starts and ends and ends < starts:
        errors["ends_on"] = "结束日期不能早于开始日期"
    bodies = clean_text(data.get("bodies"), "bodies", "督查组成单位", errors, max_len=MAX_BODIES, required=False,
                        multiline=True) or ""
    raw_ids = data.get("unit_ids") or []
    if not isinstance(raw_ids, list):
        raw_ids = [raw_ids]
    unit_ids = []
    if len(raw_ids) > MAX_UNITS:
        errors["unit_ids"] = f"被督查单位最多 {MAX_UNITS} 个"
        raw_ids = []
    for raw in raw_ids:
        if isinstance(raw, str) and not raw.strip():
            continue
        unit_id = parse_int(raw.strip() if isinstance(raw, str) else raw, minimum=1, maximum=MAX_ID)
        if unit_id is None:
            errors["unit_ids"] = f"被督查单位编号必须是 1 到 {MAX_ID} 之间的整数：{shown(raw)}"
            unit_ids = []
            break
        unit_ids.append(unit_id)
    unit_ids = sorted(set(unit_ids))
    units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    if len(units) != len(unit_ids):
        missing = sorted(set(unit_ids) - {u.id for u in units})
        errors["unit_ids"] = f"单位不存在：{'、'.join(map(str, missing))}"
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "starts_on": starts, "ends_on": ends, "bodies": bodies, "units": units}


def create_inspection(data: dict, *, actor) -> Inspection:
    fields = _clean(data)
    with transaction():
        inspection = Inspection(**fields, created_by_id=getattr(actor, "id", None))
        db.session.add(inspection)
        db.session.flush()
        audit.record("inspection.create", "inspection", inspection.id, actor=actor,
                     data={"name": inspection.name, "units": len(fields["units"])})
    return inspection


def update_inspection(inspection: Inspection, data: dict, *, actor) -> Inspection:
    fields = _clean(data)
    with transaction():
        for key, value in fields.items():
            setattr(inspection, key, value)
        db.session.flush()
        audit.record("inspection.update", "inspection", inspection.id, actor=actor,
                     data={"name": inspection.name, "units": len(fields["units"])})
    return inspection


def notice_title(inspection: Inspection, unit_name: str) -> str:
    return f"关于{unit_name}{inspection.name}发现问题的整改通知书"[:200]


# -- the import ----------------------------------------------------------------
@dataclass
class UnitGroup:
    unit_id: int
    unit_name: str
    rows: list[int] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    #: not yet among the inspection's units: confirming adds it
    new_to_inspection: bool = False


@dataclass
class ImportPreview:
    filename: str
    rows: int = 0
    groups: list[UnitGroup] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def good_items(self) -> int:
        return sum(len(g.items) for g in self.groups)

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})

    def as_dict(self) -> dict:
        return {"filename": self.filename, "ok": self.ok, "rows": self.rows, "items": self.good_items,
                "token": self.token, "rejected_rows": self.rejected_rows,
                "notices": [{"unit_id": g.unit_id, "unit_name": g.unit_name, "items": len(g.items),
                             "rows": g.rows, "new_to_inspection": g.new_to_inspection} for g in self.groups],
                "errors": [e.as_dict() for e in self.errors]}


def _normal(name: str) -> str:
    return re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")


class _UnitMatcher:
    """Exact name, then the file's alias sheet, then the name without spaces/bracket styles."""

    def __init__(self, aliases: dict[str, str]):
        rows = db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.is_active.is_(True))).all()
        self.by_name: dict[str, list[int]] = {}
        for unit_id, name in rows:
            self.by_name.setdefault(name, []).append(unit_id)
        self.by_normal = {}
        for name, ids in self.by_name.items():
            self.by_normal.setdefault(_normal(name), []).extend((i, name) for i in ids)
        self.aliases = aliases
        self.names = list(self.by_name)

    def match(self, raw: str) -> tuple[int | None, str, str]:
        """(unit id, unit name, error message)."""
        name = self.aliases.get(raw, raw)
        ids = self.by_name.get(name)
        if ids is None:
            found = self.by_normal.get(_normal(name), [])
            ids, name = [i for i, _ in found], (found[0][1] if found else name)
        if ids and len(ids) == 1:
            return ids[0], name, ""
        if ids:
            return None, name, f"单位名称“{raw}”有重名，请在“{ALIAS_SHEET}”工作表中指明"
        close = difflib.get_close_matches(name, self.names, n=1, cutoff=0.6)
        hint = f"，是否为“{close[0]}”？" if close else "，请先在责任单位中建立该单位，或在“单位别名”工作表中列出别名"
        return None, raw, f"责任单位“{raw}”不存在{hint}"


def _aliases(filename: str, data: bytes) -> dict[str, str]:
    """The optional second sheet 单位别名: 别名 → 单位名称."""
    if not filename.lower().endswith(".xlsx"):
        return {}
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001  (the main read reports a broken file)
        return {}
    try:
        if ALIAS_SHEET not in workbook.sheetnames:
            return {}
        out = {}
        for i, row in enumerate(workbook[ALIAS_SHEET].iter_rows(values_only=True)):
            if i == 0 or not row or len(row) < 2 or not row[0] or not row[1]:
                continue
            out[str(row[0]).strip()] = str(row[1]).strip()
        return out
    finally:
        workbook.close()


def _text(values, column, row: int, errors: list, *, required=False, max_len=MAX_LEN["text"]) -> str:
    value = values.get(column)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors.append(RowError(row, column, f"{column}不能为空"))
    elif len(text) > max_len:
        errors.append(RowError(row, column, f"{column}不能超过{max_len}个字符"))
    elif problem := encoding_problem(text, multiline=True):
        errors.append(RowError(row, column, f"{column}{problem}"))
    return text


def _item_from_row(number: int, values: dict, issue_on: date) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []
    if "_extra" in values:
        letter = column_letter(values.pop("_extra"))
        errors.append(RowError(number, f"{letter}列", f"第 {letter} 列有内容但没有表头，无法识别"))
    problem = _text(values, PROBLEM, number, errors, required=True)
    requirement = _text(values, REQUIREMENT, number, errors)
    responsible = _text(values, RESPONSIBLE, number, errors, max_len=MAX_LEN["person"])
    raw_category = _text(values, CATEGORY, number, errors, max_len=50)
    category = "other"
    if raw_category:
        category = raw_category if raw_category in ITEM_CATEGORIES else CATEGORY_BY_LABEL.get(raw_category)
        if category is None:
            errors.append(RowError(number, CATEGORY, f"问题类别“{raw_category}”不正确（可选：{'、'.join(ITEM_CATEGORIES.values())}）"))
            category = "other"
    due, workdays = None, None
    raw_days = values.get(WORKDAYS)
    raw_due = values.get(DUE)
    if raw_days not in (None, ""):
        text = str(raw_days).strip().removesuffix("个工作日").removesuffix("工作日")
        workdays = parse_int(text, minimum=1, maximum=notice_service.MAX_WORKDAYS)
        if workdays is None:
            errors.append(RowError(number, WORKDAYS,
                                   f"整改工作日应为 1 到 {notice_service.MAX_WORKDAYS} 的整数：{shown(raw_days)}"))
    elif raw_due not in (None, ""):
        text = str(raw_due).strip()
        match = re.fullmatch(r"([0-9]{1,3})(?:个)?工作日", text)
        if match:
            workdays = parse_int(match.group(1), minimum=1, maximum=notice_service.MAX_WORKDAYS)
            if workdays is None:
                errors.append(RowError(number, DUE,
                                       f"整改时限应为 1 到 {notice_service.MAX_WORKDAYS} 个工作日：{shown(raw_due)}"))
        else:
            try:
                due = parse_date(raw_due)
            except ValueError:
                errors.append(RowError(number, DUE, f"整改时限“{raw_due}”不是有效日期（可写 {DATE_FORMATS_HINT}，"
                                                    "或“15个工作日”）"))
            else:
                if due < issue_on:
                    errors.append(RowError(number, DUE, f"整改时限 {due.isoformat()} 早于下发日期 {issue_on.isoformat()}"))
    else:
        errors.append(RowError(number, DUE, "没有整改时限：请填写日期，或在“整改工作日”列填写工作日数"))
    return {"problem": problem, "requirement": requirement, "category": category, "responsible": responsible,
            "due_date": due.isoformat() if due else None, "due_workdays": workdays}, errors


def preview_import(inspection: Inspection, filename: str, data: bytes) -> ImportPreview:
    """Read and check every row; nothing is written (but the file is kept for confirming)."""
    from .calendar import today

    filename = safe_filename(filename)
    preview = ImportPreview(filename=filename)
    try:
        table = read_table(filename, data, max_rows=MAX_ROWS, fill_merged=True)
        columns = map_header(table, COLUMNS, REQUIRED, HEADER_ALIASES)
    except FileRejected as exc:
        preview.errors.append(exc.error)
        return preview
    if not table.rows:
        preview.errors.append(RowError(None, "", "文件中没有数据行（只有表头或为空）"))
        return preview
    matcher = _UnitMatcher(_aliases(filename, data))
    covered = {u.id for u in inspection.units}
    groups: dict[int, UnitGroup] = {}
    issue_on = today()
    for number, cells in table.rows:
        values = row_values(columns, cells)
        item, errors = _item_from_row(number, values, issue_on)
        raw_unit = values.get(UNIT)
        unit_id, unit_name = None, ""
        if raw_unit in (None, ""):
            errors.insert(0, RowError(number, UNIT, "责任单位不能为空"))
        else:
            unit_id, unit_name, message = matcher.match(str(raw_unit).strip())
            if message:
                errors.insert(0, RowError(number, UNIT, message))
        preview.rows += 1
        if errors:
            preview.errors.extend(errors)
            continue
        group = groups.get(unit_id)
        if group is None:
            group = groups[unit_id] = UnitGroup(unit_id, unit_name, new_to_inspection=unit_id not in covered)
        group.rows.append(number)
        group.items.append(item)
    preview.groups = sorted(groups.values(), key=lambda g: g.rows[0])
    preview.token = _keep(data, filename)
    return preview


def _kept_dir():
    folder = upload_folder() / "pending-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep(data: bytes, filename: str) -> str:
    """Keep the previewed file until it is confirmed (by its random token)."""
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    token = secrets.token_hex(16) + suffix
    (_kept_dir() / token).write_bytes(data)
    return token


def kept_file(token: str) -> bytes:
    if not re.fullmatch(r"[0-9a-f]{32}\.(xlsx|csv)", token or ""):
        raise NotFound("导入文件不存在或已过期，请重新上传")
    path = _kept_dir() / token
    if not path.is_file():
        raise NotFound("导入文件不存在或已过期，请重新上传")
    return path.read_bytes()


def confirm_import(inspection: Inspection, filename: str, data: bytes, *, actor, only_valid: bool = False,
                   issue: bool = False) -> ImportPreview:
    """Check again and write: one draft notice per unit (≤ MAX_ITEMS items each), in one transaction.

    With rejected rows, nothing is written unless ``only_valid``. ``issue``:
    review and issue every notice in the same transaction.
    """
    preview = preview_import(inspection, filename, data)
    if preview.errors and not only_valid:
        raise ValidationFailed({"file": "文件有误"},
                               f"有 {preview.rejected_rows or len(preview.errors)} 行未通过检查，未导入任何内容；"
                               "请修改后重新导入，或选择“只导入检查通过的行”")
    if not preview.groups:
        raise ValidationFailed({"file": "没有可导入的行"}, "没有检查通过的行，未导入任何内容")
    with transaction():
        units = {u.id: u for u in db.session.scalars(
            sa.select(Unit).where(Unit.id.in_([g.unit_id for g in preview.groups])))}
        for group in preview.groups:
            if group.new_to_inspection:
                inspection.units.append(units[group.unit_id])
        created: list[Notice] = []
        for group in preview.groups:
            for start in range(0, len(group.items), notice_service.MAX_ITEMS):
                notice = Notice(unit_id=group.unit_id, inspection_id=inspection.id, source="inspection",
                                title=notice_title(inspection, group.unit_name),
                                draft_items=group.items[start:start + notice_service.MAX_ITEMS])
                created.append(notice)
        db.session.add_all(created)
        db.session.flush()
        audit.record("inspection.import", "inspection", inspection.id, actor=actor,
                     data={"filename": preview.filename, "notices": len(created), "items": preview.good_items,
                           "rejected_rows": preview.rejected_rows, "issued": issue})
        if issue:
            for notice in created:
                workflow.fire(notice, "review", actor=actor)
                notice_service.issue(notice, actor=actor)
    try:
        (_kept_dir() / preview.token).unlink(missing_ok=True)
    except OSError:
        pass
    return preview


def template_workbook() -> bytes:
    """The import template: one row per item, an example, the accepted forms, the alias sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "整改事项"
    ws.append(list(COLUMNS))
    ws.append([1, "区司法局", "普法责任清单未在门户网站公示", "建立并公示普法责任清单，报依法治区办备案",
               ITEM_CATEGORIES["planning"], "张三", "2026-12-31", None])
    ws.append([2, "区司法局", "执法人员年度法治培训记录缺失", "建立执法人员法治培训档案",
               ITEM_CATEGORIES["internal"], "李四", None, 20])
    widths = {"序号": 6, UNIT: 20, PROBLEM: 50, REQUIREMENT: 50, CATEGORY: 16, RESPONSIBLE: 10, DUE: 14,
              WORKDAYS: 12}
    for index, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[column_letter(index - 1)].width = widths[name]
    ws.freeze_panes = "A2"
    categories = DataValidation(type="list", formula1='"' + ",".join(ITEM_CATEGORIES.values()) + '"',
                                allow_blank=True)
    ws.add_data_validation(categories)
    letter = column_letter(COLUMNS.index(CATEGORY))
    categories.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    aliases = wb.create_sheet(ALIAS_SHEET)
    aliases.append(["别名", "单位名称"])
    aliases.append(["司法局", "区司法局"])
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        "每行一条整改事项；同一责任单位的各行合并为一份整改通知书（草稿），审核后下发。",
        f"必填：{UNIT}、{PROBLEM}，以及{DUE}或{WORKDAYS}之一。",
        f"{DUE}可写 {DATE_FORMATS_HINT}，或 Excel 日期；{WORKDAYS}填自下发之日起的工作日数（如 15）。",
        f"{UNIT}须与系统中的单位名称一致；简称可在“{ALIAS_SHEET}”工作表中列出。合并单元格按每行都填写处理，空行跳过。",
        f"{CATEGORY}可填：{'、'.join(ITEM_CATEGORIES.values())}；留空为“其他”。",
        f"每个文件最多 {MAX_ROWS} 行。导入前会先预览，列出每个被拒绝的行及原因。",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
