"""Importing units and their contacts from .xlsx and .csv files.

One row per unit under a Chinese header row. Every row is checked first; if
any row is wrong nothing is written and the caller gets a report naming each
rejected row (as numbered in Excel: the header is row 1), its column and the
reason in Chinese. If every row is good, all units are added in one
transaction together with one ``units.import`` audit row.

Field rules are not repeated here: each row goes through
``services.units.clean_unit`` (names, kinds, phones, e-mails, contacts) and
is added with ``add_unit``. This module only adds what a file brings: reading
the formats, the header, parents named by name (in the database or anywhere
in the same file), duplicates within the file, and cycles.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from types import SimpleNamespace

import sqlalchemy as sa

from ..errors import ValidationFailed
from ..extensions import db
from ..models import CONTACT_ROLES, UNIT_KINDS, Unit
from . import audit
from .tabular import (DEFAULT_MAX_BYTES, MSG_NOT_XLSX, MSG_XLS, FileRejected, RowError, Table, map_header, row_values,
                      safe_filename)
from .tabular import read_table as read_spreadsheet
from .transaction import transaction
from .units import add_unit, clean_unit

__all__ = ["COLUMNS", "DEFAULT_MAX_BYTES", "MAX_ROWS", "MSG_NOT_XLSX", "MSG_XLS", "FileRejected", "ImportReport", "RowError",
           "import_units", "read_table", "template_workbook"]

MAX_ROWS = 10_000

NAME, KIND, PARENT, POWER = "单位名称", "单位类别", "上级单位", "执法权限"
#: (role id, name column, phone column, email column)
CONTACT_COLUMNS = tuple(
    (role, label, f"{label}电话", f"{label}邮箱") for role, label in CONTACT_ROLES.items()
)
COLUMNS = (NAME, KIND, PARENT, POWER) + tuple(c for _, *cols in CONTACT_COLUMNS for c in cols)
REQUIRED_COLUMNS = (NAME, KIND)

#: short names people type, besides each kind's label and id
KIND_ALIASES = {"市直部门": "city_department", "区直部门": "city_department",
                "市（区）直部门": "city_department", "县区": "county", "县市区": "county",
                "乡镇": "town", "街道": "town"}
for _kind_id, _label in UNIT_KINDS.items():
    KIND_ALIASES[_label] = _kind_id

@dataclass
class ImportReport:
    filename: str
    created: int = 0
    #: data rows read (blank rows not counted)
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.ok:
            if self.dry_run:
                return f"检查通过：{self.rows} 个单位可以导入（未写入）"
            return f"已导入 {self.created} 个单位"
        return f"导入失败：发现 {len(self.errors)} 处错误，未导入任何单位"

    def as_dict(self) -> dict:
        return {"filename": self.filename, "ok": self.ok, "created": self.created,
                "rows": self.rows, "errors": [e.as_dict() for e in self.errors]}


@dataclass
class _Row:
    number: int
    values: dict[str, object]
    name: str | None = None
    parent_name: str | None = None
    #: ("db", id), ("file", row number) or None
    parent: tuple | None = None
    fields: dict | None = None
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))


# -- public ------------------------------------------------------------------
def import_units(filename: str, data: bytes, *, actor=None, dry_run: bool = False) -> ImportReport:
    """Check every row; write all units in one transaction, or nothing."""
    filename = safe_filename(filename)
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        table = read_spreadsheet(filename, data, max_rows=MAX_ROWS)
        columns = map_header(table, COLUMNS, REQUIRED_COLUMNS)
        records = table.rows
    except FileRejected as exc:
        report.errors.append(exc.error)
        return report

    rows = [_Row(number, row_values(columns, cells)) for number, cells in records]
    report.rows = len(rows)
    if not rows:
        report.errors.append(RowError(None, "", "文件中没有数据行（只有表头或为空）"))
        return report
    _check_rows(rows)
    for row in rows:
        report.errors.extend(row.errors)
    if report.errors or dry_run:
        report.errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
        return report

    with transaction():
        created = _insert(rows)
        audit.record("units.import", "import", None, actor=actor,
                     data={"filename": filename, "count": len(created)})
    report.created = len(created)
    return report


def read_table(filename: str, data: bytes) -> tuple[int, list, list[tuple[int, list]]]:
    """(header row number, header cells, [(row number, cells)]) without blank rows."""
    table: Table = read_spreadsheet(filename, data, max_rows=MAX_ROWS)
    return table.header_row, table.header, table.rows


def template_workbook() -> bytes:
    """The import template: bold header, sensible widths, one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "单位名册"
    ws.append(list(COLUMNS))
    example = {NAME: "区司法局", KIND: UNIT_KINDS["city_department"], PARENT: "", POWER: "是",
               "主要负责人": "张三", "主要负责人电话": "13800138000",
               "主要负责人邮箱": "zhangsan@example.gov.cn", "联络员": "李四",
               "联络员电话": "0791-83986751"}
    ws.append([example.get(c, "") or None for c in COLUMNS])
    fill = PatternFill("solid", fgColor="F2F2F2")
    for index, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = 28 if name in (NAME, PARENT) or name.endswith("邮箱") else 16
        if name.endswith("电话"):  # text, so Excel keeps 0791-… and long mobiles as typed
            ws.column_dimensions[letter].number_format = "@"
            ws.cell(row=2, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"' + ",".join(UNIT_KINDS.values()) + '"',
                           allow_blank=False, showErrorMessage=True,
                           errorTitle="单位类别", error="请从列表中选择单位类别")
    power = DataValidation(type="list", formula1='"是，否"', allow_blank=True)
    ws.add_data_validation(kinds)
    ws.add_data_validation(power)
    kind_col = get_column_letter(COLUMNS.index(KIND) + 1)
    power_col = get_column_letter(COLUMNS.index(POWER) + 1)
    kinds.add(f"{kind_col}2:{kind_col}{MAX_ROWS + 1}")
    power.add(f"{power_col}2:{power_col}{MAX_ROWS + 1}")

    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        "每行一个单位；第 1 行为表头，请勿修改列名。第 2 行为示例，导入前请改成实际内容或删除。",
        f"必填：{NAME}、{KIND}。{KIND}可填：{'、'.join(UNIT_KINDS.values())}（也可填“市直部门”“县区”“乡镇”）。",
        f"{PARENT}：填已有单位的名称，或本文件中其他行的单位名称；没有上级单位则留空。",
        f"{POWER}：填“是”或“否”，留空视为“否”。",
        "联系人可不填；填写了电话或邮箱的，必须同时填写姓名。电话为 11 位手机或带区号的座机。",
        "只导入第一个工作表；空行会被跳过。任何一行有误时整个文件都不会导入，请按提示修改后重新上传。",
        f"每个文件最多 {MAX_ROWS} 行。",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _column_order(column: str) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


