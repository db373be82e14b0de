"""/api/v1/inbox, /api/v1/outbox and an item's reminder timeline: the pages' API twins."""
from __future__ import annotations

from flask import jsonify, request

from ..clock import as_utc
from ..errors import BadRequest
from ..extensions import db
from ..models import RectificationItem
from ..models.scoping import get_visible
from ..services.reminders import inbox, log, preferences, preview, resend
from ..services.validation import MAX_ID, parse_int
from .base import current_api_user, json_body, paginate, require_roles
from ..models import CHANNELS_OUTBOX as CHANNELS, CONTACT_ROLES, OUTBOX_STATES, PREFERENCE_MODES, Unit
from .spec import DATETIME_SCHEMA, ID_SCHEMA, endpoint, enum_of, exact, page_of, pagination_params, schema


def _time(value):
    return as_utc(value).isoformat() if value else None


_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_MESSAGE_FIELDS = {
    "id": ID_SCHEMA, "channel": enum_of(CHANNELS), "channel_label": {"type": "string", "enum": list(CHANNELS.values())},
    "recipient": {"type": "string"}, "recipient_role": {"type": "string"}, "recipient_name": {"type": "string"},
    "kind": {"type": "string"}, "local_day": {"type": "string", "format": "date"},
    "subject": {"type": "string"}, "body": {"type": "string"},
    "object_type": {"type": ["string", "null"]}, "object_id": {"type": ["integer", "null"]},
    "status": enum_of(OUTBOX_STATES), "status_label": {"type": "string", "enum": list(OUTBOX_STATES.values())},
    "attempts": {"type": "integer", "minimum": 0},
    "last_error": {"type": ["string", "null"]}, "provider_message_id": {"type": ["string", "null"]},
    "created_at": DATETIME_SCHEMA, "send_after": DATETIME_SCHEMA, "sent_at": _NULLABLE_TIME}
MESSAGE = schema("OutboxMessage", exact(_MESSAGE_FIELDS))
#: a message in the reader's own inbox: with whether they have read it
INBOX_MESSAGE = schema("InboxMessage", exact({**_MESSAGE_FIELDS, "read": {"type": "boolean"}}))

TIMELINE = schema("ReminderTimeline", exact({
    "next_at": _NULLABLE_TIME,
    "unreachable": {"type": "array", "items": {"type": "string"}},
    "planned": {"type": "array", "items": exact({
        "at": DATETIME_SCHEMA, "kind": {"type": "string"}, "stage": {"type": "string"},
        "role": {"type": "string"}, "channel": enum_of(CHANNELS), "address": {"type": "string"},
        "name": {"type": "string"}, "past": {"type": "boolean"}})},
    "sent": {"type": "array", "items": MESSAGE}}))

STATUS = schema("ReminderStatus", exact({
    "last_sweep": _NULLABLE_TIME, "last_delivery": _NULLABLE_TIME,
    "last_digest": _NULLABLE_TIME, "queued": {"type": "integer", "minimum": 0},
    "sending": {"type": "integer", "minimum": 0}, "failed": {"type": "integer", "minimum": 0},
    "sent": {"type": "integer", "minimum": 0}, "open_deadlines": {"type": "integer", "minimum": 0},
    "next_at": _NULLABLE_TIME}))

READ = schema("InboxRead", exact({"marked": {"type": "integer", "minimum": 0}}))


def message_json(m, read: bool | None = None) -> dict:
    out = {"id": m.id, "channel": m.channel, "channel_label": m.channel_label, "recipient": m.recipient,
           "recipient_role": m.recipient_role, "recipient_name": m.recipient_name, "kind": m.kind,
           "local_day": m.local_day.isoformat(), "subject": m.subject, "body": m.body,
           "object_type": m.object_type, "object_id": m.object_id, "status": m.status,
           "status_label": m.status_label, "attempts": m.attempts, "last_error": m.last_error,
           "provider_message_id": m.provider_message_id, "created_at": _time(m.created_at),
           "send_after": _time(m.send_after), "sent_at": _time(m.sent_at)}
    if read is not None:
        out["read"] = read
    return out


@endpoint("/inbox", "GET", summary="我的站内消息（最新在前）", tag="reminders", response=page_of(INBOX_MESSAGE),
          query=pagination_params(), errors=("400", "401"))
@require_roles()
def list_inbox():
    user = current_api_user()
    page = paginate(inbox.messages(user), lambda m: m)
    read = inbox.read_ids(user, [m.id for m in page["items"]])
    page["items"] = [message_json(m, m.id in read) for m in page["items"]]
    return jsonify(page)


