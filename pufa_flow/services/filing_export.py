"""The filing board as an .xlsx workbook (openpyxl): the matrix and the counts per type."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

#: cell fill per board verdict, the page's colours
FILLS = {"on_time": "E8F5EC", "late": "FFF4E5", "returned": "FDECEA", "missing": "F8D7DA", "due": "FFFFFF",
         "not_required": "EEEEEE"}


def board_workbook(board) -> io.BytesIO:
    from .filings import CELL_STATES

    wb = Workbook()
    ws = wb.active
    ws.title = f"{board.year}年度报备情况"
    ws.append(["责任单位", *[ft.name for ft in board.types]])
    ws.append(["报送时限", *[ft.due_date.isoformat() + (f"（目标{ft.target}条）" if ft.is_stream else "")
                         for ft in board.types]])
    for unit, cells in board.rows:
        ws.append([unit.name, *[c.label for c in cells]])
        row = ws.max_row
        for col, c in enumerate(cells, start=2):
            ws.cell(row, col).fill = PatternFill("solid", fgColor=FILLS[c.state])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "B3"
    ws.column_dimensions["A"].width = 22
    for col in range(2, len(board.types) + 2):
        ws.column_dimensions[get_column_letter(col)].width = 18
        for r in (1, 2):
            ws.cell(r, col).alignment = Alignment(wrap_text=True)
    counts = wb.create_sheet("分类统计")
    counts.append(["报备事项", *CELL_STATES.values()])
    for ft in board.types:
        counts.append([ft.name, *[board.counts[ft.id][s] for s in CELL_STATES]])
    for cell in counts[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out