# -- checking ----------------------------------------------------------------
def _check_rows(rows: list[_Row]) -> None:
    for row in rows:
        if "_extra" in row.values:
            from openpyxl.utils import get_column_letter

            letter = get_column_letter(row.values.pop("_extra") + 1)
            row.error(f"{letter}列", f"第 {letter} 列有内容但没有表头，无法识别")
        row.name = row.values.get(NAME) if isinstance(row.values.get(NAME), str) else None
        parent = row.values.get(PARENT)
        row.parent_name = str(parent) if parent is not None else None

    _resolve_parents(rows)
    _find_cycles(rows)
    top_level = _db_top_level_ids({r.name for r in rows if r.name})
    for row in rows:
        _clean_row(row, top_level)
    _find_duplicates(rows)


def _resolve_parents(rows: list[_Row]) -> None:
    wanted = {r.parent_name for r in rows if r.parent_name}
    in_db: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(wanted), 500):
        for unit_id, name in db.session.execute(sa.select(Unit.id, Unit.name).where(Unit.name.in_(chunk))):
            in_db.setdefault(name, []).append(unit_id)
    in_file: dict[str, list[int]] = {}
    for row in rows:
        if row.name:
            in_file.setdefault(row.name, []).append(row.number)
    for row in rows:
        name = row.parent_name
        if not name:
            continue
        db_ids, file_rows = in_db.get(name, []), in_file.get(name, [])
        if len(db_ids) + len(file_rows) > 1:
            where = []
            if db_ids:
                where.append(f"系统中已有 {len(db_ids)} 个")
            if file_rows:
                where.append("本文件第 " + "、".join(map(str, file_rows)) + " 行")
            row.error(PARENT, f"上级单位“{name}”有重名（{'；'.join(where)}），无法确定是哪一个")
        elif db_ids:
            row.parent = ("db", db_ids[0])
        elif file_rows:
            row.parent = ("file", file_rows[0])
        else:
            row.error(PARENT, f"上级单位“{name}”不存在：请先建立该单位，或把它列入本文件")


