"""/api/v1/units"""
from __future__ import annotations

from flask import jsonify
from sqlalchemy.orm import selectinload

from ..models import Unit
from ..models.scoping import get_visible, scoped_select
from ..services import units as unit_service
from .base import current_api_user, json_body, paginate, require_roles
from .serializers import UNIT, UNIT_INPUT, UNIT_PATCH, unit_json
from .spec import endpoint, page_of, pagination_params


@endpoint("/units", "GET", summary="单位列表（责任单位用户只见本单位）", tag="units",
          response=page_of(UNIT), query=pagination_params())
@require_roles()
def list_units():
    user = current_api_user()
    stmt = scoped_select(Unit, user).options(selectinload(Unit.contacts)).order_by(Unit.id)
    return jsonify(paginate(stmt, unit_json))


@endpoint("/units", "POST", summary="新建单位（普法办）", tag="units", response=UNIT,
          body=UNIT_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_unit():
    unit = unit_service.create_unit(json_body(), actor=current_api_user())
    return jsonify(unit_json(unit)), 201


@endpoint("/units/<id:unit_id>", "GET", summary="单位详情", tag="units", response=UNIT)
@require_roles()
def get_unit(unit_id: int):
    return jsonify(unit_json(get_visible(Unit, unit_id, current_api_user())))


@endpoint("/units/<id:unit_id>", "PATCH", summary="修改单位（普法办）", tag="units", response=UNIT,
          body=UNIT_PATCH, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def update_unit(unit_id: int):
    user = current_api_user()
    unit = get_visible(Unit, unit_id, user)
    return jsonify(unit_json(unit_service.update_unit(unit, json_body(), actor=user)))
