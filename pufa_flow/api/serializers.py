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


PHASE = schema("Phase", {"type": "object", "properties": {
    "phase": {"type": "string"}, "label": {"type": "string"},
    "start": {"type": ["string", "null"], "format": "date"}, "due": {"type": ["string", "null"], "format": "date"}}})

CYCLE = schema("Cycle", {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "year": {"type": "integer"},
    "phases": {"type": "array", "items": PHASE}, **STATE_PROPS}})

PHASE_DATES = {"type": "object", "properties": {"start": {"type": "string", "format": "date"},
                                                "due": {"type": "string", "format": "date"}}}
CYCLE_INPUT = schema("CycleInput", {"type": "object", "required": ["name", "year"], "properties": {
    "name": {"type": "string"}, "year": {"type": "integer"},
    "phases": {"type": "object", "properties": {p: PHASE_DATES for p in
                                                ("self_assessment", "field_research", "acceptance", "results")}},
    "unit_ids": {"type": "array", "items": {"type": "integer"}}}})


def cycle_json(c, user) -> dict:
    return {"id": c.id, "name": c.name, "year": c.year, **state_fields(c, user),
            "phases": [{"phase": p.phase, "label": p.label, "start": iso(p.starts_on), "due": iso(p.due_on)}
                       for p in c.phases]}


ASSESSMENT = schema("Assessment", {"type": "object", "properties": {
    "id": {"type": "integer"}, "cycle_id": {"type": "integer"}, "unit_id": {"type": "integer"},
    "unit_name": {"type": "string"}, "self_score": {"type": ["string", "null"]},
    "review_score": {"type": ["string", "null"]}, "grade": {"type": ["string", "null"]},
    "grade_label": {"type": "string"}, **STATE_PROPS}})


def _decimal(value):
    return None if value is None else str(value)


def assessment_json(a, user) -> dict:
    return {"id": a.id, "cycle_id": a.cycle_id, "unit_id": a.unit_id, "unit_name": a.unit.name,
            "self_score": _decimal(a.self_score), "review_score": _decimal(a.review_score),
            "grade": a.grade, "grade_label": a.grade_label, **state_fields(a, user)}


ITEM = schema("Item", {"type": "object", "properties": {
    "id": {"type": "integer"}, "notice_id": {"type": "integer"}, "unit_id": {"type": "integer"},
    "unit_name": {"type": "string"}, "seq": {"type": "integer"}, "category": {"type": "string"},
    "category_label": {"type": "string"}, "problem": {"type": "string"}, "requirement": {"type": "string"},
    "due_date": {"type": "string", "format": "date"}, "requested_due_date": {"type": ["string", "null"]},
    "is_overdue": {"type": "boolean"}, "days_overdue": {"type": "integer"}, "measures": {"type": "string"},
    "overdue_working_days": {"type": "integer", "description": "逾期工作日数（未逾期为 0）"},
    "waiting_working_days": {"type": "integer", "description": "待验收事项已等待的工作日数"},
    "responsible_person": {"type": "string"}, "due_workdays": {"type": ["integer", "null"]},
    "notice_number": {"type": "string"},
    "latest_office_word": {"type": ["object", "null"]},
    "extensions": {"type": "array", "items": ref("Extension")},
    "evidence": {"type": "array", "items": ref("Evidence")},
    **STATE_PROPS}})

EXTENSION = schema("Extension", {"type": "object", "properties": {
    "id": {"type": "integer"}, "old_due_date": {"type": "string", "format": "date"},
    "requested_due_date": {"type": "string", "format": "date"}, "reason": {"type": "string"},
    "requested_at": {"type": "string"}, "requested_by": {"type": ["string", "null"]},
    "status": {"type": "string", "enum": ["pending", "approved", "denied"]}, "status_label": {"type": "string"},
    "decided_due_date": {"type": ["string", "null"]}, "decision_comment": {"type": "string"},
    "decided_at": {"type": ["string", "null"]}, "decided_by": {"type": ["string", "null"]}}})

EVIDENCE = schema("Evidence", {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"},
    "content_type": {"type": "string"}, "uploaded_at": {"type": "string"},
    "download_url": {"type": "string"}}})


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
    "problem": {"type": "string"}, "requirement": {"type": "string"},
    "due_date": {"type": "string", "format": "date", "description": "整改时限（日期），或用 due_workdays"},
    "due_workdays": {"type": "integer", "minimum": 1, "description": "自下发之日起 N 个工作日"},
    "responsible": {"type": "string", "description": "责任人"},
    "category": {"type": "string", "enum": ["organisation", "planning", "internal", "public", "archives",
                                            "enforcement", "other"]}}}


