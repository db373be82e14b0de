"""Rectification items (整改事项): the lists' filters, and what the unit and the office do besides triggers.

State changes go through ``workflow.fire``; this module wraps the ones that
also write records (who asked for an extension, who ruled on it) and the
changes that are not state changes (evidence, progress notes, reassignment),
each with its audit row in the same transaction. Bulk actions are one
transaction each: all items change, or none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from workflows import TransitionRefused

from ..converters import MAX_ID
from ..errors import AppError, Forbidden, NotFound, ValidationFailed, refusal_status
from ..extensions import db
from ..models import (ITEM_CATEGORIES, NOTICE_SOURCES, Attachment, AuditEvent, ItemNote, Notice,
                      RectificationItem, ReminderSchedule, Unit)
from ..models.scoping import check_write, scope, scoped_select, visible
from . import attachments, audit, workflow
from .calendar import calendar, overdue_filter, today
from .transaction import transaction
from .validation import (MAX_LEN, choices_text, clean_date, clean_id, clean_text, encoding_problem, parse_date,
                         parse_int, shown)

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}
#: sort keys of the item lists → ORDER BY
SORTS = {
    "due": (RectificationItem.due_date, RectificationItem.id),
    "-due": (RectificationItem.due_date.desc(), RectificationItem.id.desc()),
    "unit": (RectificationItem.unit_id, RectificationItem.due_date, RectificationItem.id),
    "status": (RectificationItem.status, RectificationItem.due_date, RectificationItem.id),
    "id": (RectificationItem.id,),
    "-id": (RectificationItem.id.desc(),),
}
#: a list page's rows (loaded by id, services/paging): with their notice (文号) and unit (name) in the same
#: SELECT, not the notice's unit nor the unit's parent, which a list does not show (their joins cost more
#: than the rows)
ITEM_LOADS = (joinedload(RectificationItem.notice).lazyload(Notice.unit),
              joinedload(RectificationItem.unit).lazyload(Unit.parent))
#: age buckets of the overdue board, in working days: (key, label, min, max or None)
AGE_BUCKETS = (("1-5", "1–5个工作日", 1, 5), ("6-20", "6–20个工作日", 6, 20), ("21+", "20个工作日以上", 21, None))
EVIDENCE = "item"  # attachments.owner_type of an item's evidence (佐证材料)
CLOSED = {"on_time": "按期销号", "late": "逾期销号"}


def _flag(args, name: str) -> bool:
    value = (args.get(name) or "").strip().lower()
    if value and value not in TRUE | FALSE:
        raise ValueError(f"{name} 不正确：{shown(value)}（可选：true、false）")
    return value in TRUE


def _int_arg(args, name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = parse_int(raw, minimum=1, maximum=MAX_ID)
    if value is None:
        raise ValueError(f"{name} 不正确：{shown(raw)}（应为编号，1 到 {MAX_ID} 之间的整数）")
    return value


def _date_arg(args, name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = parse_date(raw)
    if value is None:
        raise ValueError(f"{name} 不是有效日期：{shown(raw)}（格式 YYYY-MM-DD，如 2026-11-05）")
    return value


def age_bucket_range(key: str, on: date) -> tuple[date | None, date]:
    """(due after, due on or before) for the items overdue by this bucket's working days."""
    for k, _, low, high in AGE_BUCKETS:
        if k == key:
            cal = calendar()
            upper = cal.overdue_by_at_least(low, on)
            lower = cal.overdue_by_at_least(high + 1, on) if high else None
            return lower, upper
    raise ValueError(f"age 不正确：{shown(key)}（可选：{'、'.join(b[0] for b in AGE_BUCKETS)}）")


def _overdue_working(on: date):
    """Overdue and still with the unit (not submitted): one IN list the (status, due_date) index serves."""
    states = sorted(RectificationItem.workflow.definition.open_states - {"submitted"})
    return sa.and_(RectificationItem.status.in_(states),
                   RectificationItem.due_date <= calendar().overdue_cutoff(on))


