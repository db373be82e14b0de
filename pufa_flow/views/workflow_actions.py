"""State changes from pages, and each object's history page.

One handler for the three kinds: the buttons a page shows come from the
machine (allowed_triggers), and pressing one calls the same service as the
API, so a page can never offer what the rules refuse.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflows import WORKFLOWS, TransitionRefused

from ..errors import AppError
from ..models import STATEFUL_MODELS
from ..models.scoping import check_write, get_visible
from ..services import self_assessment, workflow
from ..services.validation import parse_int
from .access import roles_required

bp = Blueprint("workflow_actions", __name__)

SHOW_ENDPOINT = {"cycle": "cycles.show", "assessment": "cycles.assessment", "item": "items.show",
                 "filing": "filings.show", "notice": "notices.show"}
#: every input any trigger of the generic form takes (each Transition.inputs says which trigger
#: takes which); a dedicated step's inputs (review_score, grade) are computed by its own service
INPUT_FIELDS = sorted({name for wf in WORKFLOWS.values() for t in wf.definition.transitions
                       if not t.dedicated for name in t.inputs})


def _object(object_type: str, object_id: int):
    model = STATEFUL_MODELS.get(object_type)
    if model is None:
        abort(404)
    return get_visible(model, object_id, current_user)


def _show_url(obj) -> str:
    return url_for(SHOW_ENDPOINT[obj.object_type], **{f"{obj.object_type}_id": obj.id})


@bp.route("/transitions/<object_type>/<id:object_id>", methods=["POST"])
@roles_required()
def fire(object_type: str, object_id: int):
    obj = _object(object_type, object_id)
    check_write(current_user, obj)  # a read-only role gets the 403 page, not a flash
    trigger = request.form.get("trigger", "")
    data = {k: request.form[k] for k in INPUT_FIELDS if request.form.get(k, "") != ""}
    version = request.form.get("version", "")
    fire_trigger = workflow.fire
    if obj.object_type == "item":  # extension records and the deadline hook
        from ..services.items import fire_item as fire_trigger
    try:
        workflow.refuse_dedicated(obj, trigger)  # scores, grades, publish, archive: their own pages
        if object_type == "assessment" and trigger == "submit":
            # the 自评 submit checks materials and deadline and computes the score
            self_assessment.submit(obj, actor=current_user, comment=request.form.get("comment") or None,
                                   expected_version=parse_int(version, minimum=1))
        else:
            fire_trigger(obj, trigger, actor=current_user, comment=request.form.get("comment") or None,
                         force=request.form.get("force") == "1", data=data,
                         expected_version=parse_int(version, minimum=1))
    except (TransitionRefused, AppError) as exc:  # both carry a Chinese sentence for the user
        flash(exc.message, "error")
    else:
        flash(f"已{obj.workflow.trigger_label(trigger)}：{obj.workflow_label} 现为「{obj.status_label}」", "success")
    return redirect(_show_url(obj))


@bp.route("/history/<object_type>/<id:object_id>")
@roles_required()
def history(object_type: str, object_id: int):
    obj = _object(object_type, object_id)
    return render_template("workflows/history.html", obj=obj, events=workflow.history(obj),
                           back=_show_url(obj))
