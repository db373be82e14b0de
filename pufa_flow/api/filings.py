"""/api/v1/filing-types, /api/v1/filings, /api/v1/filing-board and a unit's filing deductions.

The same services as the pages (services/filings.py); a filing's 接收 and
退回修改 go through POST /api/v1/filings/<id>/transitions (api/transitions.py).
Files come as base64 in the JSON body and pass the attachments store's checks.
"""
from __future__ import annotations

import base64
import binascii

from flask import jsonify, request, send_file

from ..errors import BadRequest, ValidationFailed
from ..models import Filing, Unit
from ..models.scoping import get_visible, scoped_select
from ..services import filings as service
from ..services.calendar import today
from ..services.filing_export import board_workbook
from ..services.filing_record import suggested_deductions
from .base import current_api_user, json_body, paginate, require_roles
from .serializers import iso, state_fields, state_props
from .spec import endpoint, exact, page_of, pagination_params, schema

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FILING_TYPE = schema("FilingType", exact({
    "id": {"type": "integer"}, "year": {"type": "integer"}, "code": {"type": ["string", "null"]},
    "name": {"type": "string"}, "kind": {"type": "string", "enum": ["single", "stream"]},
    "kind_label": {"type": "string"}, "due_date": {"type": "string", "format": "date"},
    "deadline": {"type": "string", "format": "date", "description": "遇节假日顺延后的最后报送日"},
    "target": {"type": ["integer", "null"]}, "requires_url": {"type": "boolean"},
    "names_people": {"type": "boolean"}, "description": {"type": "string"},
    "unit_kinds": {"type": "array", "items": {"type": "string"}},
    "unit_ids": {"type": "array", "items": {"type": "integer"}, "description": "逐个指定的单位（责任单位只见本单位）"}}))

FILING_TYPE_INPUT = schema("FilingTypeInput", {"type": "object", "required": ["name", "due_date"], "properties": {
    "year": {"type": "integer", "description": "新增时必填"}, "name": {"type": "string", "maxLength": 100},
    "kind": {"type": "string", "enum": ["single", "stream"]}, "due_date": {"type": "string", "format": "date"},
    "target": {"type": ["integer", "null"], "minimum": 1}, "requires_url": {"type": "boolean"},
    "names_people": {"type": "boolean"}, "description": {"type": "string"},
    "unit_kinds": {"type": "array", "items": {"type": "string"}},
    "unit_ids": {"type": "array", "items": {"type": "integer"}}}})

PERSON_PROPS = {"role": {"type": "string", "enum": list(service.PEOPLE_ROLES)}, "name": {"type": "string", "maxLength": 50},
                "phone": {"type": ["string", "null"], "maxLength": 20}, "email": {"type": ["string", "null"], "maxLength": 254}}
PERSON = {"type": "object", "required": ["role", "name"], "properties": PERSON_PROPS, "additionalProperties": False}
PERSON_OUT = exact(PERSON_PROPS)

FILING = schema("Filing", exact({
    "id": {"type": "integer"}, "filing_type_id": {"type": "integer"}, "filing_type_name": {"type": "string"},
    "unit_id": {"type": "integer"}, "unit_name": {"type": "string"}, "year": {"type": "integer"},
    "seq": {"type": "integer"}, "title": {"type": "string"}, "item_date": {"type": ["string", "null"]},
    "url": {"type": ["string", "null"]}, "note": {"type": "string"}, "people": {"type": "array", "items": PERSON_OUT},
    "first_submitted_at": {"type": ["string", "null"]}, "submitted_at": {"type": ["string", "null"]},
    "received_at": {"type": ["string", "null"]}, "returned_at": {"type": ["string", "null"]},
    "return_reason": {"type": ["string", "null"]}, "late_workdays": {"type": ["integer", "null"]},
    "is_late": {"type": "boolean"},
    "files": {"type": "array", "items": exact({
        "id": {"type": "integer"}, "name": {"type": "string"}, "size": {"type": "integer"}})},
    **state_props(Filing)}))

FILING_INPUT = schema("FilingInput", {"type": "object", "required": ["filing_type_id"], "properties": {
    "filing_type_id": {"type": "integer"}, "unit_id": {"type": "integer", "description": "默认本单位"},
    "url": {"type": "string", "description": "公示网址"}, "note": {"type": "string"},
    "people": {"type": "array", "items": PERSON}, "title": {"type": "string", "description": "工作信息标题"},
    "item_date": {"type": "string", "format": "date", "description": "工作信息日期"},
    "files": {"type": "array", "items": {"type": "object", "required": ["filename", "content_base64"],
                                         "properties": {"filename": {"type": "string"},
                                                        "content_base64": {"type": "string"}}}}}})

CELL = exact({
    "filing_type_id": {"type": "integer"}, "state": {"type": "string", "enum": list(service.CELL_STATES)},
    "label": {"type": "string"}, "filing_id": {"type": ["integer", "null"]}, "count": {"type": ["integer", "null"]}})
