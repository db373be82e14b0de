"""Creating and changing units and their contacts."""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import ValidationFailed
from ..extensions import db
from ..models import CONTACT_ROLES, UNIT_KINDS, Contact, Unit
from . import audit
from .transaction import transaction
from .validation import MAX_LEN, clean_bool, clean_choice, clean_email, clean_id, clean_phone, clean_text

MAX_CONTACTS = 20


def clean_contacts(raw, errors: dict) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_CONTACTS:
        errors["contacts"] = f"联系人应为列表，且不超过{MAX_CONTACTS}人"
        return []
    cleaned = []
    for i, item in enumerate(raw):
        prefix = f"contacts[{i}]"
        if not isinstance(item, dict):
            errors[prefix] = "联系人格式不正确"
            continue
        cleaned.append({
            "name": clean_text(item.get("name"), f"{prefix}.name", "联系人姓名", errors,
                               max_len=MAX_LEN["person"], name_like=True),
            "role": clean_choice(item.get("role"), f"{prefix}.role", "联系人角色", CONTACT_ROLES, errors),
            "phone": clean_phone(item.get("phone"), f"{prefix}.phone", errors),
            "email": clean_email(item.get("email"), f"{prefix}.email", errors),
        })
    return cleaned


def clean_unit(data: dict, *, partial: bool = False, current: Unit | None = None) -> dict:
    """Validate unit fields; raise ValidationFailed naming every bad field."""
    errors: dict[str, str] = {}
    out: dict = {}
    if not partial or "name" in data:
        out["name"] = clean_text(data.get("name"), "name", "单位名称", errors, max_len=MAX_LEN["name"],
                                 name_like=True)
    if not partial or "kind" in data:
        out["kind"] = clean_choice(data.get("kind"), "kind", "单位类别", UNIT_KINDS, errors)
    if not partial or "parent_id" in data:
        out["parent_id"] = clean_id(data.get("parent_id"), "parent_id", "上级单位", errors, required=False)
    if not partial or "has_enforcement_power" in data:
        out["has_enforcement_power"] = clean_bool(
            data.get("has_enforcement_power"), "has_enforcement_power", "执法权限", errors)
    if "is_active" in data:
        out["is_active"] = clean_bool(data.get("is_active"), "is_active", "启用", errors, default=True)
    if not partial or "contacts" in data:
        out["contacts"] = clean_contacts(data.get("contacts"), errors)
    if not errors:
        _check_parent_and_name(out, current, errors)
    if errors:
        raise ValidationFailed(errors)
    return out


def _check_parent_and_name(out: dict, current: Unit | None, errors: dict) -> None:
    parent_id = out.get("parent_id", current.parent_id if current else None)
    name = out.get("name", current.name if current else None)
    if parent_id is not None:
        parent = db.session.get(Unit, parent_id)
        if parent is None:
            errors["parent_id"] = f"上级单位不存在：{parent_id}"
            return
        if current is not None and _is_descendant_or_self(parent, current):
            errors["parent_id"] = "上级单位不能是本单位或其下级单位"
            return
    clash = sa.select(Unit.id).where(
        Unit.name == name,
        Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id,
    )
    if current is not None:
        clash = clash.where(Unit.id != current.id)
    if db.session.scalar(clash) is not None:
        errors["name"] = f"同一上级单位下已有名为“{name}”的单位"


def _is_descendant_or_self(candidate: Unit, unit: Unit) -> bool:
    seen = set()
    node = candidate
    while node is not None and node.id not in seen:
        if node.id == unit.id:
            return True
        seen.add(node.id)
        node = node.parent
    return False


def _contact_rows(contacts: list[dict]) -> list[Contact]:
    return [Contact(**c) for c in contacts]


def add_unit(fields: dict) -> Unit:
    """Add a validated unit to the session (no commit): shared by create and import."""
    contacts = fields.pop("contacts", [])
    unit = Unit(**fields)
    unit.contacts = _contact_rows(contacts)
    db.session.add(unit)
    return unit


def create_unit(data: dict, *, actor) -> Unit:
    fields = clean_unit(data)
    with transaction():
        unit = add_unit(fields)
        db.session.flush()
        audit.record("unit.create", "unit", unit.id, actor=actor, unit_id=unit.id,
                     data={"name": unit.name, "kind": unit.kind})
    return unit


def update_unit(unit: Unit, data: dict, *, actor) -> Unit:
    fields = clean_unit(data, partial=True, current=unit)
    before = {k: getattr(unit, k) for k in fields if k != "contacts"}
    with transaction():
        contacts = fields.pop("contacts", None)
        for key, value in fields.items():
            setattr(unit, key, value)
        if contacts is not None:
            unit.contacts = _contact_rows(contacts)
        changed = {k: [before[k], getattr(unit, k)] for k in before if before[k] != getattr(unit, k)}
        if contacts is not None:
            changed["contacts"] = len(contacts)
        audit.record("unit.update", "unit", unit.id, actor=actor, unit_id=unit.id, data=changed)
    return unit
