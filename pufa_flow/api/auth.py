"""/api/v1/auth/token and /api/v1/openapi.json"""
from __future__ import annotations

from flask import jsonify

from ..errors import ValidationFailed
from ..services import auth as auth_service
from .base import json_body
from .spec import document, endpoint, schema

TOKEN = schema("Token", {"type": "object", "required": ["token", "token_type"], "properties": {
    "token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]}}})
CREDENTIALS = schema("Credentials", {"type": "object", "required": ["username", "password"], "properties": {
    "username": {"type": "string"}, "password": {"type": "string"}}})


@endpoint("/auth/token", "POST", summary="用用户名和密码换取访问令牌", tag="auth", response=TOKEN,
          body=CREDENTIALS, status=201, public=True, errors=("400", "401", "422"))
def issue_token():
    data = json_body()
    missing = {f: "不能为空" for f in ("username", "password") if not isinstance(data.get(f), str) or not data.get(f)}
    if missing:
        raise ValidationFailed(missing, "用户名和密码不能为空")
    user = auth_service.authenticate(data["username"], data["password"])
    token = auth_service.issue_token(user, name="api")
    return jsonify({"token": token, "token_type": "Bearer"}), 201


@endpoint("/openapi.json", "GET", summary="本接口的 OpenAPI 文档", tag="meta", public=True, errors=())
def openapi():
    return jsonify(document())