def filtered_items(user, args) -> sa.Select:
    """Items this user may see, filtered as the page and the API allow; ValueError (Chinese) on bad filters.

    unit_id, source, inspection_id, notice_id, status, category, overdue, open, waiting
    (submitted, awaiting the office), age (an overdue bucket), closed (late / on_time),
    due_from/due_to, q (text), sort.
    """
    stmt = scoped_select(RectificationItem, user).options(selectinload(RectificationItem.notice),
                                                         selectinload(RectificationItem.unit))
    if (unit_id := _int_arg(args, "unit_id")) is not None:
        stmt = stmt.where(RectificationItem.unit_id == unit_id)
    if (notice_id := _int_arg(args, "notice_id")) is not None:
        stmt = stmt.where(RectificationItem.notice_id == notice_id)
    source = (args.get("source") or "").strip()
    inspection_id = _int_arg(args, "inspection_id")
    if source or inspection_id is not None:
        if source and source not in NOTICE_SOURCES:
            raise ValueError(f"source 不正确：{shown(source)}（可选：{choices_text(NOTICE_SOURCES)}）")
        notices = sa.select(Notice.id)
        if source:
            notices = notices.where(Notice.source == source)
        if inspection_id is not None:
            notices = notices.where(Notice.inspection_id == inspection_id)
        stmt = stmt.where(RectificationItem.notice_id.in_(notices))
    if status := (args.get("status") or "").strip():
        states = RectificationItem.workflow.definition.states
        if status not in states:
            raise ValueError(f"status 不正确：{shown(status)}（可选：{choices_text(states)}）")
        stmt = stmt.where(RectificationItem.status == status)
    if category := (args.get("category") or "").strip():
        if category not in ITEM_CATEGORIES:
            raise ValueError(f"category 不正确：{shown(category)}（可选：{choices_text(ITEM_CATEGORIES)}）")
        stmt = stmt.where(RectificationItem.category == category)
    on = today()
    if _flag(args, "overdue"):
        if status:
            stmt = stmt.where(overdue_filter(on))
        else:  # submitted items wait for the office: shown apart (waiting=1)
            stmt = stmt.where(_overdue_working(on))
    if _flag(args, "waiting"):
        stmt = stmt.where(RectificationItem.status == "submitted")
    if _flag(args, "open"):
        stmt = stmt.where(RectificationItem.status.in_(RectificationItem.workflow.definition.open_states))
    if age := (args.get("age") or "").strip():
        lower, upper = age_bucket_range(age, on)
        stmt = stmt.where(_overdue_working(on), RectificationItem.due_date <= upper)
        if lower is not None:
            stmt = stmt.where(RectificationItem.due_date > lower)
    if closed := (args.get("closed") or "").strip():
        if closed not in CLOSED:
            raise ValueError(f"closed 不正确：{shown(closed)}（可选：{choices_text(CLOSED)}）")
        from .board import closed_late_condition

        late = closed_late_condition(user)
        stmt = stmt.where(RectificationItem.status == "closed", late if closed == "late" else sa.not_(late))
    if (due_from := _date_arg(args, "due_from")) is not None:
        stmt = stmt.where(RectificationItem.due_date >= due_from)
    if (due_to := _date_arg(args, "due_to")) is not None:
        stmt = stmt.where(RectificationItem.due_date <= due_to)
    if q := (args.get("q") or "").strip():
        if len(q) > MAX_LEN["search"]:
            raise ValueError(f"q 不能超过{MAX_LEN['search']}个字符")
        if problem := encoding_problem(q, multiline=False):
            raise ValueError(f"q {problem}")
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(RectificationItem.problem.like(like, escape="\\"),
                                 RectificationItem.requirement.like(like, escape="\\"),
                                 RectificationItem.responsible_person.like(like, escape="\\")))
    sort = (args.get("sort") or "due").strip()
    if sort not in SORTS:
        raise ValueError(f"sort 不正确：{shown(sort)}（可选：{'、'.join(SORTS)}）")
    return stmt.order_by(*SORTS[sort])


