"""Cycle templates: a year's phase dates laid out as a published plan lays them out.

The one shipped template reproduces seed 003 (南昌, 2023): 自评 from mid-October
with reports due 11-05, 实地调研 through November, 评估验收 to late December,
结果运用 to late January of the next year. Each date moves to a working day
(statutory holidays and 调休 from the calendar service), and each phase starts
on the first working day after the previous one ends.
"""
from __future__ import annotations

from datetime import date

from ..errors import ValidationFailed
from .calendar import calendar

#: template id -> (label, [(phase, (month, day) start, (month, day, year offset) due)])
TEMPLATES = {
    "nanchang-003": ("南昌市“八五”普法中期评估方案（003）：自评10月中旬—11月5日，实地调研11月，评估验收至12月下旬，结果运用至次年1月下旬", [
        ("self_assessment", (10, 16), (11, 5, 0)),
        ("field_research", None, (11, 25, 0)),
        ("acceptance", None, (12, 25, 0)),
        ("results", None, (1, 25, 1)),
    ]),
}


def phases_for(template: str, year: int) -> dict[str, dict[str, str]]:
    """{phase: {"start", "due"}} (ISO dates) of ``template`` for ``year``, on working days."""
    if template not in TEMPLATES:
        raise ValidationFailed({"template": f"没有名为“{template}”的周期模板（可选：{'、'.join(TEMPLATES)}）"})
    cal = calendar()
    out, previous_due = {}, None
    for phase, start, (m, d, offset) in TEMPLATES[template][1]:
        if start is not None:
            first = cal.next_workday_on_or_after(date(year, *start))
        else:
            first = cal.add_workdays(previous_due, 1)
        due = cal.next_workday_on_or_after(date(year + offset, m, d))
        out[phase] = {"start": first.isoformat(), "due": max(due, first).isoformat()}
        previous_due = max(due, first)
    return out
