"""Declarative permissions: every view names the roles it admits, and they hold.

``views.access.roles_required`` and ``api.base.require_roles`` set
``required_roles`` on the view (an empty tuple = every signed-in role). This
file asserts every endpoint in app.view_functions declares it, then walks
every route as each role and as an anonymous visitor. New routes are covered
without editing this file (their URL parameters are filled by the mapping in
tests/test_isolation.py).
"""
from __future__ import annotations

import re

import pytest

from pufa_flow.extensions import db
from pufa_flow.models import ROLES, CycleAssignment, User

from test_isolation import UnknownParameter, _session_client, expand, opened_world, password_hash

#: endpoints reachable without signing in, with the reason
PUBLIC = {
    "static": "style sheets and scripts",
    "auth.login": "the sign-in page itself",
    "auth.logout": "ends a session; CSRF-protected, harmless without one",
    "main.index": "redirects to the sign-in page or the home page",
    "api.openapi": "the API description",
    "api.issue_token": "exchanges a password for a token",
    "main.favicon": "the site icon browsers ask for on every page, the sign-in page included",
    "feeds.unit_ics_feed": "a unit's ICS calendar feed for calendar apps that cannot sign in; the URL's token "
                           "(an HMAC of the unit id) is the access check",
}
_PARAM = re.compile(r"<(?:([^<>:]+):)?(\w+)>")


def _rules(app, *, api: bool):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in PUBLIC or rule.rule.startswith("/api/") != api:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _roles(app, endpoint):
    return app.view_functions[endpoint].required_roles


def _admits(roles, role) -> bool:
    return not roles or role in roles


def _dummy_url(rule) -> str:
    return _PARAM.sub(lambda m: "1" if (m.group(1) or "").startswith(("int", "id")) else "x", rule.rule)


# -- the declaration ---------------------------------------------------------------
def test_every_view_declares_required_roles(app):
    missing = [endpoint for endpoint, view in sorted(app.view_functions.items())
               if endpoint not in PUBLIC and not hasattr(view, "required_roles")]
    assert not missing, (
        "these views do not declare who may use them; decorate pages with "
        "views.access.roles_required(...) and API endpoints with api.base.require_roles(...): "
        + ", ".join(missing))


def test_declared_roles_exist(app):
    bad = {endpoint: roles for endpoint, view in app.view_functions.items()
           if (roles := getattr(view, "required_roles", None)) and not set(roles) <= set(ROLES)}
    assert not bad, f"unknown roles named: {bad}"


def test_public_endpoints_are_still_there(app):
    """If a public endpoint is renamed, its exemption above must follow."""
    assert set(PUBLIC) <= set(app.view_functions)


# -- by role -------------------------------------------------------------------------
@pytest.fixture
def people(app, office_user):
    """One user per role; the unit user belongs to a unit that owns one of everything."""
    world = opened_world("权限单位", office_user)
    users = {"office": office_user, "unit": world.objects["user"]}
    for role in ROLES:
        if role not in users:
            user = User(username=f"perm_{role}", role=role, display_name="")
            user.password_hash = password_hash()
            db.session.add(user)
            users[role] = user
    db.session.flush()
    for role in ("evaluator", "panel"):  # the row policy shows them only their assigned units
        db.session.add(CycleAssignment(cycle_id=world.id("cycle"), unit_id=world.id("unit"),
                                       user_id=users[role].id, role=role))
    db.session.commit()
    return users, world




#: endpoints where a role names its object in the query string (the office: which unit's contacts)
QUERY = {("api.get_reminder_preferences", "office"): "?unit_id={unit}"}


#: an admitted role's answer where it is not 200 for the walk's world, with the reason
EXPECTED = {("api.get_opinion", "unit"): 404}  # a unit's opinion is hidden until results are published


def _query(endpoint: str, role: str, world) -> str:
    return QUERY.get((endpoint, role), "").format(unit=world.id("unit"))


def _token_headers(user):
    from pufa_flow.services.auth import issue_token

    return {"Authorization": f"Bearer {issue_token(user, name='perm')}"}