# -- what the item page shows --------------------------------------------------
def latest_office_word(item) -> AuditEvent | None:
    """The office's last word on the item (why it was sent back, why an extension was denied…): shown on top.

    Any step of the office's that carried a comment; a bare click says nothing to read.
    """
    office_steps = [t.trigger for t in item.workflow.definition.transitions if "office" in t.roles]
    stmt = (sa.select(AuditEvent).where(AuditEvent.object_type == "item", AuditEvent.object_id == item.id,
                                        AuditEvent.trigger.in_(office_steps), AuditEvent.comment.is_not(None),
                                        AuditEvent.comment != "")
            .order_by(AuditEvent.id.desc()).limit(1))
    return db.session.scalar(stmt)


def evidence_of(item, user) -> list[Attachment]:
    return list(db.session.scalars(scope(attachments.attachments_of(EVIDENCE, item.id), Attachment, user)))


# -- unit side -----------------------------------------------------------------
def add_evidence(item, files, *, actor) -> list[Attachment]:
    """Store each file (checked by content, size), then link them all in one transaction."""
    check_write(actor, item)
    if actor.role != "unit" and actor.role != "office":
        raise ValidationFailed({"file": "无权上传"}, "当前角色不能上传佐证材料")
    if not item.is_open:
        raise ValidationFailed({"file": "事项已结束"}, f"整改事项已{item.status_label}，不能再上传佐证材料")
    files = [f for f in files if f is not None and (getattr(f, "filename", None) or isinstance(f, tuple))]
    if not files:
        raise ValidationFailed({"file": "请选择文件"}, "请选择要上传的佐证材料")
    stored = []
    for f in files:
        if isinstance(f, tuple):  # (name, bytes)
            stored.append(attachments.store_upload(f[1], f[0], unit_id=item.unit_id, uploader=actor))
        else:
            stored.append(attachments.store_upload(f, unit_id=item.unit_id, uploader=actor))
    with transaction():
        rows = [attachments.link(s, EVIDENCE, item.id) for s in stored]
        audit.record("item.evidence", "item", item.id, actor=actor, unit_id=item.unit_id,
                     data={"files": [r.original_name for r in rows]})
    return rows


def add_note(item, body, *, actor) -> ItemNote:
    check_write(actor, item)
    errors: dict = {}
    text = clean_text(body, "body", "整改进展", errors, max_len=MAX_LEN["text"], multiline=True)
    if errors:
        raise ValidationFailed(errors)
    if not item.is_open:
        raise ValidationFailed({"body": "事项已结束"}, f"整改事项已{item.status_label}，不能再记录进展")
    with transaction():
        note = ItemNote(item_id=item.id, unit_id=item.unit_id, body=text, author_id=actor.id)
        db.session.add(note)
        db.session.flush()
        audit.record("item.note", "item", item.id, actor=actor, unit_id=item.unit_id, comment=text)
    return note


# -- extensions ----------------------------------------------------------------
def deadline_changed(item, old: date, new: date) -> None:
    """A deadline moved outside a transition (the office's own extension): the reminders follow it."""
    from . import reminders

    reminders.replan(item)


def fire_item(item, trigger: str, *, actor, comment=None, data=None, expected_version=None, force=False):
    """``workflow.fire`` plus the records an extension keeps (who asked, who ruled) and the deadline hook."""
    old_due = item.due_date
    with transaction():
        event = workflow.fire(item, trigger, actor=actor, comment=comment, data=data, force=force,
                              expected_version=expected_version)
        if trigger == "request_extension" and item.extensions:
            item.extensions[-1].requested_by_id = actor.id
        elif trigger in ("approve_extension", "deny_extension"):
            decided = [e for e in item.extensions if e.decided_at is not None]
            if decided:
                decided[-1].decided_by_id = actor.id
        db.session.flush()
    if item.due_date != old_due:
        deadline_changed(item, old_due, item.due_date)
    return event


