"""整改通知书: drafting, numbering and issuing, for inspections, evaluations and the API alike.

A notice is drafted with its items held on the draft (no clock runs yet),
reviewed, then issued through the notice workflow: issuing gives it its
文号 (〔year〕N号, the next free number of the year unless the office names
one), stamps the issue date and creates the items, each deadline either a
date or "N working days from issue" resolved with the working-day calendar.
``create_notice`` does all three steps at once for callers that issue
straight away (the API's POST /api/v1/notices, evaluation results).
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from ..clock import local_zone
from ..errors import ValidationFailed
from ..extensions import db
from ..models import ITEM_CATEGORIES, NOTICE_SOURCES, Cycle, Inspection, Notice, Unit
from . import audit, workflow
from .calendar import calendar, today
from .transaction import transaction
from .validation import MAX_ID, MAX_LEN, clean_choice, clean_date, clean_id, clean_int, clean_text

MAX_ITEMS = 200
MAX_WORKDAYS = 250


def clean_draft_items(raw, errors: dict, *, issue_on: date | None = None) -> list[dict]:
    """The items as stored on a draft (JSON): each needs a deadline, a date or N working days.

    ``issue_on``: refuse dates before it; a draft's issue date is not known yet
    (it may be back-dated), so drafts are checked again when issued.
    """
    if not isinstance(raw, list) or not raw:
        errors["items"] = "整改通知书至少包含一条整改事项"
        return []
    if len(raw) > MAX_ITEMS:
        errors["items"] = f"一份整改通知书最多 {MAX_ITEMS} 条整改事项"
        return []
    items = []
    for i, item in enumerate(raw):
        p, n = f"items[{i}]", i + 1
        if not isinstance(item, dict):
            errors[p] = f"第{n}条整改事项格式不正确"
            continue
        workdays = clean_int(item.get("due_workdays"), f"{p}.due_workdays", f"第{n}条整改时限（工作日）",
                             errors, required=False)
        due = None
        if workdays is not None:
            if not 1 <= workdays <= MAX_WORKDAYS:
                errors[f"{p}.due_workdays"] = f"第{n}条整改时限应为 1 到 {MAX_WORKDAYS} 个工作日"
        else:
            due = clean_date(item.get("due_date"), f"{p}.due_date", f"第{n}条整改时限", errors)
            if due and issue_on and due < issue_on:
                errors[f"{p}.due_date"] = f"第{n}条整改时限不能早于下发日期 {issue_on.isoformat()}"
        items.append({
            "problem": clean_text(item.get("problem"), f"{p}.problem", f"第{n}条问题", errors,
                                  max_len=MAX_LEN["text"], multiline=True),
            "requirement": clean_text(item.get("requirement"), f"{p}.requirement", f"第{n}条整改要求",
                                      errors, max_len=MAX_LEN["text"], required=False,
                                      multiline=True) or "",
            "category": clean_choice(item.get("category") or "other", f"{p}.category", f"第{n}条问题类别",
                                     ITEM_CATEGORIES, errors),
            "responsible": clean_text(item.get("responsible"), f"{p}.responsible", f"第{n}条责任人", errors,
                                      max_len=MAX_LEN["person"], required=False, name_like=True) or "",
            "due_date": due.isoformat() if due else None,
            "due_workdays": workdays,
        })
    return items


def _issued_at(issued_on: date):
    """None when issued today (the transition's time); a back-dated notice at 09:00
    that day in the office's zone (stored as naive UTC)."""
    if issued_on == today():
        return None
    from flask import current_app

    zone = local_zone(current_app.config.get("PUFA_TIMEZONE"))
    return datetime.combine(issued_on, time(9), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def _clean_header(data: dict, errors: dict) -> dict:
    unit_id = clean_id(data.get("unit_id"), "unit_id", "责任单位", errors)
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        errors["unit_id"] = f"责任单位不存在：{unit_id}"
    cycle_id = clean_id(data.get("cycle_id"), "cycle_id", "考评周期", errors, required=False)
    if cycle_id is not None and db.session.get(Cycle, cycle_id) is None:
        errors["cycle_id"] = f"考评周期不存在：{cycle_id}"
    inspection_id = clean_id(data.get("inspection_id"), "inspection_id", "督查", errors, required=False)
    if inspection_id is not None and db.session.get(Inspection, inspection_id) is None:
        errors["inspection_id"] = f"督查不存在：{inspection_id}"
    source = clean_choice(data.get("source") or ("inspection" if inspection_id else None), "source", "来源",
                          NOTICE_SOURCES, errors)
    title = clean_text(data.get("title"), "title", "标题", errors, max_len=MAX_LEN["title"], visible=True)
    return {"unit_id": unit_id, "cycle_id": cycle_id, "inspection_id": inspection_id, "source": source,
            "title": title}


def create_draft(data: dict, *, actor) -> Notice:
    errors: dict[str, str] = {}
    header = _clean_header(data, errors)
    items = clean_draft_items(data.get("items"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        notice = Notice(**header, draft_items=items)
        db.session.add(notice)
        db.session.flush()
        audit.record("notice.draft", "notice", notice.id, actor=actor, unit_id=notice.unit_id,
                     data={"title": notice.title, "items": len(items)})
    return notice


def update_draft(notice: Notice, data: dict, *, actor) -> Notice:
    """Change a draft's title, unit or items; only while it is a draft."""
    from ..models.scoping import check_write

    check_write(actor, notice)
    if notice.status != "draft":
        raise ValidationFailed({"status": "只有草稿可以修改"}, "只有草稿状态的整改通知书可以修改，已审核的请先退回修改")
    errors: dict[str, str] = {}
    header = _clean_header({**{"unit_id": notice.unit_id, "source": notice.source,
                               "inspection_id": notice.inspection_id, "cycle_id": notice.cycle_id,
                               "title": notice.title}, **data}, errors)
    items = clean_draft_items(data["items"], errors) if "items" in data else notice.draft_items
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        for key, value in header.items():
            setattr(notice, key, value)
        notice.draft_items = items
        db.session.flush()
        audit.record("notice.update", "notice", notice.id, actor=actor, unit_id=notice.unit_id,
                     data={"title": notice.title, "items": len(items or [])})
    return notice


def next_doc_seq(year: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Notice.doc_seq)).where(Notice.doc_year == year)) or 0) + 1


def clean_issue(notice: Notice, data: dict, errors: dict) -> dict:
    """The issue trigger's inputs (a workflow cleaner): number, issue date and each item's deadline."""
    issued_on = clean_date(data.get("issued_on"), "issued_on", "下发日期", errors, required=False) or today()
    if issued_on > today():
        errors["issued_on"] = "下发日期不能晚于今天"
    seq = clean_int(data.get("doc_seq"), "doc_seq", "文号序号", errors, required=False, minimum=1, maximum=MAX_ID)
    year = issued_on.year
    if seq is not None:
        taken = db.session.scalar(sa.select(Notice.id).where(Notice.doc_year == year, Notice.doc_seq == seq,
                                                             Notice.id != notice.id))
        if seq < 1:
            errors["doc_seq"] = "文号序号必须是正整数"
        elif taken:
            errors["doc_seq"] = f"文号〔{year}〕{seq}号已被使用，同一年度的文号不能重复"
    else:
        seq = next_doc_seq(year)
    drafts = notice.draft_items or []
    if not drafts:
        errors["items"] = "整改通知书至少包含一条整改事项"
    dues = []
    for n, draft in enumerate(drafts, start=1):
        if draft.get("due_workdays"):
            due = calendar().add_workdays(issued_on, int(draft["due_workdays"]))
        elif draft.get("due_date"):
            due = date.fromisoformat(draft["due_date"])
            if due < issued_on:
                errors[f"items[{n - 1}].due_date"] = f"第{n}条整改时限 {due.isoformat()} 早于下发日期，请先修改草稿"
        else:
            errors[f"items[{n - 1}].due_date"] = f"第{n}条整改事项没有整改时限"
            continue
        dues.append(due.isoformat())
    return {"doc_year": year, "doc_seq": seq, "due_dates": dues, "issued_at": _issued_at(issued_on)}


def issue(notice: Notice, *, actor, doc_seq=None, issued_on=None, comment: str | None = None) -> Notice:
    data = {k: v for k, v in (("doc_seq", doc_seq), ("issued_on", issued_on)) if v not in (None, "")}
    with transaction():
        workflow.fire(notice, "issue", actor=actor, data=data, comment=comment)
        notice.issued_by_id = getattr(actor, "id", None)
    return notice


def create_notice(data: dict, *, actor) -> Notice:
    """Draft, review and issue in one transaction (the API's POST /notices, evaluation results)."""
    errors: dict[str, str] = {}
    issued_on = clean_date(data.get("issued_on"), "issued_on", "下发日期", errors, required=False) or today()
    if issued_on > today():
        errors["issued_on"] = "下发日期不能晚于今天"
    header = _clean_header(data, errors)
    items = clean_draft_items(data.get("items"), errors, issue_on=issued_on)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        notice = Notice(**header, draft_items=items)
        db.session.add(notice)
        db.session.flush()
        audit.record("notice.create", "notice", notice.id, actor=actor, unit_id=notice.unit_id,
                     data={"title": notice.title, "items": len(items)})
        workflow.fire(notice, "review", actor=actor)
        issue(notice, actor=actor, doc_seq=data.get("doc_seq"), issued_on=issued_on.isoformat())
    return notice
