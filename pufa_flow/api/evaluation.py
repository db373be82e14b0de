"""/api/v1/cycles/<id>/sample, teams, team units and the panel: 实地调研 set-up for programs."""
from __future__ import annotations

from flask import jsonify

from ..errors import NotFound
from ..extensions import db
from ..models import AFFILIATIONS, UNIT_KINDS, Cycle, EvaluationTeam, User
from ..models.scoping import get_visible
from ..services import evaluation
from .base import current_api_user, json_body, require_roles
from .spec import ID_SCHEMA, endpoint, schema

IDS = {"type": "array", "items": ID_SCHEMA, "maxItems": 10_000, "uniqueItems": True}
DATE = {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

SAMPLE = schema("Sample", {
    "type": "object", "additionalProperties": False,
    "required": ["cycle_id", "drawn", "seed", "quotas", "forced_in", "forced_out", "unit_ids", "drawn_at"],
    "properties": {
        "cycle_id": ID_SCHEMA, "drawn": {"type": "boolean"}, "seed": {"type": ["integer", "null"], "minimum": 0},
        "quotas": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
        "forced_in": IDS, "forced_out": IDS, "unit_ids": IDS,
        "drawn_at": {"type": ["string", "null"], "format": "date-time"}}})
SAMPLE_INPUT = schema("SampleInput", {
    "type": "object", "additionalProperties": False, "properties": {
        "quotas": {"type": "object", "propertyNames": {"enum": list(UNIT_KINDS)},
                   "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 10_000}},
        "forced_in": IDS, "forced_out": IDS,
        "seed": {"type": ["integer", "null"], "minimum": 0, "maximum": evaluation.MAX_SEED}}})
TEAM = schema("EvaluationTeam", {
    "type": "object", "additionalProperties": False,
    "required": ["id", "cycle_id", "name", "leader_id", "member_ids", "units"], "properties": {
        "id": ID_SCHEMA, "cycle_id": ID_SCHEMA, "name": {"type": "string"},
        "leader_id": {"type": ["integer", "null"]}, "member_ids": IDS,
        "units": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["unit_id", "visit_on"],
            "properties": {"unit_id": ID_SCHEMA, "visit_on": DATE}}}}})
TEAM_INPUT = schema("EvaluationTeamInput", {
    "type": "object", "additionalProperties": False, "required": ["name", "leader_id"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 50}, "leader_id": ID_SCHEMA,
        "member_ids": {**IDS, "maxItems": evaluation.MAX_TEAM_MEMBERS}}})
TEAMS = schema("EvaluationTeams", {"type": "object", "additionalProperties": False, "required": ["items"],
                                   "properties": {"items": {"type": "array", "items": TEAM}}})
TEAM_UNITS_INPUT = schema("TeamUnitsInput", {
    "type": "object", "additionalProperties": False, "required": ["units"], "properties": {
        "units": {"type": "array", "maxItems": 10_000, "items": {
            "type": "object", "additionalProperties": False, "required": ["unit_id"], "properties": {
                "unit_id": ID_SCHEMA, "team_id": {"type": ["integer", "null"], "minimum": 1}, "visit_on": DATE}}}}})
PANEL = schema("PanelAssignments", {
    "type": "object", "additionalProperties": False, "required": ["members"], "properties": {
        "members": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["user_id", "name", "affiliation", "organisation", "unit_ids"], "properties": {
                "user_id": ID_SCHEMA, "name": {"type": "string"},
                "affiliation": {"type": ["string", "null"], "enum": [*AFFILIATIONS, None]},
                "organisation": {"type": "string"}, "unit_ids": IDS}}}}})
PANEL_INPUT = schema("PanelAssignmentsInput", {
    "type": "object", "additionalProperties": False, "required": ["assignments"], "properties": {
        "assignments": {"type": "object", "propertyNames": {"pattern": r"^[1-9][0-9]{0,9}$"},
                        "additionalProperties": IDS}}})
PROFILE = schema("PanelProfile", {
    "type": "object", "additionalProperties": False,
    "required": ["user_id", "affiliation", "affiliation_label", "organisation"], "properties": {
        "user_id": ID_SCHEMA, "affiliation": {"type": "string", "enum": list(AFFILIATIONS)},
        "affiliation_label": {"type": "string"}, "organisation": {"type": "string"}}})
PROFILE_INPUT = schema("PanelProfileInput", {
    "type": "object", "additionalProperties": False, "required": ["affiliation"], "properties": {
        "affiliation": {"type": "string", "enum": list(AFFILIATIONS)},
        "organisation": {"type": "string", "maxLength": 100}}})


def _cycle(cycle_id: int) -> Cycle:
    return get_visible(Cycle, cycle_id, current_api_user())


def sample_json(draw, cycle_id: int | None = None) -> dict:
    """The current sample; before the first draw, an empty one (``drawn`` false)."""
    if draw is None:
        return {"cycle_id": cycle_id, "drawn": False, "seed": None, "quotas": {}, "forced_in": [],
                "forced_out": [], "unit_ids": [], "drawn_at": None}
    return {"cycle_id": draw.cycle_id, "drawn": True, "seed": draw.seed, "quotas": draw.quotas, "forced_in": draw.forced_in,
            "forced_out": draw.forced_out, "unit_ids": draw.unit_ids, "drawn_at": draw.drawn_at.isoformat() + "Z"}


