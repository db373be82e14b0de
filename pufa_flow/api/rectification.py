"""/api/v1 for the rest of rectification: inspections, their import, evidence, the overdue board."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import BadRequest
from ..models import ITEM_CATEGORIES, Inspection, RectificationItem
from ..models.scoping import get_visible, scoped_select
from ..services import board as board_service
from ..services import inspections as inspection_service
from ..services import items as item_service
from .base import current_api_user, json_body, paginate, require_roles
from ..services.validation import MAX_LEN
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


@endpoint("/overdue", "GET", summary="督办看板数据（逾期按工作日；每个数字对应 /items 的筛选）",
          tag="rectification", response=OVERDUE)
@require_roles("office", "viewer")
def overdue_board():
    return jsonify(board_service.figures(current_api_user()))


for _path in ("/api/v1/inspections/{inspection_id}/import/preview", "/api/v1/items/{item_id}/evidence"):
    PATHS[_path]["post"]["requestBody"] = {"required": True,
                                           "content": {"multipart/form-data": {"schema": UPLOAD}}}
__all__ = ["ref"]