BOARD = schema("FilingBoard", exact({
    "year": {"type": "integer"}, "types": {"type": "array", "items": FILING_TYPE},
    "rows": {"type": "array", "items": exact({
        "unit_id": {"type": "integer"}, "unit_name": {"type": "string"},
        "cells": {"type": "array", "items": CELL}})},
    "counts": {"type": "object", "additionalProperties": {"type": "object"}}}))

SUGGESTION = schema("FilingDeduction", exact({
    "rule_id": {"type": "string"}, "count": {"type": "integer"}, "evidence": {"type": "string"},
    "links": {"type": "array", "items": exact({"label": {"type": "string"}, "url": {"type": "string"}})}}))

YEAR_QUERY = [{"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
               "description": "默认今年"}]


def _year_arg() -> int:
    raw = request.args.get("year")
    if raw in (None, ""):
        return today().year
    try:
        year = int(raw)
    except ValueError:
        raise BadRequest("year 必须是整数") from None
    if not (2000 <= year <= 2100):
        raise BadRequest("year 应在 2000 至 2100 之间")
    return year


def filing_type_json(ft, user) -> dict:
    unit_ids = sorted(ft.hand_picked_unit_ids)
    if user.role == "unit":
        unit_ids = [u for u in unit_ids if u == user.unit_id]
    return {"id": ft.id, "year": ft.year, "code": ft.code, "name": ft.name, "kind": ft.kind,
            "kind_label": ft.kind_label, "due_date": iso(ft.due_date), "deadline": iso(service.deadline_of(ft)),
            "target": ft.target, "requires_url": ft.requires_url, "names_people": ft.names_people,
            "description": ft.description, "unit_kinds": list(ft.unit_kinds or []), "unit_ids": unit_ids}


def filing_json(f, user) -> dict:
    return {"id": f.id, "filing_type_id": f.filing_type_id, "filing_type_name": f.filing_type.name,
            "unit_id": f.unit_id, "unit_name": f.unit.name, "year": f.year, "seq": f.seq, "title": f.title,
            "item_date": iso(f.item_date), "url": f.url, "note": f.note,
            "people": [{"role": p.get("role"), "name": p.get("name"), "phone": p.get("phone"), "email": p.get("email")}
                       for p in (f.people or [])],
            "first_submitted_at": iso(f.first_submitted_at), "submitted_at": iso(f.submitted_at),
            "received_at": iso(f.received_at), "returned_at": iso(f.returned_at),
            "return_reason": f.return_reason, "late_workdays": f.late_workdays, "is_late": f.is_late,
            "files": [{"id": a.id, "name": a.original_name, "size": a.size} for a in service.files_of(f)],
            **state_fields(f, user)}


@endpoint("/filing-types", "GET", summary="某年度的报备事项", tag="filings",
          response=exact({"items": {"type": "array", "items": FILING_TYPE}}),
          query=YEAR_QUERY, errors=("400", "401"))
@require_roles()
def list_filing_types():
    user = current_api_user()
    return jsonify({"items": [filing_type_json(ft, user) for ft in service.types_of_year(_year_arg())]})


@endpoint("/filing-types", "POST", summary="新增报备事项（普法办）", tag="filings", response=FILING_TYPE,
          body=FILING_TYPE_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_filing_type():
    user = current_api_user()
    return jsonify(filing_type_json(service.create_type(json_body(), actor=user), user)), 201


@endpoint("/filing-types/defaults", "POST", summary="添加某年度的默认报备事项（普法办）", tag="filings",
          response=exact({"items": {"type": "array", "items": FILING_TYPE}}),
          body={"type": "object", "required": ["year"], "additionalProperties": False,
                "properties": {"year": {"type": "integer", "minimum": 2000, "maximum": 2100}}},
          status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def install_default_filing_types():
    user = current_api_user()
    created = service.install_defaults(json_body().get("year"), actor=user)
    return jsonify({"items": [filing_type_json(ft, user) for ft in created]}), 201


@endpoint("/filing-types/<id:filing_type_id>", "PATCH", summary="修改报备事项（普法办）", tag="filings",
          response=FILING_TYPE, body=FILING_TYPE_INPUT, errors=("400", "401", "403", "404", "422"))
@require_roles("office")
def update_filing_type(filing_type_id: int):
    user = current_api_user()
    ft = service.get_type(filing_type_id)
    current = filing_type_json(ft, user) | {"due_date": ft.due_date.isoformat()}
    return jsonify(filing_type_json(service.update_type(ft, current | json_body(), actor=user), user))


FILING_FILTERS = YEAR_QUERY + [
    {"name": "unit_id", "in": "query", "schema": {"type": "integer"}},
    {"name": "filing_type_id", "in": "query", "schema": {"type": "integer"}},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(Filing.workflow.states)}},
]


def _int_arg(name: str) -> int | None:
    """An id filter: ASCII digits within the ids' range (PostgreSQL refuses larger integers outright)."""
    from ..converters import MAX_ID
    from ..services.validation import parse_int

    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    value = parse_int(raw, minimum=1, maximum=MAX_ID)
    if value is None:
        raise BadRequest(f"{name} 必须是 1 到 {MAX_ID} 之间的整数")
    return value


