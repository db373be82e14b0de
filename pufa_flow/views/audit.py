"""The audit log page: office only, filtered by object, user and date."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request

from ..clock import local_zone
from ..models import AuditEvent, User
from ..extensions import db
from ..services.validation import clean_id, clean_date, shown
from .access import roles_required
from .pagination import paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _utc_bound(day, *, end: bool):
    zone = local_zone(current_app.config["PUFA_TIMEZONE"])
    local = datetime.combine(day + timedelta(days=1) if end else day, time.min, tzinfo=zone)
    return local.astimezone(local_zone("UTC")).replace(tzinfo=None)


def _filters(args, types: list[str]) -> tuple[list, dict, dict]:
    where, errors = [], {}
    values = {k: args.get(k, "").strip() for k in ("object_type", "object_id", "actor_id", "date_from", "date_to")}
    if values["object_type"]:
        if values["object_type"] in types:
            where.append(AuditEvent.object_type == values["object_type"])
        else:
            errors["object_type"] = (f"对象类型不正确：{shown(values['object_type'])}"
                                     f"（可选：{'、'.join(types) or '暂无记录'}）")
    if (object_id := clean_id(values["object_id"], "object_id", "对象编号", errors, required=False)) is not None:
        where.append(AuditEvent.object_id == object_id)
    if (actor_id := clean_id(values["actor_id"], "actor_id", "操作人编号", errors, required=False)) is not None:
        where.append(AuditEvent.actor_id == actor_id)
    if day := clean_date(values["date_from"], "date_from", "开始日期", errors, required=False):
        where.append(AuditEvent.created_at >= _utc_bound(day, end=False))
    if day := clean_date(values["date_to"], "date_to", "结束日期", errors, required=False):
        where.append(AuditEvent.created_at < _utc_bound(day, end=True))
    return where, values, errors


@bp.route("/")
@roles_required("office")
def index():
    types = sorted(t for t in db.session.scalars(sa.select(AuditEvent.object_type).distinct()) if t)
    where, values, errors = _filters(request.args, types)
    stmt = sa.select(AuditEvent).where(*where).order_by(AuditEvent.id.desc())
    actors = db.session.execute(sa.select(User.id, User.username).order_by(User.username)).all()
    return render_template("audit/index.html", page=paginate(stmt), values=values, errors=errors,
                           actors=actors, types=types), 400 if errors else 200
