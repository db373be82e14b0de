"""The office's 实地调研 set-up page: sample, teams, who visits what and when, the panel."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import AppError, ValidationFailed
from ..extensions import db
from ..models import AFFILIATIONS, UNIT_KINDS, Cycle, EvaluationTeam, User
from ..models.scoping import get_visible
from ..converters import MAX_ID
from ..services import evaluation
from ..services.validation import parse_int
from .access import roles_required
from .forms import ActionForm

bp = Blueprint("evaluation", __name__, url_prefix="/cycles")

SAMPLE_MODES = {"": "随机", "in": "指定纳入", "out": "指定排除"}


@bp.route("/<id:cycle_id>/evaluation")
@roles_required("office", "viewer")
def show(cycle_id: int):
    return _page(get_visible(Cycle, cycle_id, current_user))


def _page(cycle: Cycle, status: int = 200):
    sample = evaluation.current_sample(cycle)
    by_kind = evaluation.population(cycle)
    units = {u.id: u for group in by_kind.values() for u in group}
    teams = evaluation.teams(cycle)
    team_of = {tu.unit_id: tu for team in teams for tu in team.units}
    evaluators = db.session.scalars(sa.select(User).where(User.role == "evaluator", User.is_active_account.is_(True))
                                    .order_by(User.id)).all()
    return render_template(
        "evaluation/show.html", cycle=cycle, sample=sample, by_kind=by_kind, units=units, kinds=UNIT_KINDS,
        sampled=set(sample.unit_ids) if sample else set(), teams=teams, team_of=team_of, evaluators=evaluators,
        panel=evaluation.panel_members(), panel_units=evaluation.panel_assignments(cycle),
        profiles=evaluation.panel_profiles(), affiliations=AFFILIATIONS, modes=SAMPLE_MODES,
        can_edit=current_user.role == "office", form=ActionForm(),
        can_draw=cycle.status in evaluation.SAMPLE_STATES, can_assign=cycle.status in evaluation.ASSIGN_STATES,
    ), status


def _act(cycle_id: int, action, anchor: str):
    """Run one change from a form; a refusal re-shows the page with the reasons."""
    cycle = get_visible(Cycle, cycle_id, current_user)
    if not ActionForm().validate_on_submit():
        flash("页面已过期，请刷新后重试", "error")
        return _page(cycle, 400)
    try:
        message = action(cycle)
    except ValidationFailed as exc:
        for text in exc.fields.values():
            flash(text, "error")
        return _page(cycle, 422)
    except AppError as exc:
        flash(exc.message, "error")
        return _page(cycle, exc.status)
    flash(message, "success")
    return redirect(url_for("evaluation.show", cycle_id=cycle.id, _anchor=anchor))


def _id(value: str) -> int | None:
    return parse_int(value, minimum=1, maximum=MAX_ID)


def _int_list(name: str) -> list[int]:
    return [i for i in map(_id, request.form.getlist(name)) if i is not None]


@bp.route("/<id:cycle_id>/evaluation/sample", methods=["POST"])
@roles_required("office")
def draw(cycle_id: int):
    def action(cycle):
        modes = {key[len("mode_"):]: value for key, value in request.form.items() if key.startswith("mode_")}
        data = {"quotas": {kind: request.form.get(f"quota_{kind}", "") for kind in UNIT_KINDS
                           if request.form.get(f"quota_{kind}", "").strip() != ""},
                "forced_in": [_id(u) for u, m in modes.items() if m == "in" and _id(u)],
                "forced_out": [_id(u) for u, m in modes.items() if m == "out" and _id(u)],
                "seed": request.form.get("seed", "").strip() or None}
        draw = evaluation.draw_sample(cycle, data, actor=current_user)
        return f"已抽取 {len(draw.unit_ids)} 个单位实地调研（随机种子 {draw.seed}），其余单位书面考核"
    return _act(cycle_id, action, "sample")


@bp.route("/<id:cycle_id>/evaluation/teams", methods=["POST"])
@roles_required("office")
def create_team(cycle_id: int):
    def action(cycle):
        team = evaluation.save_team(cycle, _team_data(), actor=current_user)
        return f"已建立{team.name}"
    return _act(cycle_id, action, "teams")


@bp.route("/<id:cycle_id>/evaluation/teams/<id:team_id>", methods=["POST"])
@roles_required("office")
def update_team(cycle_id: int, team_id: int):
    def action(cycle):
        team = _team(cycle, team_id)
        if request.form.get("delete"):
            evaluation.delete_team(team, actor=current_user)
            return f"已删除{team.name}，其单位待重新分组"
        evaluation.save_team(cycle, _team_data(), actor=current_user, team=team)
        return f"已保存{team.name}"
    return _act(cycle_id, action, "teams")


def _team(cycle: Cycle, team_id: int) -> EvaluationTeam:
    from ..errors import NotFound

    team = db.session.get(EvaluationTeam, team_id)
    if team is None or team.cycle_id != cycle.id:
        raise NotFound("小组不存在")
    return team


def _team_data() -> dict:
    leader = request.form.get("leader_id", "")
    return {"name": request.form.get("name", ""), "member_ids": _int_list("member_ids"),
            "leader_id": _id(leader)}


@bp.route("/<id:cycle_id>/evaluation/assignments", methods=["POST"])
@roles_required("office")
def assign(cycle_id: int):
    def action(cycle):
        rows = []
        for unit_id in _int_list("unit_ids"):
            team = request.form.get(f"team_{unit_id}", "")
            rows.append({"unit_id": unit_id,
                         "team_id": _id(team),
                         "visit_on": request.form.get(f"visit_{unit_id}", "").strip() or None})
        count = evaluation.assign_units(cycle, rows, actor=current_user)
        return f"已保存 {count} 个单位的分组和走访日期"
    return _act(cycle_id, action, "assignments")


@bp.route("/<id:cycle_id>/evaluation/panel", methods=["POST"])
@roles_required("office")
def assign_panel(cycle_id: int):
    def action(cycle):
        assignments = {user_id: _int_list(f"panel_{user_id}") for user_id in _int_list("panel_members")}
        evaluation.assign_panel(cycle, assignments, actor=current_user)
        return "已保存评议团分工"
    return _act(cycle_id, action, "panel")


@bp.route("/<id:cycle_id>/evaluation/panel/<id:user_id>/profile", methods=["POST"])
@roles_required("office")
def panel_profile(cycle_id: int, user_id: int):
    def action(cycle):
        user = db.session.get(User, user_id)
        if user is None:
            from ..errors import NotFound
            raise NotFound("用户不存在")
        evaluation.set_panel_profile(user, {"affiliation": request.form.get("affiliation"),
                                            "organisation": request.form.get("organisation", "")},
                                     actor=current_user)
        return f"已保存{user.label}的身份类别"
    return _act(cycle_id, action, "panel")
