"""/api/v1: the bulletin's texts (GET/PUT) and the results workbooks (ranking, panel score sheets)."""
from __future__ import annotations

import io

from flask import jsonify, send_file

from ..documents.download import download_filename
from ..models import Cycle
from ..models.scoping import get_visible
from ..services import bulletin as service
from ..services.results_exports import panel_sheets_xlsx, ranking_xlsx
from ..services.self_assessment_exports import XLSX_MIME
from .base import current_api_user, json_body, require_roles
from .spec import ID_SCHEMA, endpoint, exact, schema

XLSX_DOWNLOAD = {"type": "string", "format": "binary", "contentMediaType": XLSX_MIME}
TEXT_FIELDS = {f: {"type": "string", "maxLength": service.MAX_TEXT, "description": label}
               for f, label in service.FIELDS.items()}
BULLETIN_TEXT = schema("BulletinText", exact({
    "cycle_id": ID_SCHEMA, **TEXT_FIELDS, "version": {"type": "integer", "description": "0：尚未撰写"},
    "editable": {"type": "boolean", "description": "周期归档后为 false"}}))
BULLETIN_TEXT_INPUT = schema("BulletinTextInput", {
    "type": "object", "additionalProperties": False, "properties": {
        **TEXT_FIELDS, "version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1,
                                   "description": "读取时的版本；不一致时 409"}}})


def _json(cycle) -> dict:
    return {"cycle_id": cycle.id, **service.as_dict(service.texts(cycle)), "editable": service.editable(cycle)}


@endpoint("/cycles/<id:cycle_id>/bulletin/text", "GET", summary="考评情况通报中普法办撰写的内容（考评方式、成效、问题、措施）",
          tag="results", response=BULLETIN_TEXT, errors=("401", "403", "404"))
@require_roles("office", "viewer")
def get_bulletin_text(cycle_id: int):
    return jsonify(_json(get_visible(Cycle, cycle_id, current_api_user())))


@endpoint("/cycles/<id:cycle_id>/bulletin/text", "PUT", summary="撰写考评情况通报（普法办；周期归档后不能修改）",
          tag="results", response=BULLETIN_TEXT, body=BULLETIN_TEXT_INPUT,
          errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def put_bulletin_text(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    service.save(cycle, json_body(), actor=user)
    return jsonify(_json(cycle))


def _xlsx(data: bytes, kind: str, cycle):
    response = send_file(io.BytesIO(data), mimetype=XLSX_MIME, as_attachment=True, max_age=0,
                         download_name=download_filename(kind, cycle.name, ext="xlsx"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@endpoint("/cycles/<id:cycle_id>/ranking.xlsx", "GET",
          summary="下载考评结果排名（.xlsx：名次、单位、类别、自评得分、各评议团成员得分、最终得分、等次、调整理由）",
          tag="results", response=XLSX_DOWNLOAD, media_type=XLSX_MIME, errors=("401", "403", "404"))
@require_roles("office", "viewer")
def download_ranking(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    return _xlsx(ranking_xlsx(cycle, user), "考评结果排名", cycle)


@endpoint("/cycles/<id:cycle_id>/panel-scores.xlsx", "GET",
          summary="下载评议得分表（.xlsx，每位评议团成员一页，逐单位逐指标；评议团成员只得到本人的）",
          tag="results", response=XLSX_DOWNLOAD, media_type=XLSX_MIME, errors=("401", "403", "404"))
@require_roles("office", "viewer", "panel")
def download_panel_scores(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    return _xlsx(panel_sheets_xlsx(cycle, user), "评议得分表", cycle)
