"""/api/v1/users"""
from __future__ import annotations

from flask import jsonify

from ..models import User
from ..models.scoping import get_visible, scoped_select
from ..services import users as user_service
from .base import current_api_user, json_body, paginate, require_roles
from .serializers import USER, USER_INPUT, USER_PATCH, user_json
from .spec import endpoint, page_of, pagination_params, schema

PASSWORD_RESET = schema("PasswordReset", {"type": "object", "required": ["password"], "properties": {
    "password": {"type": "string", "minLength": 8}}})


@endpoint("/users", "GET", summary="用户列表（责任单位用户只见本单位）", tag="users",
          response=page_of(USER), query=pagination_params())
@require_roles()
def list_users():
    stmt = scoped_select(User, current_api_user()).order_by(User.id)
    return jsonify(paginate(stmt, user_json))


@endpoint("/users", "POST", summary="新建用户（普法办）", tag="users", response=USER, body=USER_INPUT,
          status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_user():
    user = user_service.create_user(json_body(), actor=current_api_user())
    return jsonify(user_json(user)), 201


@endpoint("/users/<id:user_id>", "GET", summary="用户详情", tag="users", response=USER)
@require_roles()
def get_user(user_id: int):
    return jsonify(user_json(get_visible(User, user_id, current_api_user())))


@endpoint("/users/<id:user_id>", "PATCH", summary="修改用户（普法办）", tag="users", response=USER,
          body=USER_PATCH, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def update_user(user_id: int):
    actor = current_api_user()
    user = get_visible(User, user_id, actor)
    return jsonify(user_json(user_service.update_user(user, json_body(), actor=actor)))


@endpoint("/users/<id:user_id>/unlock", "POST", summary="解除登录锁定（普法办）", tag="users", response=USER,
          errors=("401", "403", "404"))
@require_roles("office")
def unlock_user(user_id: int):
    actor = current_api_user()
    return jsonify(user_json(user_service.unlock(get_visible(User, user_id, actor), actor=actor)))


@endpoint("/users/<id:user_id>/password", "POST", summary="重置用户密码（普法办）；该用户的会话与令牌全部失效",
          tag="users", response=USER, body=PASSWORD_RESET, errors=("400", "401", "403", "404", "422"))
@require_roles("office")
def reset_password(user_id: int):
    actor = current_api_user()
    user = get_visible(User, user_id, actor)
    return jsonify(user_json(user_service.reset_password(user, json_body().get("password"), actor=actor)))
