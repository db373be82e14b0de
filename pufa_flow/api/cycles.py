"""/api/v1/cycles and their assessments"""
from __future__ import annotations

from flask import jsonify

from ..models import Cycle, UnitAssessment
from ..models.scoping import get_visible, scoped_select
from ..services import cycles as cycle_service
from ..documents.responses import DOCX_DOWNLOAD, DOCX_MIME, bulletin_response
from .base import current_api_user, json_body, paginate, require_roles
from .serializers import ASSESSMENT, CYCLE, CYCLE_INPUT, assessment_json, cycle_json
from .spec import endpoint, page_of, pagination_params


@endpoint("/cycles", "POST", summary="新建考评周期（普法办），为每个纳入单位建立单位考评", tag="cycles",
          response=CYCLE, body=CYCLE_INPUT, status=201, errors=("400", "401", "403", "422"))
@require_roles("office")
def create_cycle():
    user = current_api_user()
    return jsonify(cycle_json(cycle_service.create_cycle(json_body(), actor=user), user)), 201


@endpoint("/cycles", "GET", summary="考评周期列表", tag="cycles", response=page_of(CYCLE),
          query=pagination_params())
@require_roles()
def list_cycles():
    user = current_api_user()
    stmt = scoped_select(Cycle, user).order_by(Cycle.year.desc(), Cycle.id.desc())
    return jsonify(paginate(stmt, lambda c: cycle_json(c, user)))


@endpoint("/cycles/<id:cycle_id>", "GET", summary="考评周期详情", tag="cycles", response=CYCLE)
@require_roles()
def get_cycle(cycle_id: int):
    user = current_api_user()
    return jsonify(cycle_json(get_visible(Cycle, cycle_id, user), user))


@endpoint("/cycles/<id:cycle_id>/assessments", "GET", summary="周期内的单位考评（责任单位只见本单位）",
          tag="cycles", response=page_of(ASSESSMENT), query=pagination_params())
@require_roles()
def list_assessments(cycle_id: int):
    user = current_api_user()
    cycle = get_visible(Cycle, cycle_id, user)
    stmt = (scoped_select(UnitAssessment, user).where(UnitAssessment.cycle_id == cycle.id)
            .order_by(UnitAssessment.id))
    return jsonify(paginate(stmt, lambda a: assessment_json(a, user)))


@endpoint("/assessments/<id:assessment_id>", "GET", summary="单位考评详情", tag="cycles", response=ASSESSMENT)
@require_roles()
def get_assessment(assessment_id: int):
    user = current_api_user()
    return jsonify(assessment_json(get_visible(UnitAssessment, assessment_id, user), user))


@endpoint("/cycles/<id:cycle_id>/bulletin", "GET", summary="下载考评情况通报（Word 公文格式，.docx，按等次列出单位）",
          tag="cycles", response=DOCX_DOWNLOAD, errors=("401", "403", "404"),
          media_type=DOCX_MIME)
@require_roles("office", "viewer")
def download_cycle_bulletin(cycle_id: int):
    user = current_api_user()
    return bulletin_response(get_visible(Cycle, cycle_id, user))
