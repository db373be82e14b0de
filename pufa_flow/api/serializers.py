"""JSON shapes of the objects, and their OpenAPI schemas beside them.

Response schemas are exact (every property required, no other allowed), so a
field dropped from or added to a response fails tests/test_openapi.py. Input
schemas say what the services enforce: lengths (``MAX_LEN``), id and year
ranges, enums from the same dicts the services check against, dates as
exactly YYYY-MM-DD.
"""
from __future__ import annotations

from decimal import Decimal

from ..clock import as_utc
from ..models import (CONTACT_ROLES, GRADES, ITEM_CATEGORIES, NOTICE_SOURCES, PHASES, ROLES, UNIT_KINDS, Cycle,
                      RectificationItem, UnitAssessment)
from ..services.validation import MAX_LEN
from .spec import DATE_SCHEMA, DATETIME_SCHEMA, ID_SCHEMA, enum_of, exact, ref, schema, text

NULLABLE_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": ID_SCHEMA["maximum"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def iso(value):
    if value is None:
        return None
    if hasattr(value, "hour"):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    return value.isoformat()


CONTACT = schema("Contact", exact({
    "id": ID_SCHEMA, "name": {"type": "string", "minLength": 1}, "role": enum_of(CONTACT_ROLES),
    "role_label": {"type": "string", "enum": list(CONTACT_ROLES.values())},
    "phone": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]}}))

CONTACT_INPUT = schema("ContactInput", {"type": "object", "required": ["name", "role"], "properties": {
    "name": text(MAX_LEN["person"], description="姓名；不能含不可见字符或 <>{}[]\"'`;\\|=$%&#"),
    "role": {"type": "string", "enum": list(CONTACT_ROLES) + list(CONTACT_ROLES.values()),
             "description": "角色编号或中文名称"},
    "phone": {"type": ["string", "null"], "maxLength": 30, "description": "11 位手机或带区号的座机，如 0791-83986751"},
    "email": {"type": ["string", "null"], "maxLength": 254}}})


def contact_json(c) -> dict:
    return {"id": c.id, "name": c.name, "role": c.role, "role_label": c.role_label,
            "phone": c.phone, "email": c.email}


UNIT = schema("Unit", exact({
    "id": ID_SCHEMA, "name": {"type": "string", "minLength": 1}, "kind": enum_of(UNIT_KINDS),
    "kind_label": {"type": "string", "enum": list(UNIT_KINDS.values())}, "parent_id": NULLABLE_ID,
    "has_enforcement_power": {"type": "boolean"}, "is_active": {"type": "boolean"},
    "contacts": {"type": "array", "items": CONTACT}}))

_UNIT_FIELDS = {
    "name": text(MAX_LEN["name"], description="单位名称；不能含不可见字符或 <>{}[]\"'`;\\|=$%&#"),
    "kind": {"type": "string", "enum": list(UNIT_KINDS) + list(UNIT_KINDS.values()),
             "description": "单位类别编号或中文名称"},
    "parent_id": NULLABLE_ID, "has_enforcement_power": {"type": "boolean"},
    "is_active": {"type": "boolean"},
    "contacts": {"type": "array", "items": CONTACT_INPUT, "maxItems": 20}}
UNIT_INPUT = schema("UnitInput", {"type": "object", "required": ["name", "kind"], "properties": _UNIT_FIELDS})
UNIT_PATCH = schema("UnitPatch", {"type": "object", "properties": _UNIT_FIELDS,
                                  "description": "只修改给出的字段；contacts 给出时整体替换"})


def unit_json(u) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "kind_label": u.kind_label,
            "parent_id": u.parent_id, "has_enforcement_power": u.has_enforcement_power,
            "is_active": u.is_active, "contacts": [contact_json(c) for c in u.contacts]}


USER = schema("User", exact({
    "id": ID_SCHEMA, "username": {"type": "string", "minLength": 1}, "display_name": {"type": "string"},
    "role": enum_of(ROLES), "role_label": {"type": "string", "enum": list(ROLES.values())},
    "unit_id": NULLABLE_ID, "is_active": {"type": "boolean"}}))

PASSWORD = {"type": "string", "minLength": 8, "maxLength": MAX_LEN["password"],
            "description": "至少 8 位，须同时包含字母和数字"}
_USER_FIELDS = {
    "password": PASSWORD,
    "role": {"type": "string", "enum": list(ROLES) + list(ROLES.values()), "description": "角色编号或中文名称"},
    "unit_id": {**NULLABLE_ID, "description": "责任单位用户必填，其他角色不填"},
    "display_name": text(MAX_LEN["person"], required=False), "is_active": {"type": "boolean"}}
USER_INPUT = schema("UserInput", {"type": "object", "required": ["username", "password", "role"], "properties": {
    "username": text(MAX_LEN["username"], description="字母、数字、汉字和 . _ -（不用全角字符）"),
    **_USER_FIELDS}})
USER_PATCH = schema("UserPatch", {"type": "object", "properties": _USER_FIELDS,
                                  "description": "只修改给出的字段；用户名不能修改"})


