"""The shared spreadsheet reader: dates, merged cells, blank rows, renamed files."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from docx import Document
from openpyxl import Workbook

from pufa_flow.services.tabular import (MSG_NOT_XLSX, FileRejected, map_header, parse_date, read_table,
                                        row_values)


def _xlsx(build) -> bytes:
    wb = Workbook()
    build(wb.active)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("text", ["2023-11-05", "2023/11/05", "2023年11月5日", "2023.11.5", "2023/11/5",
                                  "45235", "45235.0", date(2023, 11, 5), datetime(2023, 11, 5)])
def test_dates_in_every_accepted_form(text):
    assert parse_date(text) == date(2023, 11, 5)


@pytest.mark.parametrize("text", ["下周一", "2023-02-30", "11/05/2023", "12", "2023年13月1日", ""])
def test_nonsense_dates_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_merged_cells_fill_down_and_blank_rows_are_skipped(app):
    def build(ws):
        ws.append(["单位", "问题", "时限"])
        ws.append(["区司法局", "问题一", date(2023, 11, 5)])
        ws.append([None, "问题二", "2023/11/06"])
        ws.append([None, None, None])
        ws.append([None, "问题三", 45237])
        ws.merge_cells("A2:A5")

    table = read_table("x.xlsx", _xlsx(build), fill_merged=True)
    columns = map_header(table, ("单位", "问题", "时限"), ("单位",))
    rows = [(n, row_values(columns, cells)) for n, cells in table.rows]
    assert [n for n, _ in rows] == [2, 3, 5]  # Excel's row numbers, the blank row 4 skipped
    assert [v["单位"] for _, v in rows] == ["区司法局"] * 3
    assert [parse_date(v["时限"]) for _, v in rows] == [date(2023, 11, 5), date(2023, 11, 6), date(2023, 11, 7)]


def test_without_fill_merged_only_the_top_cell_has_the_value(app):
    def build(ws):
        ws.append(["单位", "问题"])
        ws.append(["区司法局", "问题一"])
        ws.append([None, "问题二"])
        ws.merge_cells("A2:A3")

    table = read_table("x.xlsx", _xlsx(build))
    assert [cells[0] for _, cells in table.rows] == ["区司法局", None]


def test_a_word_file_renamed_xlsx_is_refused(app):
    buffer = io.BytesIO()
    Document().save(buffer)
    with pytest.raises(FileRejected) as exc:
        read_table("整改清单.xlsx", buffer.getvalue())
    assert exc.value.error.message == MSG_NOT_XLSX


def test_header_aliases_and_missing_columns(app):
    table = read_table("x.csv", "责任单位,问题描述\n甲,乙\n".encode())
    columns = map_header(table, ("单位", "问题"), ("单位",), aliases={"责任单位": "单位", "问题描述": "问题"})
    assert columns == {0: "单位", 1: "问题"}
    with pytest.raises(FileRejected, match="缺少必需的列：时限"):
        map_header(table, ("单位", "问题", "时限"), ("时限",), aliases={"责任单位": "单位", "问题描述": "问题"})
