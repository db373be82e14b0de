"""Endpoints declare themselves once: route and OpenAPI description together.

``endpoint`` registers a Flask route on the API blueprint and records its
summary, parameters, body and responses, so /api/v1/openapi.json is built
from the same declarations as the URL map and cannot drift from it.
"""
from __future__ import annotations

import re

from flask import Blueprint

from ..converters import MAX_ID

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
#: what ``services.validation.parse_date`` takes: exactly YYYY-MM-DD (not 20231105, not 2023-W45-1)
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
DATETIME_SCHEMA = {"type": "string", "format": "date-time"}
#: the bounds ``api.base.page_args`` enforces
MAX_PAGE, MAX_PER_PAGE = 100_000, 200

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {}

ERROR_RESPONSES = {
    "400": "请求格式错误", "401": "未认证或令牌无效", "403": "无权执行该操作",
    "404": "对象不存在或不可见", "405": "路径参数为空时落到另一接口，该接口不支持此方法",
    "409": "状态冲突或并发修改", "422": "字段校验失败",
}
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, body: dict) -> dict:
    SCHEMAS[name] = body
    return ref(name)


def exact(properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    """A response object: every property present (unless optional), no other."""
    return {"type": "object", "required": [k for k in properties if k not in optional],
            "properties": properties, "additionalProperties": False}


def enum_of(choices, *, nullable: bool = False) -> dict:
    """A string that is one of the ids of ``choices`` (the labels are in the description)."""
    values = list(choices)
    labels = "、".join(f"{k}（{v}）" for k, v in choices.items()) if isinstance(choices, dict) else ""
    out = {"type": ["string", "null"] if nullable else "string", "enum": values + ([None] if nullable else [])}
    return {**out, "description": labels} if labels else out


def text(max_len: int, *, required: bool = True, description: str = "") -> dict:
    """A free-text input: trimmed by the server, refused when longer than ``max_len``."""
    out = {"type": "string", "maxLength": max_len}
    if required:
        out.update(minLength=1, pattern=r"\S")
    return {**out, "description": description} if description else out


def page_of(item_ref: dict) -> dict:
    return exact({"items": {"type": "array", "items": item_ref}, "total": {"type": "integer", "minimum": 0},
                  "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                  "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}})


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for conv, name in _CONVERTER.findall(rule):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": ID_SCHEMA if conv == "id" else {"type": "string"}})
    return _CONVERTER.sub(r"{\2}", rule), params


def endpoint(rule: str, method: str, *, summary: str, tag: str, response: dict | None = None,
             body: dict | None = None, query: list[dict] | None = None, status: int = 200,
             public: bool = False, errors: tuple[str, ...] = ("400", "401", "403", "404", "422"),
             media_type: str = "application/json"):
    """``media_type``: what a successful response is (a download names its file type, e.g. .docx)."""
    def decorator(func):
        path, params = _openapi_path("/api/v1" + rule)
        op = {"operationId": func.__name__, "summary": summary, "tags": [tag],
              "parameters": params + (query or []),
              "responses": {str(status): {"description": "成功", **(
                  {"content": {media_type: {"schema": response}}} if response else {})}}}
        # an empty path parameter (/units/ for /units/{unit_id}) reaches another route: 405 there
        for code in errors + (("405",) if params and method.upper() != "GET" else ()):
            op["responses"][code] = {"description": ERROR_RESPONSES[code],
                                     "content": {"application/json": {"schema": ref("Error")}}}
        if body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        if public:
            op["security"] = []
        PATHS.setdefault(path, {})[method.lower()] = op
        api_bp.add_url_rule(rule, func.__name__, func, methods=[method])
        return func
    return decorator


def pagination_params() -> list[dict]:
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
         "description": "页码，默认 1"},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
         "description": "每页条数，默认 50"},
    ]


schema("Error", exact({"error": exact({
    "code": {"type": "string", "minLength": 1}, "message": {"type": "string", "minLength": 1},
    "details": {"type": "object", "description": "例如 fields：字段 → 中文说明"}}, optional=("details",))}))


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "pufa-flow API", "version": "1", "description": "普法责任制考评与整改督办系统接口"},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
    }