# -- office side ---------------------------------------------------------------
def reassign(item, unit_id, reason, *, actor) -> RectificationItem:
    """Move an open item to another unit (its evidence, notes and extensions go with it); audited."""
    check_write(actor, item)
    if actor.role != "office":
        raise ValidationFailed({"unit_id": "无权操作"}, "只有普法办可以改派整改事项")
    errors: dict = {}
    new_unit_id = clean_id(unit_id, "unit_id", "改派单位", errors)
    text = clean_text(reason, "comment", "改派理由", errors, max_len=MAX_LEN["comment"], multiline=True)
    unit = db.session.get(Unit, new_unit_id) if new_unit_id is not None else None
    if new_unit_id is not None and unit is None:
        errors["unit_id"] = f"单位不存在：{new_unit_id}"
    elif unit is not None and unit.id == item.unit_id:
        errors["unit_id"] = "改派单位与当前责任单位相同"
    if not item.is_open:
        errors["status"] = f"整改事项已{item.status_label}，不能改派"
    if errors:
        raise ValidationFailed(errors)
    old = item.unit_id
    with transaction():
        item.unit_id = unit.id
        for ext in item.extensions:
            ext.unit_id = unit.id
        for note in item.notes:
            note.unit_id = unit.id
        db.session.execute(sa.update(Attachment).where(Attachment.owner_type == EVIDENCE,
                                                       Attachment.owner_id == item.id).values(unit_id=unit.id))
        db.session.execute(sa.update(ReminderSchedule).where(ReminderSchedule.object_type == "item",
                                                             ReminderSchedule.object_id == item.id)
                           .values(unit_id=unit.id), execution_options={"synchronize_session": False})
        db.session.flush()
        audit.record("item.reassign", "item", item.id, actor=actor, unit_id=unit.id, comment=text,
                     data={"from_unit_id": old, "to_unit_id": unit.id})
    return item


BULK_ACTIONS = {"verify": "验收销号", "remind": "催办", "extend": "统一延期"}
#: the most items one bulk action takes (one transaction); the list page shows far fewer at a time
MAX_BULK = 1000
#: ids per IN list when loading a selection (below every backend's bound-parameter limit)
_LOAD_CHUNK = 500
#: what one item of a selection may fail with: noted, the others still tried, so the refusal names them all
ITEM_REFUSALS = (NotFound, Forbidden, ValidationFailed, TransitionRefused)
#: a refusal whose items failed in different ways answers with the first of these statuses present
BULK_STATUS_ORDER = (404, 403, 409, 422)
#: refusals spelled out in the message (all of them are in ``BulkRefused.refusals``)
_REFUSALS_SHOWN = 10


class BulkRefused(AppError):
    """Items of a selection cannot take the action, so none did: ``refusals`` names each item and why.

    Each refusal is {item_id, status, code, reason, message}: the status and code the single-item
    API would answer for that item (404 not_found for an unknown id, 409 transition_refused with
    the workflow's reason, 422 validation_failed…). The whole refusal answers the first of
    ``BULK_STATUS_ORDER`` among them.
    """

    code = "bulk_refused"

    def __init__(self, action: str, refusals: list[dict]):
        self.action, self.refusals = action, refusals
        self.summary = f"{len(refusals)} 条整改事项不能{BULK_ACTIONS[action]}"
        listed = "；".join(r["message"] for r in refusals[:_REFUSALS_SHOWN])
        more = f"；另有 {len(refusals) - _REFUSALS_SHOWN} 条" if len(refusals) > _REFUSALS_SHOWN else ""
        super().__init__(f"{self.summary}：{listed}{more}", details={"action": action, "refused": refusals})


    @property
    def status(self) -> int:
        """The HTTP status: the first of BULK_STATUS_ORDER among the items' refusals."""
        statuses = {r["status"] for r in self.refusals}
        return next(s for s in BULK_STATUS_ORDER if s in statuses)