@endpoint("/filings", "GET", summary="报备列表（责任单位只见本单位）", tag="filings", response=page_of(FILING),
          query=FILING_FILTERS + pagination_params(), errors=("400", "401"))
@require_roles()
def list_filings():
    user = current_api_user()
    stmt = scoped_select(Filing, user).where(Filing.year == _year_arg())
    if (unit_id := _int_arg("unit_id")) is not None:
        stmt = stmt.where(Filing.unit_id == unit_id)
    if (type_id := _int_arg("filing_type_id")) is not None:
        stmt = stmt.where(Filing.filing_type_id == type_id)
    status = request.args.get("status")
    if status:
        if status not in Filing.workflow.states:
            raise BadRequest(f"status 不正确（可选：{'、'.join(Filing.workflow.states)}）")
        stmt = stmt.where(Filing.status == status)
    stmt = stmt.order_by(Filing.unit_id, Filing.filing_type_id, Filing.seq)
    return jsonify(paginate(stmt, lambda f: filing_json(f, user)))


def _decoded_files(raw) -> list[tuple[bytes, str]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise ValidationFailed({"files": "files 应为列表"})
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("filename"), str) \
                or not isinstance(item.get("content_base64"), str):
            raise ValidationFailed({f"files[{i}]": "每个文件须有 filename 与 content_base64"})
        try:
            out.append((base64.b64decode(item["content_base64"], validate=True), item["filename"]))
        except (binascii.Error, ValueError):
            raise ValidationFailed({f"files[{i}]": "content_base64 不是有效的 Base64"}) from None
    return out


@endpoint("/filings", "POST", summary="报送（或退回后重新报送）一项报备（责任单位）", tag="filings", response=FILING,
          body=FILING_INPUT, status=201, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("unit")
def create_filing():
    user = current_api_user()
    body = json_body()
    type_id = body.get("filing_type_id")
    from ..converters import MAX_ID
    if not isinstance(type_id, int) or isinstance(type_id, bool) or not 1 <= type_id <= MAX_ID:
        raise ValidationFailed({"filing_type_id": f"filing_type_id 必须是 1 到 {MAX_ID} 之间的整数"})
    files = _decoded_files(body.get("files"))
    filing = service.file_filing(type_id, body, actor=user, files=files)
    return jsonify(filing_json(filing, user)), 201


@endpoint("/filings/<id:filing_id>", "GET", summary="报备详情", tag="filings", response=FILING,
          errors=("401", "404"))
@require_roles()
def get_filing(filing_id: int):
    user = current_api_user()
    return jsonify(filing_json(get_visible(Filing, filing_id, user), user))


def _board_json(b) -> dict:
    user = current_api_user()
    return {"year": b.year, "types": [filing_type_json(ft, user) for ft in b.types],
            "rows": [{"unit_id": u.id, "unit_name": u.name, "cells": [
                {"filing_type_id": c.filing_type.id, "state": c.state, "label": c.label,
                 "filing_id": c.filing.id if c.filing else None, "count": c.count} for c in cells]}
                for u, cells in b.rows],
            "counts": {str(k): v for k, v in b.counts.items()}}


@endpoint("/filing-board", "GET", summary="报备情况总表（单位 × 报备事项）", tag="filings", response=BOARD,
          query=YEAR_QUERY, errors=("400", "401", "403"))
@require_roles("office", "viewer", "evaluator", "panel")
def filing_board():
    return jsonify(_board_json(service.board(_year_arg(), user=current_api_user())))


@endpoint("/filing-board/export", "GET", summary="导出报备情况总表（.xlsx）", tag="filings",
          response={"type": "string", "format": "binary"}, query=YEAR_QUERY, errors=("400", "401", "403"),
          media_type=XLSX_MIME)
@require_roles("office", "viewer", "evaluator", "panel")
def filing_board_export():
    year = _year_arg()
    stream = board_workbook(service.board(year, user=current_api_user()))
    return send_file(stream, as_attachment=True, download_name=f"{year}年度报备情况.xlsx", mimetype=XLSX_MIME,
                     max_age=0)


@endpoint("/units/<id:unit_id>/filing-deductions", "GET", summary="报备记录对应的附件2扣分建议",
          tag="filings", response=exact({
              "framework": {"type": "string"}, "items": {"type": "array", "items": SUGGESTION}}),
          query=YEAR_QUERY, errors=("400", "401", "404"))
@require_roles()
def filing_deductions(unit_id: int):
    from ..services.filing_record import FRAMEWORK_ID

    unit = get_visible(Unit, unit_id, current_api_user())
    items = suggested_deductions(unit.id, _year_arg())
    return jsonify({"framework": FRAMEWORK_ID, "items": [
        {"rule_id": s.rule_id, "count": s.count, "evidence": s.evidence,
         "links": [{"label": label, "url": url} for label, url in s.links]} for s in items]})


__all__ = ["filing_json", "filing_type_json"]
