"""What every API endpoint shares: bearer auth, the error envelope, paging."""
from __future__ import annotations

import json
import math
import re
from functools import wraps

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from workflows import TransitionRefused

from ..errors import AppError, BadRequest, Forbidden, Unauthorized, ValidationFailed, refusal_status
from ..services.auth import user_for_token
from ..services.validation import check_strings, parse_int, shown
from .spec import MAX_PAGE, MAX_PER_PAGE, api_bp  # MAX_PAGE: beyond it an offset overflows BIGINT

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "validation_failed", 500: "internal_error"}
HTTP_MESSAGES = {404: "接口或对象不存在", 405: "该接口不支持此请求方法", 413: "请求内容过大",
                 500: "服务器内部错误，请联系管理员"}


def envelope(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


@api_bp.before_request
def authenticate_bearer():
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = user_for_token(header[len("Bearer "):].strip())


def current_api_user():
    if g.get("api_user") is None:
        raise Unauthorized("需要有效的访问令牌（Authorization: Bearer …）")
    return g.api_user


def require_roles(*roles: str):
    """Declarative permission: the endpoint names the roles it admits."""
    def decorator(func):
        func.required_roles = roles

        @wraps(func)
        def wrapper(*args, **kwargs):
            user = current_api_user()
            if roles and user.role not in roles:
                raise Forbidden("当前角色无权执行该操作")
            return func(*args, **kwargs)
        wrapper.required_roles = roles
        return wrapper
    return decorator


#: objects and arrays nested deeper than this are refused before parsing: no
#: request body the API takes nests beyond 4, and ~1,000 exhausts the parser's recursion
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep objects and arrays nest in ``raw`` (strings skipped), counted up to ``limit`` + 1."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def _refuse_constant(name: str):
    raise ValueError(f"JSON 中不能使用 {name}：数字必须是有限值")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"数字超出范围：{text[:40]}")
    return value


def parse_json(raw: bytes):
    """Strict JSON: depth bounded before parsing, no NaN/Infinity/1e400, every string storable."""
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise BadRequest(f"JSON 嵌套过深（不能超过{MAX_JSON_DEPTH}层）")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise BadRequest("请求体不是有效的 UTF-8 编码") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise BadRequest(f"JSON 嵌套过深（不能超过{MAX_JSON_DEPTH}层）") from None
    except ValueError as exc:
        message = str(exc) if not isinstance(exc, json.JSONDecodeError) else f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列"
        raise BadRequest(f"请求体不是有效的 JSON：{message}") from None
    if found := check_strings(data):
        where, problem = shown(found[0]), found[1]
        raise ValidationFailed({where: f"{where} {problem}"})
    return data


def json_body() -> dict:
    if not request.is_json:
        raise BadRequest("请求体必须是 JSON 对象（Content-Type: application/json）")
    data = parse_json(request.get_data(cache=True))
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象（Content-Type: application/json）")
    return data


def page_args() -> tuple[int, int]:
    """page in 1..MAX_PAGE and per_page in 1..MAX_PER_PAGE, ASCII digits only; else 400 saying so."""
    raw_page, raw_per_page = request.args.get("page", "1"), request.args.get("per_page", "50")
    page = parse_int(raw_page, minimum=1, maximum=MAX_PAGE)
    per_page = parse_int(raw_per_page, minimum=1, maximum=MAX_PER_PAGE)
    if page is None:
        raise BadRequest(f"page 应为 1 到 {MAX_PAGE} 之间的整数：{raw_page[:40]}")
    if per_page is None:
        raise BadRequest(f"per_page 应为 1 到 {MAX_PER_PAGE} 之间的整数：{raw_per_page[:40]}")
    return page, per_page


def paginate(stmt, serialize, *, deferred: bool = False, load=()) -> dict:
    """deferred: the page's ids first, then its rows with the ``load`` options (services/paging; long
    single-model lists)."""
    from ..extensions import db

    page, per_page = page_args()
    if deferred:
        from ..services.paging import paginate_deferred

        result = paginate_deferred(db.session, stmt, page=page, per_page=per_page, load=load)
    else:
        result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return {"items": [serialize(obj) for obj in result.items], "total": result.total,
            "page": page, "per_page": per_page}


@api_bp.errorhandler(AppError)
def handle_app_error(exc: AppError):
    return envelope(exc.status, exc.code, exc.message, exc.details)


@api_bp.errorhandler(TransitionRefused)
def handle_refused(exc: TransitionRefused):
    return envelope(refusal_status(exc.reason), "transition_refused", exc.message, {
        "state": exc.state, "trigger": exc.trigger, "reason": exc.reason,
        "allowed_triggers": list(exc.allowed),
        "failed_guards": [g.label for g in exc.failed_guards]})


def handle_http_error(exc: HTTPException):
    status = exc.code or 500
    return envelope(status, HTTP_CODES.get(status, "http_error"),
                    HTTP_MESSAGES.get(status, exc.description or "请求错误"))


def handle_unexpected(exc: Exception):
    current_app.logger.exception("unhandled API error")
    return envelope(500, "internal_error", HTTP_MESSAGES[500])