@endpoint("/inbox/<id:message_id>/read", "POST", summary="将一条站内消息标为已读", tag="reminders",
          response=READ, errors=("401", "403", "404"))
@require_roles(*inbox.INBOX_ROLES)
def read_inbox_message(message_id: int):
    return jsonify({"marked": inbox.mark_read(current_api_user(), message_id)})


@endpoint("/outbox", "GET", summary="发送记录（普法办；可按状态、渠道、接收人、日期筛选）", tag="reminders",
          response=page_of(MESSAGE), errors=("400", "401", "403"),
          query=[{"name": n, "in": "query", "schema": {"type": "string"}} for n in log.FILTERS]
          + pagination_params())
@require_roles("office")
def list_outbox():
    stmt, _values, errors = log.filtered(request.args)
    if errors:
        raise BadRequest("；".join(errors.values()), details=errors)
    return jsonify(paginate(stmt, message_json))


@endpoint("/outbox/<id:message_id>/resend", "POST", summary="重新发送一条失败或已发送的消息（普法办）",
          tag="reminders", response=MESSAGE, errors=("401", "403", "404", "409"))
@require_roles("office")
def resend_outbox_message(message_id: int):
    return jsonify(message_json(resend(message_id, actor=current_api_user())))


@endpoint("/reminders/status", "GET", summary="提醒调度状态（普法办）", tag="reminders", response=STATUS,
          errors=("401", "403"))
@require_roles("office")
def reminder_status():
    s = log.status()
    run = lambda r: _time(r.finished_at) if r else None  # noqa: E731
    return jsonify({"last_sweep": run(s["last_sweep"]), "last_delivery": run(s["last_delivery"]),
                    "last_digest": run(s["last_digest"]), "queued": s["queued"], "sending": s["sending"],
                    "failed": s["failed"], "sent": s["sent"], "open_deadlines": s["open_deadlines"],
                    "next_at": _time(s["next_at"])})


@endpoint("/items/<id:item_id>/reminders", "GET", summary="整改事项的提醒计划与已发送消息", tag="reminders",
          response=TIMELINE, errors=("401", "404"))
@require_roles()
def item_reminders(item_id: int):
    item = get_visible(RectificationItem, item_id, current_api_user())
    t = preview(item)
    return jsonify({
        "next_at": t.next_at.isoformat() if t.next_at else None, "unreachable": t.unreachable,
        "planned": [{"at": p.at.isoformat(), "kind": p.kind, "stage": p.stage, "role": p.role,
                     "channel": p.channel, "address": p.address, "name": p.name, "past": p.when == "past"}
                    for p in t.planned],
        "sent": [message_json(m) for m in t.sent]})


# -- per-recipient preferences (the page /units/<id>/reminder-preferences) ------------
_PREFERENCE_FIELDS = {"contact_id": ID_SCHEMA, "email": {"type": "boolean"}, "sms": {"type": "boolean"},
                      "mode": enum_of(PREFERENCE_MODES)}
PREFERENCES = schema("ReminderPreferences", exact({
    "unit_id": ID_SCHEMA,
    "contacts": {"type": "array", "items": exact({
        **_PREFERENCE_FIELDS, "name": {"type": "string"}, "role": enum_of(CONTACT_ROLES),
        "mode_label": {"type": "string", "enum": list(PREFERENCE_MODES.values())}})}}))
PREFERENCES_INPUT = schema("ReminderPreferencesInput", exact({
    "unit_id": ID_SCHEMA,
    "contacts": {"type": "array", "maxItems": 100, "items": exact(_PREFERENCE_FIELDS)}}, optional=("unit_id",)))
UNIT_PARAM = [{"name": "unit_id", "in": "query", "schema": ID_SCHEMA,
               "description": "单位编号；单位用户可省略（本单位）"}]


def _preference_unit(raw) -> Unit:
    """The unit asked for (its own for a unit account when none is named); another's is 404."""
    user = current_api_user()
    if raw is None or raw == "":
        if user.role != "unit" or not user.unit_id:
            raise BadRequest("请指定单位（unit_id）", details={"unit_id": "请指定单位"})
        raw = user.unit_id
    unit_id = parse_int(raw, minimum=1, maximum=MAX_ID)
    if unit_id is None:
        raise BadRequest("单位编号（unit_id）应为 1 到 2147483647 的整数",
                         details={"unit_id": "单位编号应为正整数"})
    return get_visible(Unit, unit_id, user)


