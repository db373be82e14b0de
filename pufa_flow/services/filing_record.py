"""What a unit's filing record says about its score (附件2 indicators 2–4).

``suggested_deductions(unit_id, year)`` reads the record and returns the
deduction rules of ``pufa_flow/frameworks/nanchang_2023.py`` that the record
settles, each with how many times it applies and the evidence (a sentence and
links to the filings or the unit's filings page). The score sheet (issue 13
item 5) pre-selects them; the unit may change one only with a note. It is a
plain function of the database, self-contained, so the score sheet can call
it without knowing how filings work:

* no 普法工作计划 filed (none, or sent back and not filed again) once its
  deadline has passed → ``n23-03-a`` 未制定普法工作计划的，扣4分;
* no 普法责任清单 filed with its public URL → ``n23-03-b``
  未建立普法责任清单并公示的，扣4分;
* the plan or the list first filed after its deadline (working days) →
  ``n23-03-c`` 未及时报备的，扣2分 (once, whichever was late);
* no 联络员 named → ``n23-02-b`` 联络员未明确…，扣2分;
* fewer 工作信息 than the year's target → ``n23-04-a``
  每少报送1条工作信息扣1分, count = the shortfall (the rule's cap applies).

Only types the unit is required to file count. The shipped types are
recognised by their ``code`` (models.filings.FILING_CODES).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import has_request_context, url_for

from ..extensions import db
from ..models import Filing, FilingType, Unit
from .calendar import today

#: rule ids of 附件2 (南昌 2023) the record settles
RULE_NO_PLAN = "n23-03-a"
RULE_NO_DUTY_LIST = "n23-03-b"
RULE_NOT_FILED_IN_TIME = "n23-03-c"
RULE_NO_LIAISON = "n23-02-b"
RULE_INFO_SHORTFALL = "n23-04-a"
FRAMEWORK_ID = "nanchang-2023"


@dataclass(frozen=True)
class Suggestion:
    rule_id: str
    #: how many times the rule applies (1 for a fixed deduction; the shortfall for a per-unit one)
    count: int
    #: why, in one Chinese sentence a unit and the panel read
    evidence: str
    #: (label, URL) of the filings or page that show it
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _filing_link(f: Filing) -> tuple[str, str]:
    label = f"{f.filing_type.name}（{f.status_label}）"
    if has_request_context():
        return label, url_for("filings.show", filing_id=f.id)
    return label, f"/filings/{f.id}"


def _unit_link(unit_id: int, year: int) -> tuple[str, str]:
    label = f"{year}年度报备情况"
    if has_request_context():
        return label, url_for("filings.unit_year", unit_id=unit_id, year=year)
    return label, f"/filings/units/{unit_id}/{year}"


def _first(filings: list[Filing]) -> Filing | None:
    return filings[0] if filings else None


def suggested_deductions(unit_id: int, year: int, *, on: date | None = None) -> list[Suggestion]:
    """The 附件2 deductions the filing record of ``unit_id`` in ``year`` settles (see module doc)."""
    from .filings import deadline_of

    on = on or today()
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        return []
    types = {ft.code: ft for ft in db.session.scalars(
        sa.select(FilingType).where(FilingType.year == year, FilingType.code.is_not(None)))}
    filings: dict[int, list[Filing]] = {}
    for f in db.session.scalars(sa.select(Filing).where(Filing.unit_id == unit_id, Filing.year == year)
                                .order_by(Filing.seq)).unique():
        filings.setdefault(f.filing_type_id, []).append(f)
    out: list[Suggestion] = []
    late: list[Filing] = []

    def single(code: str, rule_id: str, missing_text: str, *, needs_url: bool = False):
        ft = types.get(code)
        if ft is None or not ft.requires(unit):
            return
        f = _first(filings.get(ft.id, []))
        filed = f is not None and f.is_filed and (f.url or not needs_url)
        if not filed:
            if on <= deadline_of(ft):
                return  # not due yet: nothing is missing
            why = "退回修改后未重新报送" if f is not None and f.status == "returned" else "未报送"
            links = (_filing_link(f),) if f is not None else (_unit_link(unit_id, year),)
            out.append(Suggestion(rule_id, 1, f"{missing_text}：{ft.name}{why}（时限 {ft.due_date.isoformat()}）",
                                  links))
        elif f.is_late:
            late.append(f)

    single("plan", RULE_NO_PLAN, "未制定普法工作计划")
    single("duty_list", RULE_NO_DUTY_LIST, "未建立普法责任清单并公示", needs_url=True)
    if late:
        text = "；".join(f"{f.filing_type.name}时限 {f.filing_type.due_date.isoformat()}，"
                        f"{f.first_submitted_at.date().isoformat()} 报送，逾期 {f.late_workdays} 个工作日"
                        for f in late)
        out.append(Suggestion(RULE_NOT_FILED_IN_TIME, 1, f"未及时报备：{text}",
                              tuple(_filing_link(f) for f in late)))
    single("contacts", RULE_NO_LIAISON, "联络员未明确")
    info = types.get("info")
    if info is not None and info.requires(unit) and info.target:
        items = [f for f in filings.get(info.id, []) if f.is_filed]
        short = info.target - len(items)
        if short > 0:
            out.append(Suggestion(RULE_INFO_SHORTFALL, short,
                                  f"截至 {on.isoformat()} 报送工作信息 {len(items)} 条，全年应不少于 {info.target} 条，"
                                  f"少 {short} 条", (_unit_link(unit_id, year),)))
    order = [RULE_NO_LIAISON, RULE_NO_PLAN, RULE_NO_DUTY_LIST, RULE_NOT_FILED_IN_TIME, RULE_INFO_SHORTFALL]
    return sorted(out, key=lambda s: order.index(s.rule_id))