def user_json(u) -> dict:
    return {"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role,
            "role_label": u.role_label, "unit_id": u.unit_id, "is_active": u.is_active_account}


def state_fields(obj, user) -> dict:
    return {"status": obj.status, "status_label": obj.status_label,
            "allowed_triggers": obj.allowed_triggers(user.role), "version": obj.version}


def state_props(model) -> dict:
    definition = model.workflow.definition
    return {"status": enum_of(definition.states),
            "status_label": {"type": "string", "enum": list(definition.states.values())},
            "allowed_triggers": {"type": "array", "uniqueItems": True, "items": {
                "type": "string", "enum": list(dict.fromkeys(model.workflow.triggers))}},
            "version": {"type": "integer", "minimum": 1}}

__all__ = ["exact", "ref"]


PHASE = schema("Phase", exact({
    "phase": enum_of(PHASES), "label": {"type": "string", "enum": list(PHASES.values())},
    "start": NULLABLE_DATE, "due": NULLABLE_DATE}))

CYCLE = schema("Cycle", exact({
    "id": ID_SCHEMA, "name": {"type": "string", "minLength": 1}, "year": {"type": "integer"},
    "phases": {"type": "array", "items": PHASE}, **state_props(Cycle)}))

PHASE_DATES = {"type": ["object", "null"], "properties": {"start": {**DATE_SCHEMA, "type": ["string", "null"]},
                                                          "due": {**DATE_SCHEMA, "type": ["string", "null"]}},
               "description": "开始日期不晚于截止日期，各阶段按顺序开始"}
CYCLE_INPUT = schema("CycleInput", {"type": "object", "required": ["name", "year"], "properties": {
    "name": text(MAX_LEN["name"]), "year": {"type": "integer", "minimum": 2000, "maximum": 2100},
    "phases": {"type": "object", "properties": {p: PHASE_DATES for p in PHASES}, "additionalProperties": False},
    "unit_ids": {"type": "array", "items": ID_SCHEMA, "uniqueItems": True, "maxItems": 10_000,
                 "description": "纳入本周期的在用单位编号"},
    "template": {"type": "string", "enum": ["nanchang-003"], "description": "按模板（003方案）生成该年度各阶段日期（顺延至工作日）；phases 中给出的阶段优先"},
    "unit_kinds": {"type": "array", "items": {"type": "string", "enum": list(UNIT_KINDS)}, "uniqueItems": True,
                   "description": "纳入这些类别的全部在用单位"},
    "frameworks": {"type": "object", "propertyNames": {"enum": list(UNIT_KINDS)}, "additionalProperties": ID_SCHEMA,
                   "description": "单位类别 → 指标体系库中的版本编号；省略的类别用默认（部门：附件2，县区：附件1）"}}})


def cycle_json(c, user) -> dict:
    return {"id": c.id, "name": c.name, "year": c.year, **state_fields(c, user),
            "phases": [{"phase": p.phase, "label": p.label, "start": iso(p.starts_on), "due": iso(p.due_on)}
                       for p in c.phases]}


SCORE_TEXT = {"type": ["string", "null"], "pattern": "^[0-9]{1,3}\\.[0-9]{2}$", "description": "两位小数，如 92.50"}
ASSESSMENT = schema("Assessment", exact({
    "id": ID_SCHEMA, "cycle_id": ID_SCHEMA, "unit_id": ID_SCHEMA,
    "unit_name": {"type": "string"}, "self_score": SCORE_TEXT, "review_score": SCORE_TEXT,
    "grade": enum_of(GRADES, nullable=True), "grade_label": {"type": "string", "enum": ["", *GRADES.values()]},
    **state_props(UnitAssessment)}))


def _decimal(value):
    """Two decimals on both databases (SQLite hands back 95.5 for a stored 95.50)."""
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))


def assessment_json(a, user) -> dict:
    return {"id": a.id, "cycle_id": a.cycle_id, "unit_id": a.unit_id, "unit_name": a.unit.name,
            "self_score": _decimal(a.self_score), "review_score": _decimal(a.review_score),
            "grade": a.grade, "grade_label": a.grade_label, **state_fields(a, user)}


ITEM = schema("Item", exact({
    "id": ID_SCHEMA, "notice_id": ID_SCHEMA, "unit_id": ID_SCHEMA,
    "unit_name": {"type": "string"}, "seq": {"type": "integer", "minimum": 1}, "category": enum_of(ITEM_CATEGORIES),
    "category_label": {"type": "string", "enum": list(ITEM_CATEGORIES.values())},
    "problem": {"type": "string", "minLength": 1}, "requirement": {"type": "string"},
    "due_date": {"type": "string", "format": "date"}, "requested_due_date": NULLABLE_DATE,
    "is_overdue": {"type": "boolean"}, "days_overdue": {"type": "integer", "minimum": 0},
    "measures": {"type": "string"}, **state_props(RectificationItem)}))

