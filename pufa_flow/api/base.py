"""What every API endpoint shares: bearer auth, the error envelope, paging."""
from __future__ import annotations

from functools import wraps

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from workflows import TransitionRefused

from ..errors import AppError, BadRequest, Forbidden, Unauthorized
from ..services.auth import user_for_token
from .spec import api_bp

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


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("请求体必须是 JSON 对象（Content-Type: application/json）")
    return data


def page_args() -> tuple[int, int]:
    try:
        page = max(int(request.args.get("page", 1)), 1)
        per_page = min(max(int(request.args.get("per_page", 50)), 1), 200)
    except ValueError:
        raise BadRequest("page 与 per_page 必须是整数") from None
    return page, per_page


def paginate(stmt, serialize) -> dict:
    from ..extensions import db

    page, per_page = page_args()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return {"items": [serialize(obj) for obj in result.items], "total": result.total,
            "page": page, "per_page": per_page}


@api_bp.errorhandler(AppError)
def handle_app_error(exc: AppError):
    return envelope(exc.status, exc.code, exc.message, exc.details)


#: a refusal is a conflict with the object's state, unless the actor or the input is at fault
REFUSAL_STATUS = {"forbidden_role": 403, "force_not_allowed": 403, "comment_required": 422}


@api_bp.errorhandler(TransitionRefused)
def handle_refused(exc: TransitionRefused):
    return envelope(REFUSAL_STATUS.get(exc.reason, 409), "transition_refused", exc.message, {
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
