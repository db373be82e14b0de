"""Row policies, walked over EVERY route for every role (models/scoping.py).

test_isolation.py walks a unit user against another unit's objects. Here the
same walk runs for the other narrowed roles and for cycles:

* an evaluator and a panel member assigned to unit A in cycle C1 ask for
  unit B's objects (B takes part in C1 but is not theirs) and for cycle C2
  (B only, not assigned to them): 404 everywhere, 403 where the role is
  not admitted at all, and nothing of B's or of C2 in any list;
* unit A asks for C2 (it does not take part) and for a draft cycle C3 that
  includes it: 404; neither appears in its lists;
* the leader (viewer) reads everything but every write answers 403 and
  changes nothing.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from pufa_flow import models
from pufa_flow.extensions import db
from pufa_flow.models import CycleAssignment, User
from pufa_flow.models.scoping import can_write, get_visible, visible
from pufa_flow.services import workflow

from test_isolation import (
    MARKER, Probe, World, _PARAM, _create_cycle, _open_cycle, _text, expand, leaks, password_hash,
    request_as, required_roles, snapshot, walked_rules, UnknownParameter, worlds,  # noqa: F401 - fixture
)

HIDDEN = "隐藏周期"  # in the names of the cycles the probing roles may not see

#: writes every signed-in role may make about itself, whatever its role
SELF_SERVICE = {
    "auth.logout": "ends one's own session",
    "api.issue_token": "exchanges one's own password for a token",
    "auth.login": "signs in (as anyone)",
    "account.password": "changes one's own password",
    "account.tokens": "issues oneself an API token",
    "account.revoke": "revokes one's own API token",
    "api.revoke_token": "revokes one's own API token",
    "api.change_password": "changes one's own password",
    "reminders.mark_read": "marks a message in one's own inbox read (another's is 404)",
    "reminders.mark_all_read": "marks one's own inbox read",
    "api.read_inbox_message": "marks a message in one's own inbox read (another's is 404)",
}


def _user(role: str) -> User:
    user = User(username=f"policy_{role}", role=role, display_name=f"{role}测试")
    user.password_hash = password_hash()
    db.session.add(user)
    return user


def _hidden_cycle(name: str, units, *, start: bool, office):
    cycle = _create_cycle()
    cycle.name = name
    db.session.flush()
    for unit in units:
        db.session.add(models.UnitAssessment(cycle=cycle, unit_id=unit.id))
    db.session.commit()
    if start:
        _open_cycle(cycle, office)
    return cycle


@pytest.fixture
def policy_world(app, worlds):
    world_a, world_b, office = worlds
    users = {role: _user(role) for role in ("evaluator", "panel", "viewer")}
    users["unit"] = world_a.objects["user"]
    db.session.flush()
    c1 = world_a.objects["cycle"]
    for role in ("evaluator", "panel"):
        db.session.add(CycleAssignment(cycle_id=c1.id, unit_id=world_a.id("unit"),
                                       user_id=users[role].id, role=role))
    db.session.commit()
    c2 = _hidden_cycle(f"{HIDDEN}乙单独参加", [world_b.objects["unit"]], start=True, office=office)
    c3 = _hidden_cycle(f"{HIDDEN}甲的草稿", [world_a.objects["unit"]], start=False, office=office)
    return world_a, world_b, office, users, {"c2": c2, "c3": c3}


def _hidden_world(world_b: World, cycle) -> World:
    """B's objects with a cycle the prober may not see: every kind in it is hidden."""
    world = World(dict(world_b.objects))
    world.objects["cycle"] = cycle
    return world


def _walk(app, user, world: World, *, hidden_markers, leak_world: World,
          visible_kinds=frozenset()) -> tuple[list[str], int]:
    failures, walked = [], 0
    for rule, method in walked_rules(app):
        try:
            probes = expand(rule, world)
        except UnknownParameter:
            continue  # test_isolation.test_every_route_parameter_is_mapped reports it
        roles = required_roles(app, rule.endpoint)
        admitted = not roles or user.role in roles
        named = bool(_PARAM.search(rule.rule))
        for probe in probes:
            walked += 1
            response = request_as(app, user, probe, method, world)
            status = response.status_code
            where = f"{method} {probe.url} [{rule.endpoint}] as {user.role} -> {status}"
            if not admitted:
                if status != 403:
                    failures.append(f"{where}: role not admitted, expected 403")
            elif named and probe.kinds and not set(probe.kinds) <= visible_kinds:
                if status != 404:
                    failures.append(f"{where}: names {'/'.join(probe.kinds)} outside the policy, expected 404")
            elif status >= 500:
                failures.append(f"{where}: server error")
            text = _text(response)  # an .xlsx export is read cell by cell
            for marker in hidden_markers:
                if marker in text:
                    failures.append(f"{where}: LEAK of {marker!r}")
            failures.extend(f"{where}: LEAK: {leak}" for leak in leaks(response, leak_world))
    return failures, walked


@pytest.mark.parametrize("role", ["evaluator", "panel"])
def test_assigned_roles_see_only_their_units(app, policy_world, role):
    world_a, world_b, office, users, cycles = policy_world
    before = snapshot(world_b.id("unit"))
    failures, walked = _walk(app, users[role], _hidden_world(world_b, world_a.objects["cycle"]),
                             hidden_markers=[MARKER, HIDDEN], leak_world=world_b,
                             visible_kinds={"cycle"})
    # C1 itself is theirs: only B's objects are hidden in that walk; now the cycle they are not in
    more, walked_more = _walk(app, users[role], World({"cycle": cycles["c2"]}),
                                hidden_markers=[MARKER, HIDDEN], leak_world=world_b)
    assert walked and walked_more
    assert not failures + more, "\n  ".join(failures + more)
    assert snapshot(world_b.id("unit")) == before