ITEM_INPUT = {"type": "object", "required": ["problem", "due_date"], "properties": {
    "problem": text(MAX_LEN["text"]), "requirement": text(MAX_LEN["text"], required=False),
    "due_date": {**DATE_SCHEMA, "description": "整改时限，不早于下发日期"},
    "category": {"type": "string", "enum": list(ITEM_CATEGORIES) + list(ITEM_CATEGORIES.values()),
                 "description": "问题类别编号或中文名称，默认 other"}}}


def item_json(i, user) -> dict:
    from ..services.calendar import item_days_overdue

    days = item_days_overdue(i)
    return {"id": i.id, "notice_id": i.notice_id, "unit_id": i.unit_id, "unit_name": i.unit.name,
            "seq": i.seq, "category": i.category, "category_label": i.category_label,
            "problem": i.problem, "requirement": i.requirement, "due_date": iso(i.due_date),
            "requested_due_date": iso(i.requested_due_date), "is_overdue": days > 0,
            "days_overdue": days, "measures": i.measures, **state_fields(i, user)}


NOTICE = schema("Notice", exact({
    "id": ID_SCHEMA, "unit_id": ID_SCHEMA, "unit_name": {"type": "string"},
    "cycle_id": NULLABLE_ID, "source": enum_of(NOTICE_SOURCES),
    "source_label": {"type": "string", "enum": list(NOTICE_SOURCES.values())},
    "title": {"type": "string", "minLength": 1}, "issued_at": DATETIME_SCHEMA,
    "items": {"type": "array", "items": ITEM, "minItems": 1}}))

NOTICE_INPUT = schema("NoticeInput", {"type": "object", "required": ["unit_id", "source", "title", "items"],
                                      "properties": {
    "unit_id": ID_SCHEMA, "cycle_id": NULLABLE_ID,
    "source": {"type": "string", "enum": list(NOTICE_SOURCES) + list(NOTICE_SOURCES.values()),
               "description": "来源编号或中文名称"},
    "title": text(MAX_LEN["title"]),
    "issued_on": {**DATE_SCHEMA, "description": "下发日期，不晚于今天；默认今天"},
    "items": {"type": "array", "items": ITEM_INPUT, "minItems": 1, "maxItems": 200}}})


def notice_json(n, user) -> dict:
    return {"id": n.id, "unit_id": n.unit_id, "unit_name": n.unit.name, "cycle_id": n.cycle_id,
            "source": n.source, "source_label": n.source_label, "title": n.title, "issued_at": iso(n.issued_at),
            "items": [item_json(i, user) for i in n.items]}


SCORE_INPUT = {"type": "number", "minimum": 0, "maximum": 115, "description": "0–115（含至多 15 分加分），保留两位小数"}
#: every input any transition takes; each kind's schema keeps those its triggers declare
TRANSITION_FIELDS = {
    "comment": text(MAX_LEN["comment"], required=False, description="说明；部分操作必填"),
    "force": {"type": "boolean", "description": "普法办强制推进阶段（须填写理由）"},
    "version": {"type": "integer", "minimum": 1, "description": "客户端看到的版本号；不一致时返回 409"},
    "grade": {"type": "string", "enum": list(GRADES) + list(GRADES.values())},
    "review_score": SCORE_INPUT, "self_score": SCORE_INPUT,
    "measures": text(MAX_LEN["long_text"]),
    "new_due_date": {**DATE_SCHEMA, "description": "延期后的时限：晚于当前时限，不早于今天"},
    "url": {"type": "string", "maxLength": 500, "description": "报备的公示网址"},
    "note": text(MAX_LEN["comment"], required=False),
    "people": {"type": "array", "maxItems": 50, "items": {"type": "object"}, "description": "报备的人员名单"}}


def transition_input(name: str, model) -> dict:
    """The body of POST …/transitions for one kind: its triggers and the inputs they take."""
    transitions = model.workflow.definition.transitions
    inputs = {field for t in transitions for field in t.inputs}
    return schema(name, {"type": "object", "required": ["trigger"], "additionalProperties": False, "properties": {
        "trigger": {"type": "string", "enum": list(dict.fromkeys(t.trigger for t in transitions)),
                    "description": "、".join(dict.fromkeys(f"{t.trigger}（{t.label}）" for t in transitions))},
        **{k: v for k, v in TRANSITION_FIELDS.items() if k in inputs or k in ("comment", "force", "version")}}})


HISTORY_ENTRY = schema("HistoryEntry", exact({
    "id": ID_SCHEMA, "at": DATETIME_SCHEMA, "actor": {"type": "string"},
    "action": {"type": "string", "minLength": 1}, "trigger": {"type": ["string", "null"]},
    "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
    "comment": {"type": ["string", "null"]}, "data": {"type": ["object", "null"]}}))


def history_json(e) -> dict:
    return {"id": e.id, "at": iso(e.created_at), "actor": e.actor_label, "action": e.action,
            "trigger": e.trigger, "from": e.from_state, "to": e.to_state, "comment": e.comment,
            "data": e.data}
