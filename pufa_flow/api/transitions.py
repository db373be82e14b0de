"""POST …/<id>/transitions and GET …/<id>/history for the three stateful kinds."""
from __future__ import annotations

from flask import jsonify

from ..errors import ValidationFailed
from ..models import Cycle, Filing, Notice, RectificationItem, UnitAssessment
from ..models.scoping import get_visible
from ..services import self_assessment, workflow
from .base import current_api_user, json_body, require_roles
from .serializers import (ASSESSMENT, CYCLE, HISTORY_ENTRY, ITEM, NOTICE, assessment_json, exact, transition_input,
                          cycle_json, history_json, item_json, notice_json)
from .spec import endpoint

KINDS = {
    "cycles": (Cycle, "cycle_id", cycle_json, CYCLE, "考评周期", "CycleTransitionInput"),
    "assessments": (UnitAssessment, "assessment_id", assessment_json, ASSESSMENT, "单位考评",
                    "AssessmentTransitionInput"),
    "items": (RectificationItem, "item_id", item_json, ITEM, "整改事项", "ItemTransitionInput"),
    "notices": (Notice, "notice_id", notice_json, NOTICE, "整改通知书（审核通过、退回修改、下发）",
                "NoticeTransitionInput"),
}


def _filing_kind():
    from .filings import FILING, filing_json  # registered after the serializers it builds on
    return (Filing, "filing_id", filing_json, FILING, "报备事项", "FilingTransitionInput")



def _fire(model, serialize, object_id: int):
    user = current_api_user()
    body = json_body()
    trigger = body.pop("trigger", None)
    if not isinstance(trigger, str) or not trigger:
        raise ValidationFailed({"trigger": "trigger 不能为空"})
    comment = body.pop("comment", None)
    force = body.pop("force", False)
    version = body.pop("version", None)
    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed({"comment": "comment 必须是文本"})
    if not isinstance(force, bool):
        raise ValidationFailed({"force": "force 必须是 true 或 false"})
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed({"version": "version 必须是整数"})
    obj = get_visible(model, object_id, user)
    workflow.refuse_dedicated(obj, trigger)  # scores, grades, publish, archive: their own endpoints
    if model is UnitAssessment and trigger == "submit":
        # submitting a 自评 checks its materials and deadline and computes the score: its own service
        self_assessment.check_unit_writer(user, obj)
        if body:
            raise ValidationFailed({k: "该操作不接受此字段（自测得分由系统按得分表计算）" for k in body})
        self_assessment.submit(obj, actor=user, comment=comment, expected_version=version)
        return jsonify(serialize(obj, user))
    fire = workflow.fire
    if model is RectificationItem:  # extension records and the deadline hook
        from ..services.items import fire_item as fire
    fire(obj, trigger, actor=user, comment=comment, force=force, data=body, expected_version=version)
    if model is Notice and trigger == "issue":
        obj.issued_by_id = user.id
        from ..extensions import db
        db.session.commit()
    return jsonify(serialize(obj, user))


def _history(model, object_id: int):
    obj = get_visible(model, object_id, current_api_user())
    return jsonify({"items": [history_json(e) for e in workflow.history(obj)]})


def _register(plural: str) -> None:
    model, param, serialize, response, label, body_name = KINDS[plural]

    def fire_view(**kwargs):
        return _fire(model, serialize, kwargs[param])

    def history_view(**kwargs):
        return _history(model, kwargs[param])

    fire_view.__name__ = f"fire_{plural}_transition"
    history_view.__name__ = f"{plural}_history"
    rule = f"/{plural}/<id:{param}>"
    endpoint(f"{rule}/transitions", "POST", summary=f"对{label}执行状态操作", tag="workflow",
             response=response, body=transition_input(body_name, model),
             errors=("400", "401", "403", "404", "409", "422"))(require_roles()(fire_view))
    endpoint(f"{rule}/history", "GET", summary=f"{label}的状态变更记录", tag="workflow",
             response=exact({"items": {"type": "array", "items": HISTORY_ENTRY}}),
             )(require_roles()(history_view))


KINDS["filings"] = _filing_kind()
for _plural in KINDS:
    _register(_plural)
