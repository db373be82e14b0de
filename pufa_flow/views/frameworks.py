"""The framework library pages: each version, copy one for a new cycle, edit a copy not yet frozen."""
from __future__ import annotations

import copy

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import AppError
from ..extensions import db
from ..models import Cycle, FrameworkVersion
from ..services import frameworks as service
from .access import roles_required

bp = Blueprint("frameworks", __name__, url_prefix="/frameworks")


def _row(framework_id: int) -> FrameworkVersion:
    service.ensure_library()
    row = db.session.get(FrameworkVersion, framework_id)
    if row is None:
        abort(404)
    return row


@bp.route("/")
@roles_required("office", "viewer")
def index():
    import sqlalchemy as sa

    copies = db.session.scalars(sa.select(FrameworkVersion).join(Cycle).where(FrameworkVersion.cycle_id.is_not(None))
                                .order_by(Cycle.year.desc(), FrameworkVersion.id)).all()
    service.ensure_library()
    return render_template("frameworks/index.html", library=service.library(), copies=copies)


@bp.route("/seed", methods=["POST"])
@roles_required("office")
def seed():
    added = service.seed(actor=current_user)
    flash(f"已写入{len(added)}个指标体系" if added else "指标体系库已是最新", "success")
    return redirect(url_for("frameworks.index"))


@bp.route("/<id:framework_id>/copy", methods=["POST"])
@roles_required("office")
def copy_version(framework_id: int):
    try:
        new = service.copy(_row(framework_id), request.form.get("version", ""), actor=current_user)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for("frameworks.index"))
    flash(f"已复制为新版本“{new.version}”，可以修改后用于新的考评周期", "success")
    return redirect(url_for("frameworks.edit", framework_id=new.id))


def _edited(row: FrameworkVersion, form) -> dict:
    """The stored definition with the page's fields written over it."""
    d = copy.deepcopy(row.definition)
    d["name"] = form.get("name", d["name"])
    if d["kind"] == "checklist":
        for item in d["items"]:
            item["text"] = form.get(f"item_{item['number']}_text", item["text"])
        return d
    d["bonus_cap"] = form.get("bonus_cap", d["bonus_cap"])
    for c in d["categories"]:
        c["max_points"] = form.get(f"cat_{c['key']}_max", c["max_points"])
        for i in c["indicators"]:
            i["content"] = form.get(f"ind_{i['number']}_content", i["content"])
            i["max_points"] = form.get(f"ind_{i['number']}_max", i["max_points"])
            for r in i["rules"]:
                r["text"] = form.get(f"rule_{r['id']}_text", r["text"])
                for key in ("points", "per_unit", "cap"):
                    value = form.get(f"rule_{r['id']}_{key}")
                    if value is not None and r.get(key) is not None:
                        r[key] = value.strip()
    return d


@bp.route("/<id:framework_id>", methods=["GET", "POST"])
@roles_required("office", "viewer")
def edit(framework_id: int):
    if request.method == "POST" and current_user.role != "office":
        abort(403)
    row = _row(framework_id)
    definition = row.definition
    if request.method == "POST":
        definition = _edited(row, request.form)
        try:
            service.update(row, definition, actor=current_user)
        except AppError as exc:
            flash(f"未保存：{exc.message}", "error")
            return render_template("frameworks/edit.html", row=row, d=definition), 422
        flash("指标体系已保存", "success")
        return redirect(url_for("frameworks.edit", framework_id=row.id))
    return render_template("frameworks/edit.html", row=row, d=definition)
