"""/api/v1/auth/token and /api/v1/openapi.json"""
from __future__ import annotations

from flask import jsonify

from ..errors import ValidationFailed
from ..services import auth as auth_service
from ..services import users as user_service
from ..services.validation import MAX_LEN
from .base import current_api_user, json_body, require_roles
from .spec import document, endpoint, exact, schema

TOKEN = schema("Token", exact({"token": {"type": "string", "minLength": 1},
                               "token_type": {"type": "string", "enum": ["Bearer"]}}))
CREDENTIALS = schema("Credentials", {"type": "object", "required": ["username", "password"], "properties": {
    "username": {"type": "string", "minLength": 1, "maxLength": MAX_LEN["username"]},
    "password": {"type": "string", "minLength": 1, "maxLength": MAX_LEN["password"]}}})


@endpoint("/auth/token", "POST", summary="用用户名和密码换取访问令牌", tag="auth", response=TOKEN,
          body=CREDENTIALS, status=201, public=True, errors=("400", "401", "422"))
def issue_token():
    data = json_body()
    missing = {f: "不能为空" for f in ("username", "password") if not isinstance(data.get(f), str) or not data.get(f)}
    if missing:
        raise ValidationFailed(missing, "用户名和密码不能为空")
    too_long = {f: f"不能超过{MAX_LEN[f]}个字符" for f in ("username", "password") if len(data[f]) > MAX_LEN[f]}
    if too_long:
        raise ValidationFailed(too_long)
    user = auth_service.authenticate(data["username"], data["password"])
    token = auth_service.issue_token(user, name="api")
    return jsonify({"token": token, "token_type": "Bearer"}), 201


TOKEN_INFO = schema("TokenInfo", exact({
    "id": {"type": "integer"}, "name": {"type": "string"},
    "created_at": {"type": "string", "format": "date-time"},
    "expires_at": {"type": ["string", "null"], "format": "date-time"},
    "revoked": {"type": "boolean"}, "revoked_at": {"type": ["string", "null"], "format": "date-time"},
    "active": {"type": "boolean"},
    "last_used_at": {"type": ["string", "null"], "format": "date-time",
                     "description": "最近一次使用（UTC，至多每分钟记一次）"}}))


def _utc(value):
    return value.isoformat() + "Z" if value else None


def token_json(row, now) -> dict:
    return {"id": row.id, "name": row.name, "created_at": _utc(row.created_at), "expires_at": _utc(row.expires_at),
            "revoked": row.revoked, "revoked_at": _utc(row.revoked_at), "last_used_at": _utc(row.last_used_at),
            "active": not row.revoked and not (row.expires_at and row.expires_at < now)}


@endpoint("/auth/tokens", "GET", summary="本人的访问令牌（含已撤销、已过期的）", tag="auth",
          response=exact({"items": {"type": "array", "items": TOKEN_INFO}}), errors=("400", "401"))
@require_roles()
def list_tokens():
    now = auth_service.utcnow_naive()
    return jsonify({"items": [token_json(t, now) for t in auth_service.tokens_of(current_api_user())]})


@endpoint("/auth/tokens/<id:token_id>", "DELETE", summary="撤销本人的一个访问令牌（立即失效）", tag="auth",
          response=TOKEN_INFO, errors=("400", "401", "404"))
@require_roles()
def revoke_token(token_id: int):
    user = current_api_user()
    row = auth_service.revoke_token(token_id, actor=user, owner=user)
    return jsonify(token_json(row, auth_service.utcnow_naive()))


PASSWORD_CHANGE = schema("PasswordChange", {"type": "object", "required": ["current_password", "new_password"],
                                             "properties": {
    "current_password": {"type": "string", "minLength": 1, "maxLength": MAX_LEN["password"]},
    "new_password": {"type": "string", "minLength": 8, "maxLength": MAX_LEN["password"]}}})


@endpoint("/auth/password", "POST", summary="修改本人密码；全部会话与令牌（含本令牌）随即失效", tag="auth",
          body=PASSWORD_CHANGE, response=exact({"tokens_revoked": {"type": "boolean"}}), errors=("400", "401", "422"))
@require_roles()
def change_password():
    data = json_body()
    user_service.change_own_password(current_api_user(), data.get("current_password"), data.get("new_password"))
    return jsonify({"tokens_revoked": True})


@endpoint("/openapi.json", "GET", summary="本接口的 OpenAPI 文档", tag="meta", public=True, errors=())
def openapi():
    return jsonify(document())
