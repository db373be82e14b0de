"""/api/v1/notices and /api/v1/items"""
from __future__ import annotations

from flask import jsonify, request
from sqlalchemy.orm import selectinload

from ..errors import BadRequest, NotFound, ValidationFailed
from ..models import ITEM_CATEGORIES, NOTICE_SOURCES, RectificationItem, Notice
from ..models.scoping import get_visible, scoped_select
from ..services import notices as notice_service
from ..services.items import AGE_BUCKETS, CLOSED, ITEM_LOADS, SORTS, filtered_items
from ..services.validation import MAX_LEN
from .base import current_api_user, json_body, paginate, require_roles
from ..documents.responses import DOCX_DOWNLOAD, DOCX_MIME, notice_document_response
from .serializers import ITEM, ITEM_DETAIL, NOTICE, NOTICE_INPUT, item_json, notice_json
from .spec import DATE_SCHEMA, ID_SCHEMA, endpoint, enum_of, page_of, pagination_params


@endpoint("/notices", "POST", summary="下发整改通知书（普法办）", tag="rectification", response=NOTICE,
          body=NOTICE_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_notice():
    """Issued at once, or with ``"draft": true`` kept as a draft (then review → issue via /transitions)."""
    user = current_api_user()
    body = json_body()
    draft = body.pop("draft", False)
    if not isinstance(draft, bool):
        raise ValidationFailed({"draft": "draft 必须是 true 或 false"})
    create = notice_service.create_draft if draft else notice_service.create_notice
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
    {"name": "unit_id", "in": "query", "schema": ID_SCHEMA, "description": "单位编号"},
    {"name": "notice_id", "in": "query", "schema": ID_SCHEMA, "description": "整改通知书编号"},
    {"name": "inspection_id", "in": "query", "schema": ID_SCHEMA, "description": "督查编号"},
    {"name": "source", "in": "query", "schema": enum_of(NOTICE_SOURCES)},
    {"name": "status", "in": "query", "schema": enum_of(RectificationItem.workflow.definition.states)},
    {"name": "category", "in": "query", "schema": enum_of(ITEM_CATEGORIES)},
    {"name": "overdue", "in": "query", "schema": {"type": "boolean"},
     "description": "只看已逾期（不含待验收，待验收用 waiting）（true / false）"},
    {"name": "waiting", "in": "query", "schema": {"type": "boolean"}, "description": "只看待验收（true / false）"},
    {"name": "open", "in": "query", "schema": {"type": "boolean"}, "description": "只看未销号（true / false）"},
    {"name": "age", "in": "query", "schema": {"type": "string", "enum": [b[0] for b in AGE_BUCKETS]},
     "description": "逾期工作日区间"},
    {"name": "closed", "in": "query", "schema": enum_of(CLOSED), "description": "按期销号 / 逾期销号"},
    {"name": "due_from", "in": "query", "schema": DATE_SCHEMA},
    {"name": "due_to", "in": "query", "schema": DATE_SCHEMA},
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": MAX_LEN["search"]},
     "description": "问题、整改要求、责任人中的文字"},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": list(SORTS)}},
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
    return jsonify(paginate(stmt, lambda i: item_json(i, user), deferred=True, load=ITEM_LOADS))


@endpoint("/items/<id:item_id>", "GET", summary="整改事项详情（含延期记录、佐证材料）", tag="rectification",
          response=ITEM_DETAIL)
@require_roles()
def get_item(item_id: int):
    user = current_api_user()
    return jsonify(item_json(get_visible(RectificationItem, item_id, user), user, detail=True))