def item_json(i, user, *, detail: bool = False) -> dict:
    """``detail``: with extensions, evidence and the office's latest word (one item's page)."""
    from ..services.calendar import item_days_overdue, item_waiting_working_days, item_working_days_overdue

    days = item_days_overdue(i)
    out = {"id": i.id, "notice_id": i.notice_id, "unit_id": i.unit_id, "unit_name": i.unit.name,
           "seq": i.seq, "category": i.category, "category_label": i.category_label,
           "problem": i.problem, "requirement": i.requirement, "due_date": iso(i.due_date),
           "requested_due_date": iso(i.requested_due_date), "is_overdue": days > 0,
           "days_overdue": days, "overdue_working_days": item_working_days_overdue(i),
           "waiting_working_days": item_waiting_working_days(i),
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


NOTICE = schema("Notice", {"type": "object", "properties": {
    "id": {"type": "integer"}, "unit_id": {"type": "integer"}, "unit_name": {"type": "string"},
    "cycle_id": {"type": ["integer", "null"]}, "inspection_id": {"type": ["integer", "null"]},
    "source": {"type": "string"}, "source_label": {"type": "string"},
    "title": {"type": "string"}, "issued_at": {"type": ["string", "null"]},
    "doc_number": {"type": "string", "description": "文号，如〔2026〕3号；草稿为空"},
    "draft_items": {"type": ["array", "null"], "items": {"type": "object"}},
    "items": {"type": "array", "items": ITEM}, **STATE_PROPS}})

NOTICE_INPUT = schema("NoticeInput", {"type": "object", "required": ["unit_id", "source", "title", "items"],
                                      "properties": {
    "unit_id": {"type": "integer"}, "cycle_id": {"type": ["integer", "null"]},
    "source": {"type": "string", "enum": ["inspection", "evaluation", "other"]}, "title": {"type": "string"},
    "inspection_id": {"type": ["integer", "null"]}, "doc_seq": {"type": "integer", "minimum": 1},
    "draft": {"type": "boolean", "description": "只保存草稿（审核后再下发）"},
    "issued_on": {"type": "string", "format": "date"}, "items": {"type": "array", "items": ITEM_INPUT}}})


def notice_json(n, user) -> dict:
    return {"id": n.id, "unit_id": n.unit_id, "unit_name": n.unit.name, "cycle_id": n.cycle_id,
            "inspection_id": n.inspection_id, "source": n.source, "source_label": n.source_label,
            "title": n.title, "issued_at": iso(n.issued_at), "doc_number": n.doc_number,
            "draft_items": n.draft_items, "items": [item_json(i, user) for i in n.items], **state_fields(n, user)}


TRANSITION_INPUT = schema("TransitionInput", {"type": "object", "required": ["trigger"], "properties": {
    "trigger": {"type": "string"}, "comment": {"type": "string"},
    "force": {"type": "boolean", "description": "普法办强制推进阶段（须填写理由）"},
    "version": {"type": "integer", "description": "客户端看到的版本号；不一致时返回 409"},
    "grade": {"type": "string"}, "review_score": {"type": "number"}, "self_score": {"type": "number"},
    "measures": {"type": "string"}, "new_due_date": {"type": "string", "format": "date"},
    "approved_due_date": {"type": "string", "format": "date", "description": "批准延期时可另定时限"},
    "doc_seq": {"type": "integer"}, "issued_on": {"type": "string", "format": "date"}},
    "additionalProperties": False})

HISTORY_ENTRY = schema("HistoryEntry", {"type": "object", "properties": {
    "id": {"type": "integer"}, "at": {"type": "string"}, "actor": {"type": "string"},
    "action": {"type": "string"}, "trigger": {"type": ["string", "null"]},
    "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
    "comment": {"type": ["string", "null"]}, "data": {"type": "object"}}})


def history_json(e) -> dict:
    return {"id": e.id, "at": iso(e.created_at), "actor": e.actor_label, "action": e.action,
            "trigger": e.trigger, "from": e.from_state, "to": e.to_state, "comment": e.comment,
            "data": e.data}
