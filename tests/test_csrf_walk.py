"""Every form of the web UI refuses a POST without its CSRF token.

With CSRF on (the production setting; the other page tests switch it off to
post forms directly), every page route that accepts POST (or PUT, PATCH,
DELETE) is walked with a plausible body and no token, as the office and as a
unit user: each answers 400 and nothing in the database changes. The same
posts WITH a valid token are not refused as 400, so the 400s are the CSRF
check and not something else. A route added later is walked automatically; a
``csrf.exempt`` on any form fails here.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pufa_flow.extensions import db
from test_isolation import (_body_for, _session_client, expand, opened_world, walked_rules)
from tests.conftest import make_test_app

CSRF_MESSAGE = "表单校验失败"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def csrf_app(app, tmp_path):
    """The same database as ``app``, with CSRF on."""
    other = make_test_app("sqlite", tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          WTF_CSRF_ENABLED=True)
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _form_probes(app, world):
    probes = []
    for rule, method in walked_rules(app):
        if method in WRITE_METHODS and not rule.rule.startswith("/api/"):
            probes.extend((method, probe) for probe in expand(rule, world))
    return probes


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def _token(client) -> str:
    html = client.get("/home").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the home page carries no CSRF token (its sign-out form needs one)"
    return match.group(1)


@pytest.mark.parametrize("who", ["office", "unit"])
def test_every_form_refuses_a_post_without_its_token(app, csrf_app, office_user, who):
    world = opened_world("甲单位", office_user)
    user = office_user if who == "office" else world.objects["user"]
    probes = _form_probes(app, world)
    assert len(probes) >= 8, [p.url for _, p in probes]  # the forms exist: units, users, imports, transitions…
    before = _row_counts()
    client = _session_client(csrf_app, user)
    wrong = []
    for method, probe in probes:
        response = client.open(probe.url, method=method, data=_body_for(probe, world))
        if response.status_code != 400:
            wrong.append(f"{method} {probe.url}: {response.status_code}")
        elif CSRF_MESSAGE not in response.get_data(as_text=True):
            wrong.append(f"{method} {probe.url}: 400 without the Chinese explanation")
    assert not wrong, "accepted without a CSRF token:\n  " + "\n  ".join(wrong)
    assert _row_counts() == before
    assert client.get("/home").status_code == 200  # still signed in: not even the sign-out went through


def test_the_same_posts_with_the_token_are_not_refused_as_csrf(app, csrf_app, office_user):
    """Control: with the token, the walk's posts reach their views (whatever those answer, not the CSRF refusal)."""
    world = opened_world("甲单位", office_user)
    client = _session_client(csrf_app, office_user)
    refused = []
    for method, probe in _form_probes(app, world):
        if probe.url == "/logout":
            continue  # would end the session the walk uses
        response = client.open(probe.url, method=method, data={**_body_for(probe, world), "csrf_token": _token(client)})
        if response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True):
            refused.append(f"{method} {probe.url}")
    assert not refused, refused


def test_a_workflow_button_works_with_csrf_on(csrf_app, app, office_user):
    """The transition form as the browser sends it: token included, the trigger fires."""
    world = opened_world("甲单位", office_user)
    item = world.objects["item"]
    client = _session_client(csrf_app, world.objects["user"])
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(f"/transitions/item/{item.id}", data={"trigger": "acknowledge", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(item), item.id).status == "in_progress"
