"""实地调研 set-up: a reproducible sample, teams whose members see only their units, the panel.

The world: 6 counties and 4 city departments in one cycle; the office draws
2 counties (one forced in) and 1 department (one forced out), as 003 draws 12
and 4 from its 36.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from helpers import new_cycle

from pufa_flow.errors import Conflict, ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, CycleAssignment, SampleDraw, TeamUnit, UnitAssessment
from pufa_flow.models.scoping import visible
from pufa_flow.services import evaluation


@pytest.fixture
def world(make_unit, make_user, office_user):
    counties = [make_unit(f"县{i}", kind="county") for i in range(1, 7)]
    departments = [make_unit(f"部门{i}", kind="city_department") for i in range(1, 5)]
    cycle = new_cycle(office_user, counties + departments)
    evaluators = [make_user("evaluator", username=f"eval{i}") for i in range(1, 5)]
    panel = [make_user("panel", username=f"panel{i}") for i in range(1, 3)]
    return {"cycle": cycle, "counties": counties, "departments": departments, "office": office_user,
            "evaluators": evaluators, "panel": panel}


def _draw(world, seed=20261106, **extra):
    data = {"quotas": {"county": 2, "city_department": 1}, "seed": seed,
            "forced_in": [world["counties"][0].id], "forced_out": [world["departments"][0].id], **extra}
    return evaluation.draw_sample(world["cycle"], data, actor=world["office"])


# -- the sample -------------------------------------------------------------------
def test_the_same_seed_draws_the_same_sample_and_keeps_the_rules(world):
    first = _draw(world)
    second = _draw(world)
    assert first.unit_ids == second.unit_ids and len(first.unit_ids) == 3
    county_ids = {u.id for u in world["counties"]}
    department_ids = {u.id for u in world["departments"]}
    assert world["counties"][0].id in first.unit_ids
    assert world["departments"][0].id not in first.unit_ids
    assert len(set(first.unit_ids) & county_ids) == 2 and len(set(first.unit_ids) & department_ids) == 1
    assert evaluation.current_sample(world["cycle"]).id == second.id


def test_different_seeds_give_different_samples_somewhere(world):
    samples = {tuple(_draw(world, seed=s).unit_ids) for s in range(12)}
    assert len(samples) > 1


def test_the_draw_is_the_pure_choice_of_its_recorded_arguments(world):
    draw = _draw(world)
    by_kind = {k: [u.id for u in us] for k, us in evaluation.population(world["cycle"]).items()}
    assert evaluation.choose(by_kind, draw.quotas, set(draw.forced_in), set(draw.forced_out),
                             draw.seed) == draw.unit_ids
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "sample.draw").limit(1))
    assert event.data["seed"] == 20261106 and event.data["sampled"] == 3


def test_a_draw_without_a_seed_records_the_one_it_used(world):
    draw = evaluation.draw_sample(world["cycle"], {"quotas": {"county": 3}}, actor=world["office"])
    assert isinstance(draw.seed, int) and len(draw.unit_ids) == 3


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"quotas": {"county": 7}}, "quotas.county", "只有 6 个"),
    ({"quotas": {"county": 6}, "forced_out": ["x"]}, "forced_out", "列表"),
    ({"quotas": {"town": 1}}, "quotas.town", "只有 0 个"),
    ({"quotas": {"province": 1}}, "quotas", "未知的单位类别"),
    ({"quotas": {"county": -1}}, "quotas.county", "0 到 10000"),
    ({"quotas": {"county": True}}, "quotas.county", "0 到 10000"),
    ({"quotas": {"county": 1}, "seed": 2**60}, "seed", "随机种子"),
    ({"quotas": {"county": 1}, "seed": "abc"}, "seed", "随机种子"),
    ({"quotas": {}}, "quotas", "请填写"),
    ({"quotas": {"county": 1}, "forced_in": [999999]}, "forced_in", "不在本周期"),
])
def test_impossible_draws_are_refused_and_leave_no_sample(world, data, field, words):
    with pytest.raises(ValidationFailed) as caught:
        evaluation.draw_sample(world["cycle"], data, actor=world["office"])
    assert words in caught.value.fields[field]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SampleDraw)) == 0


def test_forced_units_beyond_the_quota_and_in_and_out_at_once_are_refused(world):
    c = world["counties"]
    with pytest.raises(ValidationFailed) as caught:
        evaluation.draw_sample(world["cycle"], {"quotas": {"county": 1}, "forced_in": [c[0].id, c[1].id]},
                               actor=world["office"])
    assert "多于抽取数" in caught.value.fields["quotas.county"]
    with pytest.raises(ValidationFailed) as caught:
        evaluation.draw_sample(world["cycle"], {"quotas": {"county": 2}, "forced_in": [c[0].id],
                                                "forced_out": [c[0].id]}, actor=world["office"])
    assert "既指定纳入又指定排除" in caught.value.fields["forced_out"]


def test_no_sample_once_acceptance_has_begun(world):
    db.session.execute(sa.update(type(world["cycle"])).where(type(world["cycle"]).id == world["cycle"].id)
                       .values(status="acceptance"))
    db.session.commit()
    with pytest.raises(Conflict, match="评估验收开始前"):
        _draw(world)


# -- teams and what their members see ---------------------------------------------------
def _two_teams(world):
    e = world["evaluators"]
    one = evaluation.save_team(world["cycle"], {"name": "第一调研评估小组", "leader_id": e[0].id,
                                                "member_ids": [e[1].id]}, actor=world["office"])
    two = evaluation.save_team(world["cycle"], {"name": "第二调研评估小组", "leader_id": e[2].id,
                                                "member_ids": []}, actor=world["office"])
    return one, two


def test_team_members_see_only_their_teams_units(world):
    draw = _draw(world)
    one, two = _two_teams(world)
    a, b, c = draw.unit_ids
    evaluation.assign_units(world["cycle"], [{"unit_id": a, "team_id": one.id, "visit_on": "2026-11-12"},
                                             {"unit_id": b, "team_id": two.id},
                                             {"unit_id": c, "team_id": None}], actor=world["office"])
    e = world["evaluators"]

    def seen(user):
        return set(db.session.scalars(visible(UnitAssessment, user).with_only_columns(UnitAssessment.unit_id)))
    assert seen(e[0]) == {a} and seen(e[1]) == {a}           # leader and member of team one
    assert seen(e[2]) == {b} and seen(e[3]) == set()          # team two; nobody's team
    assert db.session.get(TeamUnit, (one.id, a)).visit_on.isoformat() == "2026-11-12"

    evaluation.assign_units(world["cycle"], [{"unit_id": a, "team_id": two.id}], actor=world["office"])
    assert seen(e[0]) == set() and seen(e[2]) == {a, b}
    evaluation.save_team(world["cycle"], {"name": "第二调研评估小组", "leader_id": e[2].id,
                                          "member_ids": [e[3].id]}, actor=world["office"], team=two)
    assert seen(e[3]) == {a, b}
    evaluation.delete_team(two, actor=world["office"])
    assert seen(e[2]) == set() and seen(e[3]) == set()


def test_redrawing_moves_unsampled_units_out_of_their_teams(world):
    draw = _draw(world)
    one, _ = _two_teams(world)
    evaluation.assign_units(world["cycle"], [{"unit_id": u, "team_id": one.id} for u in draw.unit_ids],
                            actor=world["office"])
    forced = world["counties"][0].id
    evaluation.draw_sample(world["cycle"], {"forced_in": [forced]}, actor=world["office"])
    assert one.unit_ids == [forced]
    rows = db.session.scalars(sa.select(CycleAssignment.unit_id).where(CycleAssignment.role == "evaluator")).all()
    assert set(rows) == {forced}


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "", "leader_id": None, "member_ids": []}, "name"),
    ({"name": "甲组", "leader_id": None, "member_ids": []}, "leader_id"),
    ({"name": "甲组", "leader_id": "1", "member_ids": []}, "leader_id"),
    ({"name": "甲组", "leader_id": 1, "member_ids": "2"}, "member_ids"),
])
def test_bad_teams_are_refused(world, data, field):
    with pytest.raises(ValidationFailed) as caught:
        evaluation.save_team(world["cycle"], data, actor=world["office"])
    assert field in caught.value.fields
    assert evaluation.teams(world["cycle"]) == []


def test_only_evaluators_can_be_in_a_team_and_names_are_unique(world):
    panel_member = world["panel"][0]
    with pytest.raises(ValidationFailed, match="评委会成员"):
        evaluation.save_team(world["cycle"], {"name": "甲组", "leader_id": panel_member.id}, actor=world["office"])
    _two_teams(world)
    with pytest.raises(ValidationFailed, match="已有名为"):
        evaluation.save_team(world["cycle"], {"name": "第一调研评估小组", "leader_id": world["evaluators"][3].id},
                             actor=world["office"])


def test_only_sampled_units_go_to_a_team_of_this_cycle(world):
    draw = _draw(world)
    one, _ = _two_teams(world)
    unsampled = next(u.id for u in world["counties"] if u.id not in draw.unit_ids)
    with pytest.raises(ValidationFailed, match="抽样名单"):
        evaluation.assign_units(world["cycle"], [{"unit_id": unsampled, "team_id": one.id}], actor=world["office"])
    with pytest.raises(ValidationFailed, match="不属于本周期"):
        evaluation.assign_units(world["cycle"], [{"unit_id": draw.unit_ids[0], "team_id": 999}],
                                actor=world["office"])
    with pytest.raises(ValidationFailed, match="YYYY-MM-DD"):
        evaluation.assign_units(world["cycle"], [{"unit_id": draw.unit_ids[0], "team_id": one.id,
                                                  "visit_on": "20261112"}], actor=world["office"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamUnit)) == 0


# -- the panel --------------------------------------------------------------------
def test_panel_members_see_only_the_units_given_to_them(world):
    p1, p2 = world["panel"]
    counties = [u.id for u in world["counties"]]
    evaluation.assign_panel(world["cycle"], {p1.id: counties[:3], str(p2.id): counties[3:]}, actor=world["office"])

    def seen(user):
        return set(db.session.scalars(visible(UnitAssessment, user).with_only_columns(UnitAssessment.unit_id)))
    assert seen(p1) == set(counties[:3]) and seen(p2) == set(counties[3:])
    evaluation.assign_panel(world["cycle"], {p1.id: counties[:1]}, actor=world["office"])
    assert seen(p1) == set(counties[:1]) and seen(p2) == set(counties[3:])   # p2 not named: unchanged
    assert evaluation.panel_assignments(world["cycle"]) == {p1.id: set(counties[:1]), p2.id: set(counties[3:])}


def test_the_panel_takes_only_panel_accounts_and_this_cycles_units(world):
    evaluator = world["evaluators"][0]
    with pytest.raises(ValidationFailed, match="评议团成员"):
        evaluation.assign_panel(world["cycle"], {evaluator.id: []}, actor=world["office"])
    with pytest.raises(ValidationFailed, match="不在本周期"):
        evaluation.assign_panel(world["cycle"], {world["panel"][0].id: [999999]}, actor=world["office"])
    assert evaluation.panel_assignments(world["cycle"]) == {}


def test_a_panel_member_has_an_affiliation(world):
    member = world["panel"][0]
    profile = evaluation.set_panel_profile(member, {"affiliation": "律师", "organisation": "某律师事务所"},
                                           actor=world["office"])
    assert (profile.affiliation, profile.affiliation_label) == ("lawyer", "律师")
    with pytest.raises(ValidationFailed):
        evaluation.set_panel_profile(member, {"affiliation": "教授"}, actor=world["office"])
    with pytest.raises(ValidationFailed):
        evaluation.set_panel_profile(world["evaluators"][0], {"affiliation": "npc"}, actor=world["office"])


# -- the page ----------------------------------------------------------------------
def test_the_office_sets_up_the_field_research_on_its_page(world, client, login):
    login(world["office"])
    cycle = world["cycle"]
    c, d, e = world["counties"], world["departments"], world["evaluators"]
    page = client.get(f"/cycles/{cycle.id}/evaluation").get_data(as_text=True)
    assert "尚未抽样" in page and "县（共 6 个）" not in page
    response = client.post(f"/cycles/{cycle.id}/evaluation/sample", data={
        "quota_county": "2", "quota_city_department": "1", "seed": "42",
        f"mode_{c[0].id}": "in", f"mode_{d[0].id}": "out"})
    assert response.status_code == 302
    draw = evaluation.current_sample(cycle)
    assert draw.seed == 42 and c[0].id in draw.unit_ids and d[0].id not in draw.unit_ids
    page = client.get(f"/cycles/{cycle.id}/evaluation").get_data(as_text=True)
    assert "随机种子 <strong class=\"seed\">42</strong>" in page and "书面考核 7 个" in page

    client.post(f"/cycles/{cycle.id}/evaluation/teams", data={
        "name": "第一调研评估小组", "leader_id": str(e[0].id), "member_ids": [str(e[1].id)]})
    [team] = evaluation.teams(cycle)
    form = {"unit_ids": [str(u) for u in draw.unit_ids]}
    form.update({f"team_{u}": str(team.id) for u in draw.unit_ids})
    form[f"visit_{draw.unit_ids[0]}"] = "2026-11-12"
    assert client.post(f"/cycles/{cycle.id}/evaluation/assignments", data=form).status_code == 302
    assert sorted(team.unit_ids) == draw.unit_ids

    p1 = world["panel"][0]
    client.post(f"/cycles/{cycle.id}/evaluation/panel", data={
        "panel_members": [str(p.id) for p in world["panel"]], f"panel_{p1.id}": [str(c[1].id), str(c[2].id)]})
    assert evaluation.panel_assignments(cycle) == {p1.id: {c[1].id, c[2].id}}
    client.post(f"/cycles/{cycle.id}/evaluation/panel/{p1.id}/profile", data={"affiliation": "npc"})
    assert "人大代表" in client.get(f"/cycles/{cycle.id}/evaluation").get_data(as_text=True)


def test_a_refused_draw_on_the_page_says_why(world, client, login):
    login(world["office"])
    response = client.post(f"/cycles/{world['cycle'].id}/evaluation/sample", data={"quota_county": "9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "只有 6 个" in page and 'value="9"' in page
    assert evaluation.current_sample(world["cycle"]) is None


@pytest.mark.parametrize("role", ["unit", "evaluator", "panel"])
def test_only_the_office_and_leaders_open_the_set_up_page(world, client, login, make_user, role):
    unit = world["counties"][0] if role == "unit" else None
    login(make_user(role, unit=unit, username=f"other-{role}"))
    assert client.get(f"/cycles/{world['cycle'].id}/evaluation").status_code == 403
    assert client.post(f"/cycles/{world['cycle'].id}/evaluation/sample",
                       data={"quota_county": "1"}).status_code == 403
    assert evaluation.current_sample(world["cycle"]) is None


def test_a_viewer_reads_the_page_without_its_forms(world, client, login, make_user):
    _draw(world)
    login(make_user("viewer"))
    page = client.get(f"/cycles/{world['cycle'].id}/evaluation").get_data(as_text=True)
    assert "随机种子" in page and "重新抽样" not in page and "新建小组" not in page
    assert client.post(f"/cycles/{world['cycle'].id}/evaluation/sample", data={}).status_code == 403


# -- the API -----------------------------------------------------------------------
def test_the_api_sets_up_the_field_research(world, client, token_for, make_user):
    office, cycle = token_for(world["office"]), world["cycle"]
    c, e, p = world["counties"], world["evaluators"], world["panel"]
    empty = client.get(f"/api/v1/cycles/{cycle.id}/sample", headers=office).get_json()
    assert empty["drawn"] is False and empty["unit_ids"] == [] and empty["seed"] is None
    drawn = client.post(f"/api/v1/cycles/{cycle.id}/sample", headers=office, json={
        "quotas": {"county": 2}, "forced_in": [c[0].id], "seed": 7})
    assert drawn.status_code == 201, drawn.get_json()
    sample = drawn.get_json()
    assert sample["drawn"] and sample["seed"] == 7 and c[0].id in sample["unit_ids"] and len(sample["unit_ids"]) == 2
    assert client.get(f"/api/v1/cycles/{cycle.id}/sample", headers=office).get_json() == sample

    team = client.post(f"/api/v1/cycles/{cycle.id}/teams", headers=office, json={
        "name": "第一调研评估小组", "leader_id": e[0].id, "member_ids": [e[1].id]}).get_json()
    assert team["member_ids"] == sorted([e[0].id, e[1].id])
    teams = client.put(f"/api/v1/cycles/{cycle.id}/team-units", headers=office, json={"units": [
        {"unit_id": u, "team_id": team["id"], "visit_on": "2026-11-12"} for u in sample["unit_ids"]]}).get_json()
    assert [u["unit_id"] for u in teams["items"][0]["units"]] == sample["unit_ids"]
    renamed = client.put(f"/api/v1/cycles/{cycle.id}/teams/{team['id']}", headers=office, json={
        "name": "第一组", "leader_id": e[0].id, "member_ids": []}).get_json()
    assert renamed["name"] == "第一组" and renamed["member_ids"] == [e[0].id]

    panel = client.put(f"/api/v1/cycles/{cycle.id}/panel", headers=office, json={
        "assignments": {str(p[0].id): [c[1].id]}}).get_json()
    assert {m["user_id"]: m["unit_ids"] for m in panel["members"]} == {p[0].id: [c[1].id], p[1].id: []}
    profile = client.put(f"/api/v1/users/{p[0].id}/panel-profile", headers=office,
                         json={"affiliation": "media", "organisation": "区融媒体中心"}).get_json()
    assert profile["affiliation_label"] == "媒体"
    assert client.delete(f"/api/v1/cycles/{cycle.id}/teams/{team['id']}", headers=office).status_code == 204
    assert client.get(f"/api/v1/cycles/{cycle.id}/teams", headers=office).get_json() == {"items": []}


def test_the_api_refuses_other_roles_and_bad_input_with_its_envelope(world, client, token_for):
    cycle = world["cycle"]
    evaluator = token_for(world["evaluators"][0])
    assert client.post(f"/api/v1/cycles/{cycle.id}/sample", headers=evaluator,
                       json={"quotas": {"county": 1}}).status_code == 403
    office = token_for(world["office"])
    bad = client.post(f"/api/v1/cycles/{cycle.id}/sample", headers=office, json={"quotas": {"county": 99}})
    assert bad.status_code == 422 and "只有 6 个" in bad.get_json()["error"]["details"]["fields"]["quotas.county"]
    assert client.put(f"/api/v1/cycles/{cycle.id}/team-units", headers=office,
                      json={"units": "all"}).status_code == 422
    assert client.put(f"/api/v1/cycles/{cycle.id}/panel", headers=office,
                      json={"assignments": [1, 2]}).status_code == 422
    assert client.put(f"/api/v1/cycles/{cycle.id}/teams/999", headers=office,
                      json={"name": "x", "leader_id": 1}).status_code == 404
