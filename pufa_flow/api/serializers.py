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
from ..models import (CONTACT_ROLES, EXTENSION_STATUSES, GRADES, ITEM_CATEGORIES, NOTICE_SOURCES, PHASES, ROLES,
                      UNIT_KINDS, Cycle, Notice, RectificationItem, UnitAssessment)
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
    shown = a.result_visible_to(user)  # a unit reads its result once published
    return {"id": a.id, "cycle_id": a.cycle_id, "unit_id": a.unit_id, "unit_name": a.unit.name,
            "self_score": _decimal(a.self_score), "review_score": _decimal(a.review_score) if shown else None,
            "grade": a.grade if shown else None, "grade_label": a.grade_label if shown else "",
            **state_fields(a, user)}


_ITEM_FIELDS = {
    "id": ID_SCHEMA, "notice_id": ID_SCHEMA, "unit_id": ID_SCHEMA,
    "unit_name": {"type": "string"}, "seq": {"type": "integer", "minimum": 1}, "category": enum_of(ITEM_CATEGORIES),
    "category_label": {"type": "string", "enum": list(ITEM_CATEGORIES.values())},
    "problem": {"type": "string", "minLength": 1}, "requirement": {"type": "string"},
    "due_date": {"type": "string", "format": "date"}, "requested_due_date": NULLABLE_DATE,
    "is_overdue": {"type": "boolean"}, "days_overdue": {"type": "integer", "minimum": 0},
    "overdue_working_days": {"type": "integer", "minimum": 0, "description": "逾期工作日数（未逾期为 0）"},
    "waiting_working_days": {"type": "integer", "minimum": 0, "description": "待验收事项已等待的工作日数"},
    "responsible_person": {"type": "string", "description": "责任人"},
    "due_workdays": {"type": ["integer", "null"], "minimum": 1, "description": "时限按下发后 N 个工作日给出时的 N"},
    "notice_number": {"type": "string", "description": "所属整改通知书的文号"},
    "measures": {"type": "string"}, **state_props(RectificationItem)}
ITEM = schema("Item", exact(_ITEM_FIELDS))
#: one item's page: with its extensions, evidence and the office's latest word
ITEM_DETAIL = schema("ItemDetail", exact({
    **_ITEM_FIELDS,
    "latest_office_word": {**exact({"action": {"type": ["string", "null"]}, "comment": {"type": ["string", "null"]},
                                    "at": DATETIME_SCHEMA}), "type": ["object", "null"],
                           "description": "普法办最近一次退回、驳回或批准延期及其理由"},
    "extensions": {"type": "array", "items": ref("Extension"), "description": "延期记录"},
    "evidence": {"type": "array", "items": ref("Evidence"), "description": "佐证材料"}}))

EXTENSION = schema("Extension", exact({
    "id": ID_SCHEMA, "old_due_date": {"type": "string", "format": "date"},
    "requested_due_date": {"type": "string", "format": "date"}, "reason": {"type": "string"},
    "requested_at": DATETIME_SCHEMA, "requested_by": {"type": ["string", "null"]},
    "status": enum_of(EXTENSION_STATUSES), "status_label": {"type": "string", "enum": list(EXTENSION_STATUSES.values())},
    "decided_due_date": NULLABLE_DATE, "decision_comment": {"type": "string"},
    "decided_at": {"type": ["string", "null"], "format": "date-time"}, "decided_by": {"type": ["string", "null"]}}))

EVIDENCE = schema("Evidence", exact({
    "id": ID_SCHEMA, "name": {"type": "string"}, "size": {"type": "integer", "minimum": 0},
    "content_type": {"type": "string"}, "uploaded_at": DATETIME_SCHEMA,
    "download_url": {"type": "string"}}))


def extension_json(e) -> dict:
    return {"id": e.id, "old_due_date": iso(e.old_due_date), "requested_due_date": iso(e.requested_due_date),
            "reason": e.reason, "requested_at": iso(e.requested_at),
            "requested_by": e.requested_by.label if e.requested_by else None,
            "status": e.status, "status_label": e.status_label, "decided_due_date": iso(e.decided_due_date),
            "decision_comment": e.decision_comment, "decided_at": iso(e.decided_at),
            "decided_by": e.decided_by.label if e.decided_by else None}


def evidence_json(a) -> dict:
    return {"id": a.id, "name": a.original_name, "size": a.size, "content_type": a.content_type,
            "uploaded_at": iso(a.created_at), "download_url": f"/api/v1/attachments/{a.id}/content"}


ITEM_INPUT = {"type": "object", "required": ["problem"], "properties": {
    "problem": text(MAX_LEN["text"]), "requirement": text(MAX_LEN["text"], required=False),
    "due_date": {**DATE_SCHEMA, "description": "整改时限，不早于下发日期；或用 due_workdays"},
    "due_workdays": {"type": "integer", "minimum": 1, "maximum": 250, "description": "自下发之日起 N 个工作日"},
    "responsible": text(MAX_LEN["person"], required=False, description="责任人"),
    "category": {"type": "string", "enum": list(ITEM_CATEGORIES) + list(ITEM_CATEGORIES.values()),
                 "description": "问题类别编号或中文名称，默认 other"}}}


