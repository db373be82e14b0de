"""Issuing a rectification notice (整改通知书) with its items."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from ..errors import ValidationFailed
from ..extensions import db
from ..models.base import utcnow_naive
from ..models import ITEM_CATEGORIES, NOTICE_SOURCES, Cycle, Notice, RectificationItem, Unit
from . import audit, reminders
from .calendar import today
from .transaction import transaction
from .validation import MAX_LEN, clean_choice, clean_date, clean_id, clean_text

MAX_ITEMS = 200


def _clean_items(raw, issued_on: date, errors: dict) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        errors["items"] = "整改通知书至少包含一条整改事项"
        return []
    if len(raw) > MAX_ITEMS:
        errors["items"] = f"一份整改通知书最多 {MAX_ITEMS} 条整改事项"
        return []
    items = []
    for i, item in enumerate(raw):
        p = f"items[{i}]"
        if not isinstance(item, dict):
            errors[p] = f"第{i + 1}条整改事项格式不正确"
            continue
        due = clean_date(item.get("due_date"), f"{p}.due_date", f"第{i + 1}条整改时限", errors)
        if due and due < issued_on:
            errors[f"{p}.due_date"] = f"第{i + 1}条整改时限不能早于下发日期 {issued_on.isoformat()}"
        items.append({
            "seq": i + 1,
            "problem": clean_text(item.get("problem"), f"{p}.problem", f"第{i + 1}条问题", errors,
                                  max_len=MAX_LEN["text"], multiline=True),
            "requirement": clean_text(item.get("requirement"), f"{p}.requirement", f"第{i + 1}条整改要求",
                                      errors, max_len=MAX_LEN["text"], required=False,
                                      multiline=True) or "",
            "category": clean_choice(item.get("category") or "other", f"{p}.category", f"第{i + 1}条问题类别",
                                     ITEM_CATEGORIES, errors),
            "due_date": due,
        })
    return items


def _issued_at(issued_on):
    """Now when issued today; a back-dated notice at 09:00 that day in the office's zone (stored in UTC)."""
    if issued_on == today():
        return utcnow_naive()
    from flask import current_app

    from ..clock import local_zone

    zone = local_zone(current_app.config.get("PUFA_TIMEZONE"))
    return datetime.combine(issued_on, time(9), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)


def create_notice(data: dict, *, actor) -> Notice:
    errors: dict[str, str] = {}
    unit_id = clean_id(data.get("unit_id"), "unit_id", "责任单位", errors)
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        errors["unit_id"] = f"责任单位不存在：{unit_id}"
    cycle_id = clean_id(data.get("cycle_id"), "cycle_id", "考评周期", errors, required=False)
    if cycle_id is not None and db.session.get(Cycle, cycle_id) is None:
        errors["cycle_id"] = f"考评周期不存在：{cycle_id}"
    source = clean_choice(data.get("source"), "source", "来源", NOTICE_SOURCES, errors)
    title = clean_text(data.get("title"), "title", "标题", errors, max_len=MAX_LEN["title"])
    issued_on = clean_date(data.get("issued_on"), "issued_on", "下发日期", errors, required=False) or today()
    if issued_on > today():
        errors["issued_on"] = "下发日期不能晚于今天"
    items = _clean_items(data.get("items"), issued_on, errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        notice = Notice(unit_id=unit_id, cycle_id=cycle_id, source=source, title=title,
                        issued_by_id=getattr(actor, "id", None),
                        issued_at=_issued_at(issued_on))
        notice.items = [RectificationItem(unit_id=unit_id, **item) for item in items]
        db.session.add(notice)
        db.session.flush()
        for item in notice.items:
            reminders.replan(item)
        audit.record("notice.create", "notice", notice.id, actor=actor, unit_id=unit_id,
                     data={"title": title, "items": len(items)})
    return notice
