"""The office's texts of a cycle's 考评情况通报, and the bulletin's inputs from the grades.

The counts sentence and the annex are computed from the graded assessments
(documents/sources.py); the office writes the method and the three sections
here. Saving is audited; an archived cycle is read-only.
"""
from __future__ import annotations

from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import BULLETIN_SECTIONS, CycleBulletin
from ..models.scoping import can_read
from . import audit
from .transaction import transaction
from .validation import clean_int, clean_text

#: the texts the office writes: field -> label
FIELDS = {"method": "考评方式", **BULLETIN_SECTIONS}
MAX_TEXT = 10000
#: cycle states in which the bulletin can no longer change
READ_ONLY_STATES = ("archived",)


def texts(cycle) -> CycleBulletin | None:
    return db.session.get(CycleBulletin, cycle.id)


def as_dict(row: CycleBulletin | None) -> dict:
    return {f: (getattr(row, f) if row else "") for f in FIELDS} | {"version": row.version if row else 0}


def editable(cycle) -> bool:
    return cycle.status not in READ_ONLY_STATES


def save(cycle, body, *, actor) -> CycleBulletin:
    """PUT the four texts at once (each optional, empty clears it); refused whole on any bad field."""
    if not can_read(actor, cycle):
        raise NotFound("未找到该记录")
    if getattr(actor, "role", None) != "office":
        raise Forbidden("考评情况通报由普法办撰写")
    if not editable(cycle):
        raise Conflict(f"考评周期“{cycle.name}”已归档，通报不能再修改", details={"reason": "archived"})
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "请求体应为对象"})
    errors: dict = {}
    if extra := sorted(set(body) - set(FIELDS) - {"version"}):
        errors["body"] = f"不接受字段：{'、'.join(extra)}"
    values = {f: clean_text(body.get(f), f, label, errors, max_len=MAX_TEXT, required=False, multiline=True) or ""
              for f, label in FIELDS.items()}
    version = None
    if body.get("version") not in (None, ""):
        version = clean_int(body.get("version"), "version", "版本", errors, minimum=0, maximum=2**31 - 1)
    if errors:
        raise ValidationFailed(errors, "；".join(errors.values()))
    with transaction():
        row = texts(cycle)
        current = row.version if row else 0
        if version is not None and version != current:
            raise Conflict("通报已被他人修改，请刷新后重新编辑", details={"reason": "stale", "version": current})
        if row is None:
            row = CycleBulletin(cycle_id=cycle.id)
            db.session.add(row)
        changed = [f for f in FIELDS if (getattr(row, f, None) or "") != values[f]]
        for f in FIELDS:
            setattr(row, f, values[f])
        row.updated_by_id = actor.id
        db.session.flush()
        audit.record("bulletin.save", "cycle", cycle.id, actor=actor,
                     data={"changed": changed, "lengths": {f: len(values[f]) for f in FIELDS}})
    return row
