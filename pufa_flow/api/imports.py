"""/api/v1/units/import: the same import as the page, for scripts."""
from __future__ import annotations

from flask import jsonify, request

from ..errors import BadRequest
from ..services import imports as import_service
from .base import current_api_user, envelope, require_roles
from .spec import PATHS, endpoint, exact, schema

IMPORT_RESULT = schema("UnitImportResult", exact({
    "created": {"type": "integer", "minimum": 1, "description": "新建单位数"}}))
IMPORT_UPLOAD = schema("UnitImportUpload", {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "单位名册 .xlsx 或 .csv（UTF-8 / GBK），第 1 行为中文表头"}}})


@endpoint("/units/import", "POST", summary="从 .xlsx / .csv 批量导入单位及联系人（普法办；有一行出错则全部不导入）",
          tag="units", response=IMPORT_RESULT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def import_units():
    user = current_api_user()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("请以 multipart/form-data 上传文件，字段名为 file")
    report = import_service.import_units(upload.filename, upload.read(), actor=user)
    if not report.ok:
        return envelope(422, "validation_failed", report.summary(),
                        {"rows": [e.as_dict() for e in report.errors]})
    return jsonify({"created": report.created}), 201


# endpoint() describes JSON bodies; this one is a file upload.
_operation = PATHS["/api/v1/units/import"]["post"]
_operation["requestBody"] = {"required": True,
                             "content": {"multipart/form-data": {"schema": IMPORT_UPLOAD}}}
_operation["responses"]["422"]["description"] = (
    "文件被拒绝：error.details.rows 列出每个问题 {row, column, message};row 为 Excel 行号（表头为第 1 行），整个文件的问题 row 为 null")