@pytest.mark.parametrize("which", ["c2", "c3"])
def test_unit_sees_only_cycles_it_takes_part_in_never_drafts(app, policy_world, which):
    world_a, world_b, office, users, cycles = policy_world
    failures, walked = _walk(app, users["unit"], World({"cycle": cycles[which]}),
                             hidden_markers=[HIDDEN], leak_world=world_b)
    assert walked
    assert not failures, "\n  ".join(failures)


def test_the_walk_reaches_hidden_cycles_for_the_office(app, policy_world):
    """Control: C2 and C3 exist and the office reaches them, so the 404s above mean the policy."""
    world_a, world_b, office, users, cycles = policy_world
    client = app.test_client()
    from test_isolation import _session_client
    client = _session_client(app, office)
    for cycle in cycles.values():
        assert client.get(f"/cycles/{cycle.id}").status_code == 200
        assert cycle.name in client.get("/cycles/").get_data(as_text=True)


def test_viewer_reads_everything_and_writes_nothing(app, policy_world):
    world_a, world_b, office, users, cycles = policy_world
    viewer = users["viewer"]
    before = {u: snapshot(world.id("unit")) for u, world in (("a", world_a), ("b", world_b))}
    failures, writes = [], 0
    for rule, method in walked_rules(app):
        if rule.endpoint in SELF_SERVICE:
            continue
        try:
            probes = expand(rule, world_a)
        except UnknownParameter:
            continue
        for probe in probes:
            response = request_as(app, viewer, probe, method, world_a)
            where = f"{method} {probe.url} [{rule.endpoint}] as viewer -> {response.status_code}"
            roles = required_roles(app, rule.endpoint)
            if roles and "viewer" not in roles:
                if response.status_code != 403:
                    failures.append(f"{where}: role not admitted, expected 403")
            elif method == "GET":
                generic = "object_type" in rule.arguments  # /history/<object_type>/<id>: 404 for kinds it does not serve
                if response.status_code >= 400 and probe.kinds and not (generic and response.status_code == 404):
                    failures.append(f"{where}: a leader reads everything")
            elif "object_type" in rule.arguments and response.status_code == 404:
                continue  # a generic route that does not serve this kind at all
            else:
                writes += 1
                if response.status_code != 403:
                    failures.append(f"{where}: read-only role, expected 403")
    assert writes, "no write route was walked"
    assert not failures, "\n  ".join(failures)
    assert {u: snapshot(world.id("unit")) for u, world in (("a", world_a), ("b", world_b))} == before


# -- the policy API directly ---------------------------------------------------------
def test_policy_api(app, policy_world):
    world_a, world_b, office, users, cycles = policy_world
    a_assessment, b_assessment = world_a.objects["assessment"], world_b.objects["assessment"]
    ids = lambda model, user: set(db.session.scalars(visible(model, user).with_only_columns(model.id)))
    evaluator, unit, viewer = users["evaluator"], users["unit"], users["viewer"]
    assert ids(models.UnitAssessment, evaluator) == {a_assessment.id}
    assert ids(models.Unit, evaluator) == {world_a.id("unit")}
    assert ids(models.Cycle, evaluator) == {world_a.id("cycle")}
    assert ids(models.Cycle, unit) == {world_a.id("cycle")}  # not C2 (not in it), not C3 (draft)
    assert ids(models.Cycle, office) == ids(models.Cycle, viewer) == {
        world_a.id("cycle"), cycles["c2"].id, cycles["c3"].id}
    # an assignment in C1 does not open the same unit's assessment in another cycle
    other = models.UnitAssessment(cycle_id=cycles["c2"].id, unit_id=world_a.id("unit"))
    db.session.add(other)
    db.session.commit()
    assert other.id not in ids(models.UnitAssessment, evaluator)
    assert can_write(evaluator, a_assessment) and not can_write(evaluator, b_assessment)
    assert can_write(unit, a_assessment) and not can_write(unit, b_assessment)
    assert not can_write(viewer, a_assessment) and can_write(office, b_assessment)
    with pytest.raises(Exception) as excinfo:
        get_visible(models.UnitAssessment, b_assessment.id, evaluator)
    assert excinfo.value.status == 404


def test_fire_asks_the_policy(app, policy_world):
    """The service itself refuses, not only the views: 404 outside the policy, 403 read-only."""
    world_a, world_b, office, users, cycles = policy_world
    b_assessment = world_b.objects["assessment"]
    version = b_assessment.version
    for role, status in (("unit", 404), ("evaluator", 404), ("panel", 404), ("viewer", 403)):
        with pytest.raises(Exception) as excinfo:
            workflow.fire(b_assessment, "submit", actor=users[role])
        assert getattr(excinfo.value, "status", None) == status, role
    db.session.expire_all()
    assert db.session.get(models.UnitAssessment, b_assessment.id).version == version
    assert db.session.scalar(sa.select(sa.func.count()).select_from(models.AuditEvent)
                             .where(models.AuditEvent.object_type == "assessment",
                                    models.AuditEvent.object_id == b_assessment.id)) == 0