def _refusal(item_id: int, exc: Exception) -> dict:
    if isinstance(exc, TransitionRefused):
        status, code, reason = refusal_status(exc.reason), "transition_refused", exc.reason
    else:
        status, code, reason = exc.status, exc.code, None
    message = exc.message
    if isinstance(exc, NotFound):
        message = f"整改事项#{item_id}不存在"
    elif not re.search(rf"#{item_id}(?!\d)", message):
        message = f"整改事项#{item_id}：{message}"
    return {"item_id": item_id, "status": status, "code": code, "reason": reason, "message": message}


def bulk_ids(item_ids) -> list[int]:
    """The selection: ids in 1..MAX_ID (ints, or ASCII digits from a form), at most MAX_BULK, each once, in order."""
    if item_ids is None:
        item_ids = []
    if not isinstance(item_ids, (list, tuple)):
        raise ValidationFailed({"item_ids": "整改事项编号应为列表"})
    if len(item_ids) > MAX_BULK:
        raise ValidationFailed({"item_ids": f"一次最多选择 {MAX_BULK} 条整改事项（现有 {len(item_ids)} 条）"})
    ids = []
    for raw in item_ids:
        item_id = parse_int(raw, minimum=1, maximum=MAX_ID)
        if item_id is None:
            raise ValidationFailed({"item_ids": f"整改事项编号应为 1 到 {MAX_ID} 之间的整数：{shown(raw)}"})
        ids.append(item_id)
    if not ids:
        raise ValidationFailed({"item_ids": "请选择整改事项"}, "请至少选择一条整改事项")
    return list(dict.fromkeys(ids))


def _visible_items(ids: list[int], actor) -> dict[int, RectificationItem]:
    """The selection's items this actor may see (the row policy), a few queries however many."""
    found: dict[int, RectificationItem] = {}
    for start in range(0, len(ids), _LOAD_CHUNK):
        stmt = visible(RectificationItem, actor).where(RectificationItem.id.in_(ids[start:start + _LOAD_CHUNK]))
        found.update((item.id, item) for item in db.session.scalars(stmt).unique())
    return found


def bulk(item_ids, action: str, *, actor, comment: str | None = None, new_due_date=None) -> "BulkResult":
    """One action of the office's on a selection, one transaction: every item changes or none does.

    The page, ``POST /api/v1/items/bulk`` and ``pufa-flow items bulk`` all call this. An item
    that cannot take the action (unknown id, wrong state, a deadline not later…) does not stop
    the others being tried: the BulkRefused raised at the end names every such item, and the
    transaction rolls back, so nothing is written (no state, audit or outbox row).

    remind queues a 催办 to each item's unit through the outbox (services/reminders/manual); an item
    already reminded today gets nothing new, and the result says which.
    """
    if getattr(actor, "role", None) != "office":
        raise Forbidden("只有普法办可以批量办理整改事项")
    if not isinstance(action, str) or action not in BULK_ACTIONS:
        raise ValidationFailed({"action": f"不支持的批量操作：{shown(action)}（可选：{choices_text(BULK_ACTIONS)}）"})
    ids = bulk_ids(item_ids)
    errors: dict = {}
    comment = clean_text(comment, "comment", "说明", errors, max_len=MAX_LEN["comment"], required=False,
                         multiline=True)
    due = None
    if action == "extend":
        due = clean_date(new_due_date, "new_due_date", "延期后的时限", errors)
    if errors:
        raise ValidationFailed(errors)
    result = BulkResult(action)
    refusals: list[dict] = []
    with transaction():
        found = _visible_items(ids, actor)
        reminding = []
        for item_id in ids:
            try:
                item = found.get(item_id)
                if item is None:
                    raise NotFound("未找到该记录")
                if action == "verify":
                    fire_item(item, "verify", actor=actor, comment=comment)
                elif action == "remind":
                    check_write(actor, item)
                    if not item.is_open:
                        raise ValidationFailed({"item_ids": "事项已结束"},
                                               f"整改事项#{item.id}已{item.status_label}，无需催办")
                    reminding.append(item)
                else:
                    extend(item, due, comment, actor=actor)
            except ITEM_REFUSALS as exc:  # the transaction is doomed: go on only to name the others
                refusals.append(_refusal(item_id, exc))
                continue
            result.item_ids.append(item_id)
        if refusals:
            raise BulkRefused(action, refusals)
        if reminding:
            from .reminders import manual

            queued = manual.remind(reminding, comment=comment)
            for item in reminding:  # an item reminded earlier today: nothing new, nothing audited
                if queued.queued[item.id]:
                    audit.record("item.remind", "item", item.id, actor=actor, unit_id=item.unit_id,
                                 comment=comment or "请抓紧整改", data={"messages": queued.queued[item.id]})
            result.reminded, result.repeated, result.messages = queued.reminded, queued.repeated, queued.rows
    return result


