"""/api/v1 for the rest of rectification: inspections, their import, evidence, bulk actions, the overdue board."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import BadRequest, ValidationFailed
from ..models import ITEM_CATEGORIES, Inspection, RectificationItem
from ..models.scoping import get_visible, scoped_select
from ..services import board as board_service
from ..services import inspections as inspection_service
from ..services import items as item_service
from .base import current_api_user, json_body, paginate, require_roles
from ..services.validation import MAX_LEN, shown
from .serializers import ITEM_DETAIL, item_json
from .spec import (DATE_SCHEMA, ID_SCHEMA, PATHS, endpoint, enum_of, exact, page_of, pagination_params, ref, schema,
                   text)

_COUNT = {"type": "integer", "minimum": 0}
INSPECTION = schema("Inspection", exact({
    "id": ID_SCHEMA, "name": {"type": "string", "minLength": 1},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "bodies": {"type": "string", "description": "督查组成单位"},
    "unit_ids": {"type": "array", "items": ID_SCHEMA},
    "notice_ids": {"type": "array", "items": ID_SCHEMA}}))
INSPECTION_INPUT = schema("InspectionInput", {"type": "object", "required": ["name", "starts_on", "ends_on"],
                                              "properties": {
    "name": text(MAX_LEN["title"]), "starts_on": DATE_SCHEMA,
    "ends_on": {**DATE_SCHEMA, "description": "不早于开始日期"},
    "bodies": text(inspection_service.MAX_BODIES, required=False, description="督查组成单位"),
    "unit_ids": {"type": "array", "items": ID_SCHEMA, "maxItems": inspection_service.MAX_UNITS,
                 "description": "被督查单位编号"}}})
ROW_ERROR = exact({"row": {"type": ["integer", "null"], "minimum": 1, "description": "Excel 行号；null 为整个文件"},
                   "column": {"type": "string"}, "message": {"type": "string"}})
IMPORT_PREVIEW = schema("ItemImportPreview", exact({
    "filename": {"type": "string"}, "ok": {"type": "boolean"}, "rows": _COUNT,
    "items": _COUNT, "rejected_rows": _COUNT,
    "token": {"type": "string", "description": "确认导入时回传"},
    "notices": {"type": "array", "items": exact({
        "unit_id": ID_SCHEMA, "unit_name": {"type": "string"}, "items": _COUNT,
        "rows": {"type": "array", "items": {"type": "integer", "minimum": 1}},
        "new_to_inspection": {"type": "boolean", "description": "尚不在督查的被督查单位中，确认导入时加入"}})},
    "errors": {"type": "array", "items": ROW_ERROR}}))
IMPORT_CONFIRM = schema("ItemImportConfirm", {"type": "object", "required": ["token"], "properties": {
    "token": {"type": "string", "pattern": "^[0-9a-f]{32}\\.(xlsx|csv)$", "description": "预览返回的 token"},
    "filename": text(255, required=False),
    "only_valid": {"type": "boolean", "description": "只导入检查通过的行"},
    "issue": {"type": "boolean", "description": "导入后直接审核并下发"}}})
_UNIT_ROW = exact({"unit_id": ID_SCHEMA, "unit_name": {"type": "string"}, "open": _COUNT, "overdue": _COUNT,
                   "waiting": _COUNT, "max_overdue_working_days": _COUNT})
OVERDUE = schema("OverdueBoard", exact({
    "as_of": {"type": "string", "format": "date"},
    "totals": exact({**{k: _COUNT for k in board_service.NAMES}, "closed_on_time": _COUNT, "closed_late": _COUNT,
                     "overdue_rate": {"type": "number", "minimum": 0, "maximum": 100, "description": "逾期率（%）"}}),
    "by_unit": {"type": "array", "items": _UNIT_ROW},
    "by_notice": {"type": "array", "items": exact({
        "notice_id": ID_SCHEMA, "doc_number": {"type": "string"}, "title": {"type": "string"},
        "unit_name": {"type": "string"}, "overdue": _COUNT})},
    "by_inspection": {"type": "array", "items": exact({
        "inspection_id": ID_SCHEMA, "name": {"type": "string"}, "open": _COUNT, "overdue": _COUNT})},
    "by_category": {"type": "array", "items": exact({
        "category": enum_of(ITEM_CATEGORIES), "label": {"type": "string"}, "open": _COUNT, "overdue": _COUNT})},
    "by_age": {"type": "array", "items": exact({
        "key": {"type": "string", "enum": [b[0] for b in item_service.AGE_BUCKETS]}, "label": {"type": "string"},
        "count": _COUNT})},
    "trend": {"type": "array", "items": exact({
        "week_end": {"type": "string", "format": "date"}, "open": _COUNT, "overdue": _COUNT})}}))
_BULK_IDS = {"type": "array", "items": ID_SCHEMA, "minItems": 1, "maxItems": item_service.MAX_BULK,
             "description": f"整改事项编号，至多 {item_service.MAX_BULK} 个；重复的只办理一次"}
_BULK_COMMENT = {"type": ["string", "null"], "maxLength": MAX_LEN["comment"],
                 "description": "说明（催办内容、延期理由），记入审计日志"}


def _bulk_variant(action: str, extra: dict | None = None) -> dict:
    properties = {"action": {"type": "string", "const": action,
                             "description": item_service.BULK_ACTIONS[action]},
                  "item_ids": _BULK_IDS, "comment": _BULK_COMMENT, **(extra or {})}
    return {"type": "object", "additionalProperties": False, "required": ["action", "item_ids", *(extra or {})],
            "properties": properties}


BULK_INPUT = schema("ItemBulkInput", {
    "oneOf": [_bulk_variant("verify"), _bulk_variant("remind"),
              _bulk_variant("extend", {"new_due_date": {**DATE_SCHEMA, "description": "延期后的时限，晚于每条事项的当前时限"}})],
    "discriminator": {"propertyName": "action"}})
BULK_RESULT = schema("ItemBulkResult", exact({
    "action": enum_of(item_service.BULK_ACTIONS), "count": {"type": "integer", "minimum": 1},
    "item_ids": {"type": "array", "items": ID_SCHEMA, "description": "办理了的整改事项（去重，按请求中的顺序）"},
    "reminded": {"type": "array", "items": ID_SCHEMA, "description": "催办：新发出消息的事项"},
    "repeated": {"type": "array", "items": ID_SCHEMA, "description": "催办：今天已催办过、未重复发送的事项"},
    "messages": {**_COUNT, "description": "催办：加入发送队列的消息条数"},
    "message": {"type": "string", "minLength": 1}}))
BULK_REFUSED = schema("ItemBulkRefused", exact({"error": exact({
    "code": {"type": "string", "const": "bulk_refused"}, "message": {"type": "string", "minLength": 1},
    "details": exact({
        "action": enum_of(item_service.BULK_ACTIONS),
        "refused": {"type": "array", "minItems": 1, "items": exact({
            "item_id": ID_SCHEMA,
            "status": {"type": "integer", "enum": list(item_service.BULK_STATUS_ORDER),
                       "description": "单独办理这条事项时接口会返回的状态码"},
            "code": {"type": "string", "enum": ["not_found", "forbidden", "validation_failed", "transition_refused"]},
            "reason": {"type": ["string", "null"], "description": "transition_refused 时流程给出的原因"},
            "message": {"type": "string", "minLength": 1}})}})})}))
BULK_FIELDS = ("action", "item_ids", "comment", "new_due_date")
UPLOAD = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}


def inspection_json(i) -> dict:
    return {"id": i.id, "name": i.name, "starts_on": i.starts_on.isoformat(), "ends_on": i.ends_on.isoformat(),
            "bodies": i.bodies, "unit_ids": [u.id for u in i.units], "notice_ids": [n.id for n in i.notices]}


@endpoint("/inspections", "GET", summary="督查列表", tag="rectification", response=page_of(INSPECTION),
          query=pagination_params())
@require_roles("office", "viewer")
def list_inspections():
    stmt = scoped_select(Inspection, current_api_user()).order_by(Inspection.id.desc())
    return jsonify(paginate(stmt, inspection_json))


@endpoint("/inspections", "POST", summary="新建督查（普法办）", tag="rectification", response=INSPECTION,
          body=INSPECTION_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_inspection():
    return jsonify(inspection_json(inspection_service.create_inspection(json_body(), actor=current_api_user()))), 201


@endpoint("/inspections/<id:inspection_id>", "GET", summary="督查详情", tag="rectification", response=INSPECTION)
@require_roles("office", "viewer")
def get_inspection(inspection_id: int):
    return jsonify(inspection_json(get_visible(Inspection, inspection_id, current_api_user())))


@endpoint("/inspections/<id:inspection_id>", "PUT", summary="修改督查（普法办）", tag="rectification",
          response=INSPECTION, body=INSPECTION_INPUT)
@require_roles("office")
def update_inspection(inspection_id: int):
    user = current_api_user()
    inspection = get_visible(Inspection, inspection_id, user)
    return jsonify(inspection_json(inspection_service.update_inspection(inspection, json_body(), actor=user)))


@endpoint("/inspections/<id:inspection_id>/import/preview", "POST",
          summary="预览从 .xlsx 导入整改事项（不写入；列出每个被拒绝的行）", tag="rectification",
          response=IMPORT_PREVIEW, errors=("400", "401", "403", "404"))
@require_roles("office")
def preview_import(inspection_id: int):
    inspection = get_visible(Inspection, inspection_id, current_api_user())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("请以 multipart/form-data 上传文件，字段名为 file")
    return jsonify(inspection_service.preview_import(inspection, upload.filename, upload.read()).as_dict())


@endpoint("/inspections/<id:inspection_id>/import/confirm", "POST",
          summary="确认导入（一个事务：全部导入，或只导入检查通过的行）", tag="rectification",
          response=IMPORT_PREVIEW, body=IMPORT_CONFIRM, status=201)
@require_roles("office")
def confirm_import(inspection_id: int):
    user = current_api_user()
    inspection = get_visible(Inspection, inspection_id, user)
    body = json_body()
    token = body.get("token")
    if not isinstance(token, str):
        raise BadRequest("token 必须是预览返回的字符串")
    data = inspection_service.kept_file(token)
    preview = inspection_service.confirm_import(inspection, str(body.get("filename") or token), data, actor=user,
                                                only_valid=body.get("only_valid") is True,
                                                issue=body.get("issue") is True)
    return jsonify(preview.as_dict()), 201


@endpoint("/items/<id:item_id>/evidence", "POST", summary="上传佐证材料（可多个文件，字段名 file）",
          tag="rectification", response=ITEM_DETAIL, status=201, errors=("400", "401", "403", "404", "422"))
@require_roles("unit", "office")
def upload_item_evidence(item_id: int):
    user = current_api_user()
    item = get_visible(RectificationItem, item_id, user)
    files = request.files.getlist("file")
    if not files:
        raise BadRequest("请以 multipart/form-data 上传文件，字段名为 file")
    item_service.add_evidence(item, files, actor=user)
    return jsonify(item_json(item, user, detail=True)), 201


@endpoint("/items/bulk", "POST", tag="rectification", response=BULK_RESULT, body=BULK_INPUT,
          summary="批量办理整改事项（普法办）：验收销号、催办、统一延期；一个事务，任何一条不能办理则全部不办理，"
                  "错误中逐条列出不能办理的事项及原因",
          errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def bulk_items():
    body = json_body()
    errors = {shown(key): f"不支持的字段：{shown(key)}（可用：{'、'.join(BULK_FIELDS)}）"
              for key in body if key not in BULK_FIELDS}
    action, ids, comment = body.get("action"), body.get("item_ids"), body.get("comment")
    if not isinstance(action, str):
        errors["action"] = f"action 必须是 {'、'.join(item_service.BULK_ACTIONS)} 之一"
    if not isinstance(ids, list):
        errors["item_ids"] = "item_ids 必须是整改事项编号（整数）的数组"
    elif len(ids) <= item_service.MAX_BULK and any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
        errors["item_ids"] = "item_ids 的每一项必须是整数编号（不是文本或小数）"
    if comment is not None and not isinstance(comment, str):
        errors["comment"] = "comment 必须是文本"
    if "new_due_date" in body and action != "extend":
        errors["new_due_date"] = "只有 extend（统一延期）使用 new_due_date"
    if errors:
        raise ValidationFailed(errors)
    result = item_service.bulk(ids, action, actor=current_api_user(), comment=comment,
                               new_due_date=body.get("new_due_date"))
    return jsonify(result.as_dict())


@endpoint("/overdue", "GET", summary="督办看板数据（逾期按工作日；每个数字对应 /items 的筛选）",
          tag="rectification", response=OVERDUE)
@require_roles("office", "viewer")
def overdue_board():
    return jsonify(board_service.figures(current_api_user()))


for _path in ("/api/v1/inspections/{inspection_id}/import/preview", "/api/v1/items/{item_id}/evidence"):
    PATHS[_path]["post"]["requestBody"] = {"required": True,
                                           "content": {"multipart/form-data": {"schema": UPLOAD}}}
for _code in ("403", "404", "409", "422"):  # a bulk refusal, or any other error of the envelope
    PATHS["/api/v1/items/bulk"]["post"]["responses"][_code]["content"]["application/json"]["schema"] = {
        "anyOf": [BULK_REFUSED, ref("Error")]}
__all__ = ["ref"]