def _find_cycles(rows: list[_Row]) -> None:
    """Refuse rows whose parents (within the file) lead back to themselves."""
    by_number = {r.number: r for r in rows}
    done: set[int] = set()
    for start in rows:
        path: list[_Row] = []
        on_path: dict[int, int] = {}
        node = start
        while node is not None and node.number not in done and node.number not in on_path:
            on_path[node.number] = len(path)
            path.append(node)
            node = by_number.get(node.parent[1]) if node.parent and node.parent[0] == "file" else None
        if node is not None and node.number in on_path:
            cycle = path[on_path[node.number]:]
            for i, member in enumerate(cycle):
                if len(cycle) == 1:
                    member.error(PARENT, "上级单位不能是本单位")
                    continue
                names = [c.name or f"第{c.number}行" for c in cycle[i:] + cycle[:i]]
                member.error(PARENT, f"上级单位形成循环：{' → '.join(names + [names[0]])}")
        done.update(on_path)


def _db_top_level_ids(names: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(names), 500):
        for unit_id, name in db.session.execute(
                sa.select(Unit.id, Unit.name).where(Unit.parent_id.is_(None), Unit.name.in_(chunk))):
            found[name] = unit_id
    return found


def _kind_id(value):
    if isinstance(value, str):
        # people often type full-width brackets (U+FF08, U+FF09)
        key = value.replace(" ", "").replace("\uff08", "(").replace("\uff09", ")")
        return KIND_ALIASES.get(key, value)
    return value


def _contacts(row: _Row) -> tuple[list[dict], list[tuple[str, str, str]]]:
    """Contact dicts for clean_contacts, and each one's (name, phone, email) columns."""
    contacts, columns = [], []
    for role, name_col, phone_col, email_col in CONTACT_COLUMNS:
        name, phone, email = (row.values.get(c) for c in (name_col, phone_col, email_col))
        if name is None and phone is None and email is None:
            continue
        if name is None:
            row.error(name_col, f"填写了{name_col}的电话或邮箱，但没有填写{name_col}姓名")
            continue
        contacts.append({"role": role, "name": name, "phone": phone, "email": email})
        columns.append((name_col, phone_col, email_col))
    return contacts, columns


def _clean_row(row: _Row, top_level: dict[str, int]) -> None:
    contacts, contact_columns = _contacts(row)
    parent_in_file = bool(row.parent and row.parent[0] == "file")
    data = {
        "name": row.values.get(NAME),
        "kind": _kind_id(row.values.get(KIND)),
        # a parent that is only in this file has no id yet; it is linked on insert
        "parent_id": row.parent[1] if row.parent and row.parent[0] == "db" else None,
        "has_enforcement_power": row.values.get(POWER),
        "contacts": contacts,
    }
    current = None
    if parent_in_file and row.name in top_level:
        # clean_unit would compare the name with top-level units (parent_id is None
        # here); the real parent is new, so no unit in the database can clash.
        # Naming that one top-level unit as "current" tells clean_unit to skip it.
        current = SimpleNamespace(id=top_level[row.name], parent_id=None, name=row.name)
    try:
        row.fields = clean_unit(data, current=current)
    except ValidationFailed as exc:
        for key, message in exc.fields.items():
            row.error(_column_for(key, contact_columns), message)


def _column_for(key: str, contact_columns: list[tuple[str, str, str]]) -> str:
    simple = {"name": NAME, "kind": KIND, "parent_id": PARENT, "has_enforcement_power": POWER}
    if key in simple:
        return simple[key]
    if key.startswith("contacts[") and "]" in key:
        index = int(key[len("contacts["):key.index("]")])
        part = key.rsplit(".", 1)[-1]
        if 0 <= index < len(contact_columns):
            name_col, phone_col, email_col = contact_columns[index]
            return {"name": name_col, "phone": phone_col, "email": email_col}.get(part, name_col)
    return "联系人"


def _find_duplicates(rows: list[_Row]) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if not row.name:
            continue
        key = (row.parent, row.name.strip())
        if key in seen:
            where = "同为顶级单位" if row.parent is None else f"上级单位同为“{row.parent_name}”"
            row.error(NAME, f"与第 {seen[key]} 行重名（{where}）：同一上级单位下单位名称不能重复")
        else:
            seen[key] = row.number


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- writing -----------------------------------------------------------------
def _insert(rows: list[_Row]) -> list[Unit]:
    """Add level by level (parents first), so each level goes in as batched INSERTs."""
    by_number = {r.number: r for r in rows}
    units: dict[int, Unit] = {}
    pending = list(rows)
    while pending:
        level = [r for r in pending
                 if not (r.parent and r.parent[0] == "file") or r.parent[1] in units]
        if not level:  # cycles were refused while checking; never loop for ever
            raise RuntimeError("unresolved parents in import")
        for row in level:
            fields = dict(row.fields)
            if row.parent and row.parent[0] == "file":
                fields["parent_id"] = units[row.parent[1]].id
            units[row.number] = add_unit(fields)
        db.session.flush()
        done = {r.number for r in level}
        pending = [r for r in pending if r.number not in done]
    return [units[n] for n in by_number]
