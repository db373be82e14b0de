"""Per-recipient preferences: which channels reach a contact, at once or in a daily digest.

Kept per contact (the people reminders go to are a unit's contacts, most of
whom never sign in); the office and the unit's own accounts may change them.
"""
from __future__ import annotations

import sqlalchemy as sa

from ...errors import Forbidden, ValidationFailed
from ...extensions import db
from ...models import PREFERENCE_MODES, Contact, ReminderPreference
from ...models.scoping import check_write
from .. import audit
from ..transaction import transaction

TRUE = {"1", "true", "on", "yes", True}


def for_unit(unit) -> list[tuple[Contact, ReminderPreference | None]]:
    prefs = {p.contact_id: p for p in db.session.scalars(
        sa.select(ReminderPreference).where(ReminderPreference.unit_id == unit.id))}
    return [(c, prefs.get(c.id)) for c in unit.contacts]


def _flag(value) -> bool:
    return value in TRUE or (isinstance(value, str) and value.lower() in TRUE)


def save(unit, data: dict, *, actor) -> list[ReminderPreference]:
    """``data``: {contact_id: {"email": bool, "sms": bool, "mode": "immediate"|"digest"}} (ids as text or int)."""
    check_write(actor, unit)
    if getattr(actor, "role", None) not in ("office", "unit"):
        raise Forbidden("只有普法办和本单位用户可以修改提醒设置")
    contacts = {c.id: c for c in unit.contacts}
    errors: dict[str, str] = {}
    clean = {}
    if not isinstance(data, dict):
        raise ValidationFailed({"preferences": "应为以联系人编号为键的对象"})
    for key, raw in data.items():
        cid = int(key) if str(key).isdigit() else None
        if cid not in contacts:
            errors[f"{key}"] = f"联系人不属于该单位：{key}"
            continue
        if not isinstance(raw, dict):
            errors[f"{key}"] = "应为对象"
            continue
        mode = raw.get("mode", "immediate")
        if not isinstance(mode, str) or mode not in PREFERENCE_MODES:
            errors[f"{key}.mode"] = f"发送方式不正确：{mode}（可选：immediate / digest）"
        clean[cid] = {"email": _flag(raw.get("email", False)), "sms": _flag(raw.get("sms", False)), "mode": mode}
    if errors:
        raise ValidationFailed(errors)
    saved = []
    with transaction():
        existing = {p.contact_id: p for p in db.session.scalars(
            sa.select(ReminderPreference).where(ReminderPreference.unit_id == unit.id))}
        for cid, values in clean.items():
            pref = existing.get(cid) or ReminderPreference(contact_id=cid, unit_id=unit.id)
            pref.email, pref.sms, pref.mode = values["email"], values["sms"], values["mode"]
            db.session.add(pref)
            saved.append(pref)
        db.session.flush()
        audit.record("reminders.preferences", "unit", unit.id, actor=actor, unit_id=unit.id,
                     data={str(k): v for k, v in clean.items()})
    return saved
