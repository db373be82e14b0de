"""/api/v1/auth/token and /api/v1/openapi.json"""
from __future__ import annotations

from flask import jsonify

from ..errors import ValidationFailed
from ..services import auth as auth_service
from .base import json_body
from ..services.validation import MAX_LEN
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


@endpoint("/openapi.json", "GET", summary="本接口的 OpenAPI 文档", tag="meta", public=True, errors=())
def openapi():
    return jsonify(document())