def preferences_json(unit) -> dict:
    return {"unit_id": unit.id, "contacts": [
        {"contact_id": c.id, "name": c.name, "role": c.role,
         "email": p.email if p else True, "sms": p.sms if p else True,
         "mode": p.mode if p else "immediate", "mode_label": PREFERENCE_MODES[p.mode if p else "immediate"]}
        for c, p in preferences.for_unit(unit)]}


@endpoint("/reminders/preferences", "GET", summary="单位联系人的提醒设置（渠道、即时或每日汇总）",
          tag="reminders", response=PREFERENCES, query=UNIT_PARAM, errors=("400", "401", "403", "404"))
@require_roles("office", "unit")
def get_reminder_preferences():
    return jsonify(preferences_json(_preference_unit(request.args.get("unit_id"))))


@endpoint("/reminders/preferences", "PUT", summary="修改单位联系人的提醒设置；未列出的联系人不变",
          tag="reminders", response=PREFERENCES, body=PREFERENCES_INPUT, errors=("400", "401", "403", "404", "422"))
@require_roles("office", "unit")
def put_reminder_preferences():
    data = json_body()
    unit = _preference_unit(data.get("unit_id"))
    contacts = data.get("contacts")
    if not isinstance(contacts, list) or not all(isinstance(c, dict) for c in contacts):
        raise BadRequest("contacts 应为联系人设置的列表", details={"contacts": "应为列表"})
    for c in contacts:
        for flag in ("email", "sms"):
            if not isinstance(c.get(flag), bool):
                raise BadRequest(f"{flag} 应为 true 或 false", details={flag: "应为 true 或 false"})
    preferences.save(unit, {str(c.get("contact_id")): {"email": c["email"], "sms": c["sms"],
                                                      "mode": c.get("mode", "immediate")} for c in contacts},
                     actor=current_api_user())
    db.session.expire(unit, ["contacts"])
    return jsonify(preferences_json(unit))


# -- the reminder policy (the page /reminders/policy) ------------------------------------
_HHMM = {"type": "string", "pattern": r"^\d{2}:\d{2}$", "examples": ["09:00"]}
_RUNG = exact({"key": {"type": "string", "minLength": 1, "maxLength": 40},
               "offset": {"type": "integer", "minimum": -250, "maximum": 250},
               "recipients": {"type": "array", "items": {"type": "string"}},
               "channels": {"type": "array", "items": {"type": "string"}},
               "every": {"type": "integer", "minimum": 1, "maximum": 250}}, optional=("every",))
_LADDER = exact({"label": {"type": "string", "maxLength": 50}, "anchor": {"type": "string"}, "send_at": _HHMM,
                 "rungs": {"type": "array", "items": _RUNG, "maxItems": 20}})
_POLICY = {"type": "object", "properties": {
    "ladders": {"type": "object", "additionalProperties": _LADDER},
    "quiet_hours": exact({"start": _HHMM, "end": _HHMM, "channels": {"type": "array", "items": {"type": "string"}}}),
    "digest": exact({"at": _HHMM, "recipients": {"type": "array", "items": {"type": "string"}},
                     "channels": {"type": "array", "items": {"type": "string"}}})},
    "required": ["ladders", "quiet_hours", "digest"], "additionalProperties": False}
POLICY_INPUT = schema("ReminderPolicyInput", _POLICY)
POLICY = schema("ReminderPolicy", exact({"policy": _POLICY, "defaults": _POLICY, "is_default": {"type": "boolean"}}))


def policy_json() -> dict:
    from notifications.policy import DEFAULT_POLICY

    from ..services.reminders import settings

    return {"policy": settings.stored().to_dict(), "defaults": DEFAULT_POLICY.to_dict(),
            "is_default": settings.is_default()}


@endpoint("/reminders/policy", "GET", summary="提醒规则（各类时限的提醒阶梯、免打扰时段、每日汇总）与默认规则",
          tag="reminders", response=POLICY, errors=("401", "403"))
@require_roles("office", "viewer")
def get_reminder_policy():
    return jsonify(policy_json())


@endpoint("/reminders/policy", "PUT", summary="修改提醒规则（普法办）；待发提醒随即按新规则重新安排。恢复默认：提交 defaults",
          tag="reminders", response=POLICY, body=POLICY_INPUT, errors=("400", "401", "403", "422"))
@require_roles("office")
def put_reminder_policy():
    from ..services.reminders import settings

    settings.save(json_body(), actor=current_api_user())
    return jsonify(policy_json())
