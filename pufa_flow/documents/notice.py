"""整改通知书: one unit's problems, what to do about each and by when, and how to report back."""
from __future__ import annotations

from . import parts
from .builder import Gongwen
from .model import RectificationNoticeData
from .text import clean, date_cn


def rectification_notice(data: RectificationNoticeData) -> bytes:
    unit = clean(data.unit_name).strip() or "（未填写单位）"
    g = Gongwen()
    parts.head(g, data.issuer, data.title or f"关于{unit}普法工作存在问题限期整改的通知", unit)
    g.body_text(data.basis or "根据普法责任制督查考评情况，经研究，现将你单位存在的问题及整改要求通知如下，"
                "请认真对照，逐项整改落实。")
    g.heading(1, 1, "存在的问题及整改要求")
    if not data.items:
        g.body_text("本次督查考评未发现需要整改的问题。")
    for n, item in enumerate(data.items, 1):
        g.run_in(2, n, item.category or f"问题{n}", "")
        g.body_text(f"存在问题：{clean(item.problem).strip() or '（未填写）'}")
        g.body_text(f"整改要求：{clean(item.requirement).strip() or '按照有关规定和考评标准整改到位。'}")
        g.body_text(f"整改时限：{date_cn(item.due_date)}前。" if item.due_date else "整改时限：未规定。")
    dues = [i.due_date for i in data.items if i.due_date]
    report_by = data.report_by or (max(dues) if dues else None)
    g.heading(1, 2, "整改情况报送")
    when = f"于{date_cn(report_by)}前" if report_by else "在整改完成后及时"
    g.body_text(data.report_how or (
        f"请你单位高度重视，明确责任领导和责任人，制定整改方案，逐项落实整改措施，{when}将整改情况书面报告"
        f"（加盖单位公章）报送{clean(data.issuer.organ).strip()}，同时通过普法责任制考评与整改督办系统逐项提交整改"
        "措施和佐证材料。逾期未完成整改的，将予以督办通报。"))
    if data.contact:
        g.body_text(f"联系人及电话：{clean(data.contact).strip()}")
    parts.sign(g, data.issuer)
    parts.imprint(g, data.issuer)
    return g.to_bytes()