@dataclass
class BulkResult:
    action: str
    #: the items acted on, each once, in the order given
    item_ids: list = field(default_factory=list)
    #: remind: items with new messages, items already reminded today (nothing added), messages queued
    reminded: list = field(default_factory=list)
    repeated: list = field(default_factory=list)
    messages: int = 0

    @property
    def count(self) -> int:
        return len(self.item_ids)

    @property
    def message(self) -> str:
        if self.action != "remind":
            return f"已对 {self.count} 条整改事项{BULK_ACTIONS[self.action]}"
        parts = []
        if self.reminded:
            parts.append(f"已向 {len(self.reminded)} 条整改事项的责任单位发出催办（{self.messages} 条消息）")
        if self.repeated:
            parts.append(f"{len(self.repeated)} 条事项今天已催办过，未重复发送"
                         f"（#{'、#'.join(str(i) for i in self.repeated[:10])}{'等' if len(self.repeated) > 10 else ''}）")
        return "；".join(parts)

    def as_dict(self) -> dict:
        return {"action": self.action, "count": self.count, "item_ids": list(self.item_ids),
                "reminded": list(self.reminded), "repeated": list(self.repeated), "messages": self.messages,
                "message": self.message}


def extend(item, new_due: date, comment: str | None, *, actor) -> None:
    """The office moves a deadline on its own motion (recorded as an approved extension)."""
    from ..models import ItemExtension

    check_write(actor, item)
    if actor.role != "office":
        raise ValidationFailed({"new_due_date": "无权操作"}, "只有普法办可以直接延期")
    if not item.is_open or item.status == "extension_requested":
        raise ValidationFailed({"item_ids": "状态不符"},
                               f"整改事项#{item.id}当前为「{item.status_label}」，不能直接延期")
    if new_due <= item.due_date:
        raise ValidationFailed({"new_due_date": "时限须延后"},
                               f"整改事项#{item.id}：延期后的时限应晚于当前时限 {item.due_date.isoformat()}")
    old = item.due_date
    with transaction():
        from ..clock import utcnow_naive

        now = utcnow_naive()
        db.session.add(ItemExtension(item_id=item.id, unit_id=item.unit_id, old_due_date=old,
                                     requested_due_date=new_due, reason=comment or "普法办统一延期",
                                     requested_at=now, requested_by_id=actor.id, status="approved",
                                     decided_due_date=new_due, decided_at=now, decided_by_id=actor.id,
                                     decision_comment=comment or ""))
        item.due_date = new_due
        db.session.flush()
        audit.record("item.extend", "item", item.id, actor=actor, unit_id=item.unit_id, comment=comment,
                     data={"changes": {"due_date": [old.isoformat(), new_due.isoformat()]}})
    deadline_changed(item, old, new_due)
