"""What a filing's 报送 carries (URL, note, people) and when it counts as late.

Registered as the ``filing_submission`` cleaner of services/transition_inputs,
so a 报送 through the page, the API or the generic transitions endpoint is
checked alike: a 公示 type needs its URL, a people type its names, any other
a file or a URL; the lateness of the first submission is computed here, with
the working-day calendar, and stamped by the model's effect.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa

from ..extensions import db
from .validation import clean_email, clean_phone, clean_text

MAX_PEOPLE = 30


def clean_url(value, errors: dict, *, required: bool) -> str | None:
    text = clean_text(value, "url", "公示网址", errors, max_len=500, required=required)
    if text is None or "url" in errors:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        errors["url"] = f"公示网址应为 http:// 或 https:// 开头的完整网址：{text}"
        return None
    return text


def clean_people(value, errors: dict, *, required: bool) -> list[dict]:
    from .filings import PEOPLE_ROLES

    if value in (None, "", []):
        if required:
            errors["people"] = "请填写领导小组组长和联络员"
        return []
    if not isinstance(value, list) or len(value) > MAX_PEOPLE:
        errors["people"] = f"人员名单应为列表，最多 {MAX_PEOPLE} 人"
        return []
    people = []
    for i, raw in enumerate(value):
        p = f"people[{i}]"
        if not isinstance(raw, dict):
            errors[p] = f"第{i + 1}人格式不正确"
            continue
        role = raw.get("role")
        if role not in PEOPLE_ROLES:
            errors[f"{p}.role"] = f"第{i + 1}人的职务不正确（可选：{'、'.join(PEOPLE_ROLES.values())}）"
        name = clean_text(raw.get("name"), f"{p}.name", f"第{i + 1}人的姓名", errors, max_len=50, name_like=True)
        people.append({"role": role, "name": name, "phone": clean_phone(raw.get("phone"), f"{p}.phone", errors),
                       "email": clean_email(raw.get("email"), f"{p}.email", errors)})
    if required and not errors and not any(p["role"] == "liaison" for p in people):
        errors["people"] = "人员名单中须有联络员"
    return people


def submission(obj, data: dict, errors: dict) -> tuple[dict, dict]:
    """(columns, engine data) of a 报送; see the module docstring."""
    from .attachments import attachments_of
    from .calendar import today
    from .filings import late_workdays

    ft = obj.filing_type
    url = clean_url(data.get("url"), errors, required=ft.requires_url)
    note = clean_text(data.get("note"), "note", "说明", errors, max_len=2000, required=False) or ""
    people = clean_people(data.get("people"), errors, required=ft.names_people)
    if not errors and not ft.requires_url and not ft.names_people and not url:
        has_file = db.session.scalar(sa.select(sa.func.count()).select_from(
            attachments_of("filing", obj.id).subquery()))
        if not has_file:
            errors["files"] = "请上传报备材料文件或填写网址"
    columns = {"url": url, "note": note}
    if ft.names_people:
        columns["people"] = people
    late = 0 if ft.is_stream else late_workdays(ft, today())
    return columns, {"late_workdays": late}
