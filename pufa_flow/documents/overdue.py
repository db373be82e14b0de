"""督办通报: the rectification items past their deadline, grouped by unit, with the working days overdue."""
from __future__ import annotations

from . import parts
from .builder import Cell, Column, Gongwen
from .model import OverdueBulletinData
from .text import clean, date_cn

COLUMNS = [Column("序号", 12), Column("整改事项", 70, "both"), Column("通知书文号", 28),
           Column("整改时限", 28), Column("逾期工作日", 18)]


def _rows(data: OverdueBulletinData):
    seq = 0
    for unit in data.units:
        yield [Cell(f"{clean(unit.unit_name).strip()}（{len(unit.items)}项）", bold=True, align="left",
                    span=len(COLUMNS))]
        for item in unit.items:
            seq += 1
            yield [str(seq), item.problem, item.notice_number, date_cn(item.due_date), str(item.working_days_overdue)]


def overdue_bulletin(data: OverdueBulletinData) -> bytes:
    g = Gongwen()
    parts.head(g, data.issuer, data.title, data.addressee)
    total = sum(len(u.items) for u in data.units)
    worst = max((i.working_days_overdue for u in data.units for i in u.items), default=0)
    if total:
        g.body_text(f"截至{date_cn(data.as_of)}，共有{len(data.units)}个单位的{total}项整改事项超过整改时限仍未完成整改，"
                    f"最长的已逾期{worst}个工作日。现将有关情况通报如下：")
    else:
        g.body_text(f"截至{date_cn(data.as_of)}，没有超过整改时限仍未完成整改的事项。现将有关情况通报如下：")
    g.heading(1, 1, "逾期情况")
    for n, unit in enumerate(data.units, 1):
        days = max((i.working_days_overdue for i in unit.items), default=0)
        g.run_in(2, n, unit.unit_name, f"逾期未完成整改事项{len(unit.items)}项，最长逾期{days}个工作日。")
    g.heading(1, 2, "督办要求")
    g.body_text(data.requirements or (
        "请上述单位主要负责人亲自督促，逐项查明逾期原因，于收到本通报之日起5个工作日内完成整改，并将整改情况书面报送；"
        "确有客观原因不能按期完成的，应当说明理由并申请延期。对仍未按期整改的，将在年度考评中予以扣分，并视情予以通报。"))
    names = ["逾期整改事项清单"]
    g.attachment_note(names)
    parts.sign(g, data.issuer)
    g.annex("附件", names[0])
    g.table(COLUMNS, _rows(data), size=10.5)
    parts.imprint(g, data.issuer)
    return g.to_bytes()