@pytest.mark.parametrize("role", list(ROLES))
def test_pages_by_role(app, people, role):
    users, world = people
    client = _session_client(app, users[role])
    failures = []
    for rule, method in _rules(app, api=False):
        if method != "GET":
            continue
        roles = _roles(app, rule.endpoint)
        try:
            probes = expand(rule, world)
        except UnknownParameter:
            continue  # test_isolation.test_every_route_parameter_is_mapped says what to do
        rule_failures, reached = [], False
        for probe in probes:
            status = client.get(probe.url).status_code
            where = f"GET {probe.url} [{rule.endpoint}, roles={roles}] as {role} -> {status}"
            if not _admits(roles, role):
                if status != 403:
                    failures.append(f"{where}: expected 403")
            elif roles and "unit" not in roles:
                if status != 200:
                    rule_failures.append((status, f"{where}: office-only page, expected 200"))
            elif status >= 400:
                rule_failures.append((status, f"{where}: an admitted role should reach the page"))
            reached = reached or status < 400
        if "object_type" in rule.arguments and reached:
            # a generic /<object_type>/<id> route need not serve every kind (404 for the others)
            rule_failures = [f for f in rule_failures if f[0] >= 500]
        failures.extend(message for _, message in rule_failures)
    assert not failures, "\n  ".join(failures)


@pytest.mark.parametrize("role", list(ROLES))
def test_api_by_role(app, people, role):
    users, world = people
    headers = _token_headers(users[role])
    client = app.test_client()
    failures = []
    for rule, method in _rules(app, api=True):
        roles = _roles(app, rule.endpoint)
        if _admits(roles, role) and method != "GET":
            continue  # writes by admitted roles are the feature tests' business
        try:
            probes = expand(rule, world)
        except UnknownParameter:
            continue
        rule_failures, reached = [], False
        for probe in probes:
            url = probe.url + _query(rule.endpoint, role, world)
            response = client.open(url, method=method, headers=headers, json={})
            where = f"{method} {probe.url} [{rule.endpoint}, roles={roles}] as {role} -> {response.status_code}"
            if not _admits(roles, role):
                body = response.get_json(silent=True) or {}
                if response.status_code != 403 or body.get("error", {}).get("code") != "forbidden":
                    failures.append(f"{where}: expected the 403 envelope, got {body}")
            elif response.status_code != EXPECTED.get((rule.endpoint, role), 200):
                rule_failures.append((response.status_code, f"{where}: expected 200"))
            reached = reached or response.status_code == 200
        if "object_type" in rule.arguments and reached:
            rule_failures = [f for f in rule_failures if f[0] >= 500]
        failures.extend(message for _, message in rule_failures)
    assert not failures, "\n  ".join(failures)


def test_office_only_pages_exist(app):
    """The role walk above must have something office-only to check."""
    office_only = [e for e, v in app.view_functions.items()
                   if getattr(v, "required_roles", None) == ("office",) and not e.startswith("api.")]
    assert {"users.index", "audit.index", "units.create"} <= set(office_only)


# -- anonymous -----------------------------------------------------------------------
def test_anonymous_pages_redirect_to_login(client):
    failures = []
    for rule, method in _rules(client.application, api=False):
        url = _dummy_url(rule)
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.split("?")[0].endswith("/login"):
            failures.append(f"{method} {url} -> {response.status_code} {location}")
    assert not failures, "anonymous visitors must be sent to /login:\n  " + "\n  ".join(failures)


def test_anonymous_api_gets_401_envelope(client):
    failures = []
    for rule, method in _rules(client.application, api=True):
        url = _dummy_url(rule)
        for headers in ({}, {"Authorization": "Bearer pf_not-a-real-token"}, {"Authorization": "Basic eDp5"}):
            response = client.open(url, method=method, headers=headers, json={})
            body = response.get_json(silent=True)
            if response.status_code != 401 or not (
                    isinstance(body, dict) and set(body) == {"error"}
                    and body["error"].get("code") == "unauthorized" and body["error"].get("message")):
                failures.append(f"{method} {url} {headers} -> {response.status_code} {body}")
    assert not failures, "\n  ".join(failures)


def test_login_redirect_keeps_the_target(client):
    response = client.get("/users/")
    assert response.status_code == 302
    assert "next=" in response.headers["Location"]
