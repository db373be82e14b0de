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

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {}

ERROR_RESPONSES = {
    "400": "请求格式错误", "401": "未认证或令牌无效", "403": "无权执行该操作",
    "404": "对象不存在或不可见", "409": "状态冲突或并发修改", "422": "字段校验失败",
}
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def schema(name: str, body: dict) -> dict:
    SCHEMAS[name] = body
    return ref(name)


def page_of(item_ref: dict) -> dict:
    return {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
        "items": {"type": "array", "items": item_ref}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}}


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
        for code in errors:
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
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    ]


schema("Error", {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}}})


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
