"""Reading a spreadsheet (.xlsx or .csv) into numbered rows, for every import.

Each import (units, an inspection's items…) declares its columns; this module
does what they all need and nothing about their meaning: refuse what is not
the file it claims to be (a .doc renamed .xlsx, an old .xls, a zip bomb),
decode CSV as Excel on Chinese Windows saves it, skip blank rows, number
rows as Excel does (the header is usually row 1), map the header to known
column names, fill merged cells down, and read dates the ways people type
them. Errors carry the row number and a Chinese reason.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath
from typing import NamedTuple

from flask import current_app

#: refuse an .xlsx whose parts unpack to more than this (a "zip bomb")
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
ALLOWED_EXTENSIONS = (".xlsx", ".csv")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls (and other legacy Office files)

MSG_NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件"
MSG_XLS = "不支持旧版 Excel（.xls）文件：请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入"
DATE_FORMATS_HINT = "2023-11-05、2023/11/05、2023年11月5日 或 2023.11.5"


class RowError(NamedTuple):
    """One reason for rejecting a row or a file: row as in Excel (None: the whole file)."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class FileRejected(Exception):
    """The file as a whole cannot be read; carries the Chinese reason."""

    def __init__(self, message: str, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.error = RowError(row, column, message)


@dataclass
class Table:
    header_row: int
    header: list
    #: (row number as in Excel, cells), blank rows left out
    rows: list[tuple[int, list]]


def safe_filename(filename: str | None) -> str:
    return PurePath((filename or "").replace("\\", "/")).name or "（未命名文件）"


def read_table(filename: str, data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS,
               fill_merged: bool = False) -> Table:
    """The first sheet's header and data rows; FileRejected when the file cannot be used.

    ``fill_merged``: a merged range's value is repeated in each of its cells
    (a unit name merged down over its items); costs a full (not streaming)
    read of the workbook.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise FileRejected(MSG_XLS)
    if suffix not in ALLOWED_EXTENSIONS:
        raise FileRejected(f"不支持的文件类型“{suffix or '无扩展名'}”：只能导入 .xlsx 或 .csv 文件")
    if not data:
        raise FileRejected("文件是空的")
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES
    if len(data) > limit:
        raise FileRejected(f"文件过大：不能超过 {limit // (1024 * 1024)} MB")
    raw = _xlsx_rows(data, max_rows, fill_merged) if suffix == ".xlsx" else _csv_rows(data)
    header = None
    records: list[tuple[int, list]] = []
    for number, cells in raw:
        cells = [cell_value(v) for v in cells]
        if all(v is None for v in cells):
            continue
        if header is None:
            header = (number, cells)
            continue
        records.append((number, cells))
        if len(records) > max_rows:
            raise FileRejected(f"数据行超过 {max_rows} 行，请拆分为多个文件分批导入")
    if header is None:
        raise FileRejected("文件是空的：没有表头和数据")
    return Table(header[0], header[1], records)


FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})


def map_header(table: Table, columns: tuple[str, ...], required: tuple[str, ...],
               aliases: dict[str, str] | None = None) -> dict[int, str]:
    """Index → column name; refuse unknown, missing and repeated columns (spaces and * ignored,
    half-width brackets read as full-width)."""
    aliases = aliases or {}
    mapped: dict[int, str] = {}
    unknown, repeated = [], []
    for index, raw in enumerate(table.header):
        if raw is None:
            continue
        name = str(raw).replace(" ", "").replace("*", "").translate(FULL_WIDTH_BRACKETS)
        name = aliases.get(name, name)
        if name not in columns:
            unknown.append(str(raw))
        elif name in mapped.values():
            repeated.append(name)
        else:
            mapped[index] = name
    problems = []
    if unknown:
        problems.append(f"无法识别的列：{'、'.join(unknown)}")
    missing = [c for c in required if c not in mapped.values()]
    if missing:
        problems.append(f"缺少必需的列：{'、'.join(missing)}")
    if repeated:
        problems.append(f"列重复：{'、'.join(dict.fromkeys(repeated))}")
    if problems:
        raise FileRejected(";".join(problems) + f"。表头应为：{'、'.join(columns)}",
                           row=table.header_row, column="表头")
    return mapped


def row_values(columns: dict[int, str], cells: list) -> dict[str, object]:
    """Column name → cell; an unnamed column with content is noted as ``_extra`` (its index)."""
    values: dict[str, object] = {}
    for index, value in enumerate(cells):
        if index in columns:
            values[columns[index]] = value
        elif value is not None:
            values.setdefault("_extra", index)
    return values


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# -- cells -------------------------------------------------------------------
def cell_value(value):
    """Normalise a cell: strings stripped (empty → None), numbers as typed, dates ISO."""
    if value is None:
        return None
    if isinstance(value, str):
        value = value.replace("\u3000", " ").strip().lstrip("\ufeff")
        return value or None
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if value.is_integer():  # phones stored as numbers: 13800138000.0
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})[年](\d{1,2})[月](\d{1,2})[日]?$"),
)
#: Excel's day 0 (its 1900 leap-year bug included)
EXCEL_EPOCH = date(1899, 12, 30)
#: serial numbers read as dates: 1982-01-01 … 2118-12-31
SERIAL_RANGE = (30000, 80000)


def parse_date(value) -> date:
    """A date typed any of the accepted ways, or an Excel serial date, within the years
    every input takes (validation.MIN_DATE..MAX_DATE); ValueError otherwise."""
    from .validation import MAX_DATE, MIN_DATE

    day = _parse_date(value)
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(str(value))
    return day


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        raise ValueError("empty")
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}00:00:00", text):  # a datetime cell at midnight
        text = text[:10]
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=serial)
        raise ValueError(text)
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)  # ValueError for 2023-02-30
    raise ValueError(text)


# -- formats -----------------------------------------------------------------
def _xlsx_rows(data: bytes, max_rows: int, fill_merged: bool):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if data.startswith(OLE_MAGIC):
        raise FileRejected(MSG_XLS)
    if not data.startswith(XLSX_MAGIC):
        raise FileRejected(MSG_NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileRejected("文件解压后过大，请删除多余内容或拆分后再导入")
            if "xl/workbook.xml" not in archive.namelist():
                raise FileRejected(MSG_NOT_XLSX)  # a .docx or a plain zip renamed .xlsx
        workbook = load_workbook(io.BytesIO(data), read_only=not fill_merged, data_only=True)
    except FileRejected:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            OSError, EOFError, IndexError, AttributeError, SyntaxError) as exc:
        # SyntaxError: xml.etree's ParseError on a broken sheet
        raise FileRejected(MSG_NOT_XLSX) from exc
    try:
        if not workbook.worksheets:
            raise FileRejected(MSG_NOT_XLSX)
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong A1:A1 size
        fills: dict[tuple[int, int], object] = {}
        if fill_merged:
            for merged in list(sheet.merged_cells.ranges):
                top = sheet.cell(row=merged.min_row, column=merged.min_col).value
                for r in range(merged.min_row, merged.max_row + 1):
                    for c in range(merged.min_col, merged.max_col + 1):
                        fills[(r, c)] = top
        rows, filled = [], 0
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = list(cells)
                blank = all(cell_value(v) is None for v in cells)
                if fills and not blank:  # a row empty but for a merged range stays blank
                    for c in range(len(cells)):
                        if (number, c + 1) in fills:
                            cells[c] = fills[(number, c + 1)]
                rows.append((number, cells))
                if not blank:
                    filled += 1
                    if filled > max_rows + 1:  # header + too many rows: enough to refuse
                        break
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError,
                SyntaxError) as exc:
            raise FileRejected(MSG_NOT_XLSX) from exc
        return rows
    finally:
        if hasattr(workbook, "close"):
            workbook.close()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("无法识别 CSV 文件的编码：请保存为 UTF-8 或 GBK（GB18030）编码")


def _csv_rows(data: bytes):
    text = _decode(data)
    if "\x00" in text:
        raise FileRejected("CSV 文件中含有无法识别的内容（可能不是文本文件）")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        # csv row number = Excel row number, even when a quoted cell spans lines
        return [(n, cells) for n, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)]
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式不正确：{exc}") from exc
