"""The two downloads wired today, from the database to the documents' plain inputs.

整改通知书 from a Notice and its items; 考评情况通报 from a Cycle's graded
assessments. The 发文字号 is derived from the notice (〔year〕id号); the bulletin's method
and sections are what the office wrote on the cycle's 通报 page, a
placeholder where nothing is written yet.

The issuing organ is ``PUFA_DOCUMENT_ISSUER`` (default 普法办), and
``PUFA_DOCUMENT_NUMBER_PREFIX`` goes before 〔year〕 (e.g. 君法办).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from ..clock import to_local
from ..extensions import db
from ..models import Unit, UnitAssessment
from ..models.cycles import GRADES
from ..models.bulletin import BULLETIN_SECTIONS
from ..models.results import COMMENDATION_KINDS
from ..services.calendar import today
from .model import BulletinData, GradeGroup, Issuer, NoticeItem, RectificationNoticeData, Section

DEFAULT_ISSUER = "普法办"
PLACEHOLDER = "（此部分由普法办撰写。）"


def _organ() -> str:
    return current_app.config.get("PUFA_DOCUMENT_ISSUER") or DEFAULT_ISSUER


def notice_number(notice) -> str:
    """The notice's own 文号 (〔2026〕3号) after the issuer's prefix; a draft has none yet."""
    if not notice.doc_seq:
        return "（草稿，下发时编号）"
    return f"{current_app.config.get('PUFA_DOCUMENT_NUMBER_PREFIX', '')}{notice.doc_number}"


def _draft_due(draft: dict, issued_on):
    from datetime import date

    from ..services.calendar import calendar

    if draft.get("due_workdays"):
        return calendar().add_workdays(issued_on, int(draft["due_workdays"]))
    return date.fromisoformat(draft["due_date"]) if draft.get("due_date") else None


def notice_data(notice) -> RectificationNoticeData:
    """An issued notice from its items; a draft from its drafted items, dated as if issued today."""
    if notice.issued_at is not None:
        issued_on = to_local(notice.issued_at, current_app.config["PUFA_TIMEZONE"]).date()
    else:
        issued_on = today()
    if notice.status == "issued" or not notice.draft_items:
        items = tuple(NoticeItem(problem=i.problem, requirement=i.requirement, due_date=i.due_date,
                                 category=i.category_label) for i in notice.items)
    else:
        from ..models import ITEM_CATEGORIES

        items = tuple(NoticeItem(problem=d["problem"], requirement=d.get("requirement") or "",
                                 due_date=_draft_due(d, issued_on),
                                 category=ITEM_CATEGORIES.get(d.get("category"), "")) for d in notice.draft_items)
    return RectificationNoticeData(
        issuer=Issuer(organ=_organ(), date=issued_on, number=notice_number(notice)),
        unit_name=notice.unit.name, items=items, title=notice.title,
        basis=f"根据{notice.source_label}情况，现将你单位存在的问题及整改要求通知如下，请认真对照，逐项整改落实。")


def _method(text: str, cycle) -> str:
    """The opening up to the counts; it must lead into "对N个…" with a comma."""
    text = (text or "").strip() or f"根据{cycle.name}工作安排，"
    return text if text[-1] in "，,：:" else text + "，"


def commendation_text(cycle) -> str:
    """先进集体, 先进个人 and 示范县推荐 recorded on the cycle, one paragraph each; empty when none."""
    from ..services.results import commendations

    rows = commendations(cycle)
    if not rows:
        return ""
    by_kind: dict[str, list[str]] = {}
    for c in rows:
        who = f"{c.unit.name}{c.person_name}" + (f"（{c.post}）" if c.post else "") if c.kind == "individual" \
            else c.unit.name
        by_kind.setdefault(c.kind, []).append(who)
    measure = {"individual": "名"}
    paras = ["经研究，决定对以下单位和个人予以通报表扬，并推荐示范县（市、区）：" if "model_county" in by_kind
             else "经研究，决定对以下单位和个人予以通报表扬："]
    for kind, label in COMMENDATION_KINDS.items():
        if kind in by_kind:
            names = by_kind[kind]
            paras.append(f"{label}（{len(names)}{measure.get(kind, '个')}）：{'、'.join(names)}。")
    return "\n".join(paras)


def bulletin_data(cycle) -> BulletinData:
    """Grades in GRADES order, units within a grade by final score (highest first); every grade is listed,
    an empty one as （无）; the office's texts (services/bulletin.py) or a placeholder where none is written;
    dated the day the results were published (today until then)."""
    from ..services.bulletin import texts

    rows = db.session.execute(
        sa.select(UnitAssessment.grade, Unit.name).join(Unit, Unit.id == UnitAssessment.unit_id)
        .where(UnitAssessment.cycle_id == cycle.id, UnitAssessment.grade.is_not(None))
        .order_by(UnitAssessment.review_score.is_(None), UnitAssessment.review_score.desc(),
                  UnitAssessment.id)).all()
    by_grade: dict[str, list[str]] = {g: [] for g in GRADES}
    for grade, name in rows:
        by_grade.setdefault(grade, []).append(name)
    written = texts(cycle)
    sections = tuple(Section(heading, (getattr(written, field, "") or "").strip() or PLACEHOLDER)
                     for field, heading in BULLETIN_SECTIONS.items())
    if commended := commendation_text(cycle):
        sections += (Section("表彰情况", commended),)
    from ..models import GradingRules

    rules = db.session.get(GradingRules, cycle.id)
    published = rules.published_at if rules is not None else None
    dated = to_local(published, current_app.config["PUFA_TIMEZONE"]).date() if published else today()
    return BulletinData(
        issuer=Issuer(organ=_organ(), date=dated),
        title=f"关于{cycle.name}情况的通报",
        grades=tuple(GradeGroup(GRADES.get(g, g), tuple(units)) for g, units in by_grade.items()),
        intro=_method(getattr(written, "method", ""), cycle),
        sections=sections,
        annex_title=f"{cycle.name}结果")
