"""/api/v1/notices and /api/v1/items"""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy.orm import selectinload

from ..errors import BadRequest, NotFound
from ..models import RectificationItem, Notice
from ..models.scoping import get_visible, scoped_select
from ..services import notices as notice_service
from ..services.items import filtered_items
from .base import current_api_user, json_body, paginate, require_roles
from ..documents.responses import DOCX_DOWNLOAD, DOCX_MIME, notice_document_response
from .serializers import ITEM, NOTICE, NOTICE_INPUT, item_json, notice_json
from .spec import endpoint, page_of, pagination_params


@endpoint("/notices", "POST", summary="下发整改通知书（普法办）", tag="rectification", response=NOTICE,
          body=NOTICE_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_notice():
    """Issued at once, or with ``"draft": true`` kept as a draft (then review → issue via /transitions)."""
    user = current_api_user()
    body = json_body()
    create = notice_service.create_draft if body.pop("draft", False) is True else notice_service.create_notice
    return jsonify(notice_json(create(body, actor=user), user)), 201


@endpoint("/notices", "GET", summary="整改通知书列表（责任单位只见本单位）", tag="rectification",
          response=page_of(NOTICE), query=pagination_params())
@require_roles()
def list_notices():
    user = current_api_user()
    stmt = scoped_select(Notice, user).options(selectinload(Notice.items)).order_by(Notice.id.desc())
    if user.role == "unit":  # drafts are the office's
        stmt = stmt.where(Notice.status == "issued")
    return jsonify(paginate(stmt, lambda n: notice_json(n, user)))


def _visible_notice(notice_id: int, user) -> Notice:
    notice = get_visible(Notice, notice_id, user)
    if user.role == "unit" and notice.status != "issued":
        raise NotFound("未找到该记录")
    return notice


@endpoint("/notices/<id:notice_id>", "GET", summary="整改通知书详情", tag="rectification", response=NOTICE)
@require_roles()
def get_notice(notice_id: int):
    user = current_api_user()
    return jsonify(notice_json(_visible_notice(notice_id, user), user))


@endpoint("/notices/<id:notice_id>/document", "GET", summary="下载整改通知书（Word 公文格式，.docx）",
          tag="rectification", response=DOCX_DOWNLOAD, errors=("401", "403", "404"),
          media_type=DOCX_MIME)
@require_roles()
def download_notice_document(notice_id: int):
    user = current_api_user()
    return notice_document_response(_visible_notice(notice_id, user))


ITEM_FILTERS = [
    {"name": "unit_id", "in": "query", "schema": {"type": "integer"}},
    {"name": "notice_id", "in": "query", "schema": {"type": "integer"}},
    {"name": "inspection_id", "in": "query", "schema": {"type": "integer"}},
    {"name": "source", "in": "query", "schema": {"type": "string", "enum": ["inspection", "evaluation", "other"]}},
    {"name": "status", "in": "query", "schema": {"type": "string"}},
    {"name": "category", "in": "query", "schema": {"type": "string"}},
    {"name": "overdue", "in": "query", "schema": {"type": "boolean"},
     "description": "只看已逾期（不含待验收，待验收用 waiting）"},
    {"name": "waiting", "in": "query", "schema": {"type": "boolean"}, "description": "只看待验收"},
    {"name": "open", "in": "query", "schema": {"type": "boolean"}, "description": "只看未销号"},
    {"name": "age", "in": "query", "schema": {"type": "string", "enum": ["1-5", "6-20", "21+"]},
     "description": "逾期工作日区间"},
    {"name": "closed", "in": "query", "schema": {"type": "string", "enum": ["on_time", "late"]},
     "description": "按期销号 / 逾期销号"},
    {"name": "due_from", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "due_to", "in": "query", "schema": {"type": "string", "format": "date"}},
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "问题、整改要求、责任人中的文字"},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["due", "-due", "unit", "status", "id", "-id"]}},
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
    return jsonify(item_json(get_visible(RectificationItem, item_id, user), user, detail=True))
