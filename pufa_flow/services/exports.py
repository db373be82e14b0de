"""The rectification exports: 整改台账 (.xlsx, the list's current filter) and 督办通报 (.docx, from real data)."""
from __future__ import annotations

import io

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import RectificationItem
from .calendar import item_waiting_working_days, item_working_days_overdue, overdue_filter, today

LEDGER_COLUMNS = (
    ("编号", 8), ("责任单位", 20), ("通知书文号", 14), ("序号", 6), ("来源", 10), ("问题类别", 14),
    ("存在问题", 50), ("整改要求", 50), ("责任人", 10), ("下发日期", 12), ("整改时限", 12), ("状态", 10),
    ("逾期工作日", 10), ("待验收工作日", 12), ("整改措施", 50), ("提交日期", 12), ("销号日期", 12),
    ("延期次数", 8), ("佐证材料数", 10),
)
DATE_FORMAT = "yyyy-mm-dd"


def _local_date(value):
    from flask import current_app

    from ..clock import to_local

    return to_local(value, current_app.config["PUFA_TIMEZONE"]).date() if value else None


def ledger_workbook(items: list[RectificationItem], *, user=None) -> bytes:
    """One row per item: frozen bold header, auto filter, widths, dates as Excel dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..models import Attachment

    ids = [i.id for i in items]
    evidence_counts = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        evidence_counts.update(db.session.execute(
            sa.select(Attachment.owner_id, sa.func.count()).where(Attachment.owner_type == "item",
                                                                  Attachment.owner_id.in_(part))
            .group_by(Attachment.owner_id)).all())
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append([name for name, _ in LEDGER_COLUMNS])
    on = today()
    for i in items:
        notice = i.notice
        ws.append([i.id, i.unit.name, notice.doc_number, i.seq, notice.source_label, i.category_label, i.problem,
                   i.requirement, i.responsible_person, _local_date(notice.issued_at), i.due_date, i.status_label,
                   item_working_days_overdue(i, on), item_waiting_working_days(i, on), i.measures,
                   _local_date(i.submitted_at), _local_date(i.closed_at), len(i.extensions),
                   evidence_counts.get(i.id, 0)])
    date_columns = {n for n, (name, _) in enumerate(LEDGER_COLUMNS, start=1) if name.endswith("日期") or name == "整改时限"}
    for n, (name, width) in enumerate(LEDGER_COLUMNS, start=1):
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = width
        cell = ws.cell(row=1, column=n)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        if n in date_columns:
            for row in range(2, len(items) + 2):
                ws.cell(row=row, column=n).number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(LEDGER_COLUMNS))}{len(items) + 1}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def overdue_bulletin_docx(user) -> bytes:
    """督办通报 of today's overdue items (not those waiting for verification), by unit, most late first."""
    from ..documents.model import Issuer, OverdueBulletinData, OverdueItem, OverdueUnit
    from ..documents.overdue import overdue_bulletin
    from ..documents.sources import _organ
    from ..models.scoping import scope

    on = today()
    stmt = (scope(sa.select(RectificationItem), RectificationItem, user)
            .where(overdue_filter(on), RectificationItem.status != "submitted")
            .options(selectinload(RectificationItem.notice))
            .order_by(RectificationItem.unit_id, RectificationItem.due_date, RectificationItem.id))
    by_unit: dict[int, list] = {}
    names: dict[int, str] = {}
    for item in db.session.scalars(stmt):
        names[item.unit_id] = item.unit.name
        by_unit.setdefault(item.unit_id, []).append(OverdueItem(
            problem=item.problem, due_date=item.due_date, working_days_overdue=item_working_days_overdue(item, on),
            notice_number=item.notice.doc_number, status=item.status_label))
    units = sorted((OverdueUnit(names[u], tuple(items)) for u, items in by_unit.items()),
                   key=lambda u: (-max(i.working_days_overdue for i in u.items), -len(u.items), u.unit_name))
    return overdue_bulletin(OverdueBulletinData(issuer=Issuer(organ=_organ(), date=on), as_of=on, units=tuple(units)))