def team_json(team: EvaluationTeam) -> dict:
    return {"id": team.id, "cycle_id": team.cycle_id, "name": team.name, "leader_id": team.leader_id,
            "member_ids": team.member_ids,
            "units": [{"unit_id": u.unit_id, "visit_on": u.visit_on.isoformat() if u.visit_on else None}
                      for u in team.units]}


def panel_json(cycle: Cycle) -> dict:
    assigned, profiles = evaluation.panel_assignments(cycle), evaluation.panel_profiles()
    return {"members": [{"user_id": u.id, "name": u.label,
                         "affiliation": profiles[u.id].affiliation if u.id in profiles else None,
                         "organisation": profiles[u.id].organisation if u.id in profiles else "",
                         "unit_ids": sorted(assigned.get(u.id, ()))} for u in evaluation.panel_members()]}


@endpoint("/cycles/<id:cycle_id>/sample", "GET", summary="当前实地调研抽样名单（含随机种子；未抽样时 drawn 为 false）",
          tag="evaluation", response=SAMPLE, errors=("400", "401", "403", "404"))
@require_roles("office", "viewer")
def get_sample(cycle_id: int):
    cycle = _cycle(cycle_id)
    return jsonify(sample_json(evaluation.current_sample(cycle), cycle.id))


@endpoint("/cycles/<id:cycle_id>/sample", "POST", summary="抽样：各类单位抽取数、指定纳入/排除、随机种子（普法办）",
          tag="evaluation", response=SAMPLE, body=SAMPLE_INPUT, status=201,
          errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def draw_sample(cycle_id: int):
    draw = evaluation.draw_sample(_cycle(cycle_id), json_body(), actor=current_api_user())
    return jsonify(sample_json(draw)), 201


@endpoint("/cycles/<id:cycle_id>/teams", "GET", summary="调研评估小组及其单位、走访日期", tag="evaluation",
          response=TEAMS, errors=("400", "401", "403", "404"))
@require_roles("office", "viewer")
def list_teams(cycle_id: int):
    return jsonify({"items": [team_json(t) for t in evaluation.teams(_cycle(cycle_id))]})


@endpoint("/cycles/<id:cycle_id>/teams", "POST", summary="建立调研评估小组（普法办）", tag="evaluation",
          response=TEAM, body=TEAM_INPUT, status=201, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def create_team(cycle_id: int):
    team = evaluation.save_team(_cycle(cycle_id), json_body(), actor=current_api_user())
    return jsonify(team_json(team)), 201


def _team(cycle_id: int, team_id: int) -> EvaluationTeam:
    cycle = _cycle(cycle_id)
    team = db.session.get(EvaluationTeam, team_id)
    if team is None or team.cycle_id != cycle.id:
        raise NotFound("小组不存在")
    return team


@endpoint("/cycles/<id:cycle_id>/teams/<id:team_id>", "PUT", summary="修改小组名称、组长、成员（普法办）",
          tag="evaluation", response=TEAM, body=TEAM_INPUT, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def update_team(cycle_id: int, team_id: int):
    team = _team(cycle_id, team_id)
    cycle = db.session.get(Cycle, team.cycle_id)
    return jsonify(team_json(evaluation.save_team(cycle, json_body(), actor=current_api_user(), team=team)))


@endpoint("/cycles/<id:cycle_id>/teams/<id:team_id>", "DELETE", summary="删除小组，其单位待重新分组（普法办）",
          tag="evaluation", status=204, errors=("400", "401", "403", "404", "409"))
@require_roles("office")
def delete_team(cycle_id: int, team_id: int):
    evaluation.delete_team(_team(cycle_id, team_id), actor=current_api_user())
    return "", 204


@endpoint("/cycles/<id:cycle_id>/team-units", "PUT", summary="把抽中的单位分给小组并定走访日期（普法办）",
          tag="evaluation", response=TEAMS, body=TEAM_UNITS_INPUT, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def assign_team_units(cycle_id: int):
    cycle = _cycle(cycle_id)
    evaluation.assign_units(cycle, json_body().get("units"), actor=current_api_user())
    db.session.expire_all()
    return jsonify({"items": [team_json(t) for t in evaluation.teams(cycle)]})


@endpoint("/cycles/<id:cycle_id>/panel", "GET", summary="评议团成员、身份类别及各自评议的单位", tag="evaluation",
          response=PANEL, errors=("400", "401", "403", "404"))
@require_roles("office", "viewer")
def get_panel(cycle_id: int):
    return jsonify(panel_json(_cycle(cycle_id)))


@endpoint("/cycles/<id:cycle_id>/panel", "PUT", summary="分配评议团成员评议的单位；未列出的成员不变（普法办）",
          tag="evaluation", response=PANEL, body=PANEL_INPUT, errors=("400", "401", "403", "404", "409", "422"))
@require_roles("office")
def assign_panel(cycle_id: int):
    cycle = _cycle(cycle_id)
    evaluation.assign_panel(cycle, json_body().get("assignments"), actor=current_api_user())
    return jsonify(panel_json(cycle))


@endpoint("/users/<id:user_id>/panel-profile", "PUT", summary="评议团成员的身份类别与工作单位（普法办）",
          tag="evaluation", response=PROFILE, body=PROFILE_INPUT, errors=("400", "401", "403", "404", "422"))
@require_roles("office")
def set_panel_profile(user_id: int):
    user = get_visible(User, user_id, current_api_user())
    profile = evaluation.set_panel_profile(user, json_body(), actor=current_api_user())
    return jsonify({"user_id": user.id, "affiliation": profile.affiliation,
                    "affiliation_label": profile.affiliation_label, "organisation": profile.organisation})
