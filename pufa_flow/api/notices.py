"""/api/v1/notices and /api/v1/items"""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy.orm import selectinload

from ..errors import BadRequest
from ..models import RectificationItem, Notice
from ..models.scoping import get_visible, scoped_select
from ..services import notices as notice_service
from ..services.items import filtered_items
from .base import current_api_user, json_body, paginate, require_roles
from ..documents.responses import DOCX_DOWNLOAD, DOCX_MIME, notice_document_response
from .serializers import ITEM, NOTICE, NOTICE_INPUT, item_json, notice_json
from .spec import ID_SCHEMA, endpoint, enum_of, page_of, pagination_params


@endpoint("/notices", "POST", summary="下发整改通知书（普法办）", tag="rectification", response=NOTICE,
          body=NOTICE_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_notice():
    user = current_api_user()
    return jsonify(notice_json(notice_service.create_notice(json_body(), actor=user), user)), 201


@endpoint("/notices", "GET", summary="整改通知书列表（责任单位只见本单位）", tag="rectification",
          response=page_of(NOTICE), query=pagination_params())
@require_roles()
def list_notices():
    user = current_api_user()
    stmt = scoped_select(Notice, user).options(selectinload(Notice.items)).order_by(Notice.id.desc())
    return jsonify(paginate(stmt, lambda n: notice_json(n, user)))


@endpoint("/notices/<id:notice_id>", "GET", summary="整改通知书详情", tag="rectification", response=NOTICE)
@require_roles()
def get_notice(notice_id: int):
    user = current_api_user()
    return jsonify(notice_json(get_visible(Notice, notice_id, user), user))


@endpoint("/notices/<id:notice_id>/document", "GET", summary="下载整改通知书（Word 公文格式，.docx）",
          tag="rectification", response=DOCX_DOWNLOAD, errors=("401", "403", "404"),
          media_type=DOCX_MIME)
@require_roles()
def download_notice_document(notice_id: int):
    user = current_api_user()
    return notice_document_response(get_visible(Notice, notice_id, user))


ITEM_FILTERS = [
    {"name": "unit_id", "in": "query", "schema": ID_SCHEMA, "description": "单位编号"},
    {"name": "status", "in": "query", "schema": enum_of(RectificationItem.workflow.definition.states)},
    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}, "description": "只看已逾期（true / false）"},
    {"name": "open", "in": "query", "schema": {"type": "boolean"}, "description": "只看未销号（true / false）"},
]


@endpoint("/items", "GET", summary="整改事项列表（可按单位、状态、逾期筛选）", tag="rectification",
          response=page_of(ITEM), query=ITEM_FILTERS + pagination_params())
@require_roles()
def list_items():
    user = current_api_user()
    try:
        stmt = filtered_items(user, request.args)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return jsonify(paginate(stmt, lambda i: item_json(i, user)))


@endpoint("/items/<id:item_id>", "GET", summary="整改事项详情", tag="rectification", response=ITEM)
@require_roles()
def get_item(item_id: int):
    user = current_api_user()
    return jsonify(item_json(get_visible(RectificationItem, item_id, user), user))
