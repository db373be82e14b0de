"""JSON shapes of the objects, and their OpenAPI schemas beside them."""
from __future__ import annotations

from ..clock import as_utc
from .spec import ref, schema


def iso(value):
    if value is None:
        return None
    if hasattr(value, "hour"):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    return value.isoformat()


CONTACT = schema("Contact", {"type": "object", "required": ["name", "role"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "role": {"type": "string", "enum": ["principal", "leader", "liaison"]},
    "role_label": {"type": "string"}, "phone": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]}}})


def contact_json(c) -> dict:
    return {"id": c.id, "name": c.name, "role": c.role, "role_label": c.role_label,
            "phone": c.phone, "email": c.email}


UNIT = schema("Unit", {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string"},
    "kind_label": {"type": "string"}, "parent_id": {"type": ["integer", "null"]},
    "has_enforcement_power": {"type": "boolean"}, "is_active": {"type": "boolean"},
    "contacts": {"type": "array", "items": CONTACT}}})

UNIT_INPUT = schema("UnitInput", {"type": "object", "required": ["name", "kind"], "properties": {
    "name": {"type": "string", "maxLength": 100},
    "kind": {"type": "string", "enum": ["city_department", "county", "town", "other"]},
    "parent_id": {"type": ["integer", "null"]}, "has_enforcement_power": {"type": "boolean"},
    "is_active": {"type": "boolean"}, "contacts": {"type": "array", "items": CONTACT}}})


def unit_json(u) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "kind_label": u.kind_label,
            "parent_id": u.parent_id, "has_enforcement_power": u.has_enforcement_power,
            "is_active": u.is_active, "contacts": [contact_json(c) for c in u.contacts]}


USER = schema("User", {"type": "object", "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
    "role": {"type": "string"}, "role_label": {"type": "string"},
    "unit_id": {"type": ["integer", "null"]}, "is_active": {"type": "boolean"}}})

USER_INPUT = schema("UserInput", {"type": "object", "required": ["username", "password", "role"], "properties": {
    "username": {"type": "string"}, "password": {"type": "string", "minLength": 8},
    "role": {"type": "string", "enum": ["office", "unit", "evaluator", "panel", "viewer"]},
    "unit_id": {"type": ["integer", "null"]}, "display_name": {"type": "string"},
    "is_active": {"type": "boolean"}}})


def user_json(u) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "role_label": u.role_label, "unit_id": u.unit_id, "is_active": u.is_active_account}


def state_fields(obj, user) -> dict:
    return {"status": obj.status, "status_label": obj.status_label,
            "allowed_triggers": obj.allowed_triggers(user.role), "version": obj.version}


STATE_PROPS = {"status": {"type": "string"}, "status_label": {"type": "string"},
               "allowed_triggers": {"type": "array", "items": {"type": "string"}},
               "version": {"type": "integer"}}

__all__ = ["ref"]
