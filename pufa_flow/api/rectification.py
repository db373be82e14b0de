"""/api/v1 for the rest of rectification: inspections, their import, evidence, the overdue board."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import BadRequest
from ..models import Inspection, RectificationItem
from ..models.scoping import get_visible, scoped_select
from ..services import board as board_service
from ..services import inspections as inspection_service
from ..services import items as item_service
from .base import current_api_user, json_body, paginate, require_roles
from .serializers import ITEM, item_json
from .spec import PATHS, endpoint, page_of, pagination_params, ref, schema

INSPECTION = schema("Inspection", {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "bodies": {"type": "string", "description": "督查组成单位"},
    "unit_ids": {"type": "array", "items": {"type": "integer"}},
    "notice_ids": {"type": "array", "items": {"type": "integer"}}}})
INSPECTION_INPUT = schema("InspectionInput", {"type": "object", "required": ["name", "starts_on", "ends_on"],
                                              "properties": {
    "name": {"type": "string", "maxLength": 200}, "starts_on": {"type": "string", "format": "date"},
    "ends_on": {"type": "string", "format": "date"}, "bodies": {"type": "string", "maxLength": 500},
    "unit_ids": {"type": "array", "items": {"type": "integer"}}}})
IMPORT_PREVIEW = schema("ItemImportPreview", {"type": "object", "properties": {
    "filename": {"type": "string"}, "ok": {"type": "boolean"}, "rows": {"type": "integer"},
    "items": {"type": "integer"}, "rejected_rows": {"type": "integer"},
    "token": {"type": "string", "description": "确认导入时回传"},
    "notices": {"type": "array", "items": {"type": "object"}},
    "errors": {"type": "array", "items": {"type": "object", "properties": {
        "row": {"type": ["integer", "null"]}, "column": {"type": "string"}, "message": {"type": "string"}}}}}})
IMPORT_CONFIRM = schema("ItemImportConfirm", {"type": "object", "required": ["token"], "properties": {
    "token": {"type": "string"}, "filename": {"type": "string"},
    "only_valid": {"type": "boolean", "description": "只导入检查通过的行"},
    "issue": {"type": "boolean", "description": "导入后直接审核并下发"}}})
OVERDUE = schema("OverdueBoard", {"type": "object", "properties": {
    "as_of": {"type": "string", "format": "date"}, "totals": {"type": "object"},
    "by_unit": {"type": "array", "items": {"type": "object"}}, "by_notice": {"type": "array", "items": {"type": "object"}},
    "by_inspection": {"type": "array", "items": {"type": "object"}},
    "by_category": {"type": "array", "items": {"type": "object"}}, "by_age": {"type": "array", "items": {"type": "object"}},
    "trend": {"type": "array", "items": {"type": "object"}}}})
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
          tag="rectification", response=ITEM, status=201, errors=("400", "401", "403", "404", "422"))
@require_roles("unit", "office")
def upload_evidence(item_id: int):
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