def item_json(i, user, *, detail: bool = False) -> dict:
    """``detail``: with extensions, evidence and the office's latest word (one item's page)."""
    from ..services.calendar import item_days_overdue, item_waiting_working_days, item_working_days_overdue, today

    on = today()
    days = item_days_overdue(i, on)
    out = {"id": i.id, "notice_id": i.notice_id, "unit_id": i.unit_id, "unit_name": i.unit.name,
           "seq": i.seq, "category": i.category, "category_label": i.category_label,
           "problem": i.problem, "requirement": i.requirement, "due_date": iso(i.due_date),
           "requested_due_date": iso(i.requested_due_date), "is_overdue": days > 0,
           "days_overdue": days, "overdue_working_days": item_working_days_overdue(i, on),
           "waiting_working_days": item_waiting_working_days(i, on),
           "responsible_person": i.responsible_person, "due_workdays": i.due_workdays,
           "notice_number": i.notice.doc_number if i.notice else "",
           "measures": i.measures, **state_fields(i, user)}
    if detail:
        from ..services.items import evidence_of, latest_office_word

        word = latest_office_word(i)
        out["latest_office_word"] = ({"action": word.trigger, "comment": word.comment, "at": iso(word.created_at)}
                                     if word else None)
        out["extensions"] = [extension_json(e) for e in i.extensions]
        out["evidence"] = [evidence_json(a) for a in evidence_of(i, user)]
    return out


DRAFT_ITEM = exact({
    "problem": {"type": "string"}, "requirement": {"type": "string"}, "category": enum_of(ITEM_CATEGORIES),
    "responsible": {"type": "string"}, "due_date": NULLABLE_DATE,
    "due_workdays": {"type": ["integer", "null"], "minimum": 1}})

NOTICE = schema("Notice", exact({
    "id": ID_SCHEMA, "unit_id": ID_SCHEMA, "unit_name": {"type": "string"},
    "cycle_id": NULLABLE_ID, "inspection_id": NULLABLE_ID, "source": enum_of(NOTICE_SOURCES),
    "source_label": {"type": "string", "enum": list(NOTICE_SOURCES.values())},
    "title": {"type": "string", "minLength": 1}, "issued_at": {"type": ["string", "null"], "format": "date-time"},
    "doc_number": {"type": "string", "description": "文号，如〔2026〕3号；草稿为空"},
    "draft_items": {"type": ["array", "null"], "items": DRAFT_ITEM, "description": "草稿中的整改事项；下发后为 null"},
    "items": {"type": "array", "items": ITEM}, **state_props(Notice)}))

NOTICE_INPUT = schema("NoticeInput", {"type": "object", "required": ["unit_id", "source", "title", "items"],
                                      "properties": {
    "unit_id": ID_SCHEMA, "cycle_id": NULLABLE_ID, "inspection_id": NULLABLE_ID,
    "source": {"type": "string", "enum": list(NOTICE_SOURCES) + list(NOTICE_SOURCES.values()),
               "description": "来源编号或中文名称"},
    "title": text(MAX_LEN["title"]),
    "doc_seq": {**ID_SCHEMA, "description": "文号序号；默认当年下一个"},
    "draft": {"type": "boolean", "description": "只保存草稿（审核后再下发）"},
    "issued_on": {**DATE_SCHEMA, "description": "下发日期，不晚于今天；默认今天"},
    "items": {"type": "array", "items": ITEM_INPUT, "minItems": 1, "maxItems": 200}}})


def notice_json(n, user) -> dict:
    return {"id": n.id, "unit_id": n.unit_id, "unit_name": n.unit.name, "cycle_id": n.cycle_id,
            "inspection_id": n.inspection_id, "source": n.source, "source_label": n.source_label,
            "title": n.title, "issued_at": iso(n.issued_at), "doc_number": n.doc_number,
            "draft_items": n.draft_items, "items": [item_json(i, user) for i in n.items], **state_fields(n, user)}


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
    "people": {"type": "array", "maxItems": 50, "items": {"type": "object"}, "description": "报备的人员名单"},
    "approved_due_date": {**DATE_SCHEMA, "description": "批准延期时可另定时限：晚于当前时限，不早于今天"},
    "doc_seq": {**ID_SCHEMA, "description": "文号序号；默认当年下一个"},
    "issued_on": {**DATE_SCHEMA, "description": "下发日期，不晚于今天；默认今天"}}


def transition_input(name: str, model) -> dict:
    """The body of POST …/transitions for one kind: its triggers and the inputs they take."""
    transitions = [t for t in model.workflow.definition.transitions if not t.dedicated]
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
