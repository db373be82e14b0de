"""Per-unit isolation, walked over EVERY route in app.url_map.

Two units A and B, each with one object of every unit-owned kind (unit,
contact, user, and - as far as the models exist - an assessment in a shared
cycle, a notice with a rectification item). A's unit user then asks for B's
objects through every page and every /api/v1 endpoint, with every method the
rule accepts (writes with a minimal, plausible body), and must never see or
touch them:

* an office-only route (``required_roles`` without "unit") answers 403;
* a route that names one of B's unit-owned objects answers 404 - exactly as
  if it did not exist;
* a route that names only non-owned objects (the cycle) or nothing answers
  without a server error;
* and whatever the status, no body contains anything of B's (its name, its
  contact, its user, its notice or item text, or a ``unit_id`` equal to B's).

Afterwards every row of B's is byte-for-byte what it was.

New routes are covered automatically. A route with a URL parameter this file
does not know FAILS ``test_every_route_parameter_is_mapped``: add the
parameter to PARAM_KINDS (it names an object) or PARAM_VALUES (it is a plain
value), so no route can silently skip the walk.
"""
from __future__ import annotations

import functools
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from pufa_flow import models
from pufa_flow.extensions import db
from pufa_flow.services.auth import issue_token

# -- the vocabulary ------------------------------------------------------------
#: object kinds the factory creates; True = unit-owned (a unit user may only
#: see its own), False = shared (cycles: every unit takes part in them)
KINDS = {"unit": True, "contact": True, "user": True, "assessment": True,
         "notice": True, "item": True, "attachment": True, "token": True, "cycle": False, "message": True,
         "filing": True, "filing_type": False,
         "inspection": False}

#: URL parameter name -> the object kind whose id fills it
PARAM_KINDS = {
    "unit_id": "unit", "contact_id": "contact", "user_id": "user",
    "assessment_id": "assessment", "notice_id": "notice", "item_id": "item",
    "rectification_item_id": "item", "cycle_id": "cycle", "attachment_id": "attachment",
    "token_id": "token",
    "message_id": "message",
    "filing_id": "filing", "filing_type_id": "filing_type",
    "inspection_id": "inspection",
}

#: parameters that name an object only together with the path around them:
#: ``/notices/<id:notice_id>`` (kind from the segment before) or
#: ``/<object_type>/<id:object_id>`` (kind from object_type)
GENERIC_ID_PARAMS = {"id", "object_id", "pk"}
SEGMENT_KINDS = {
    "unit": "unit", "units": "unit", "contact": "contact", "contacts": "contact",
    "user": "user", "users": "user", "assessment": "assessment", "assessments": "assessment",
    "notice": "notice", "notices": "notice", "item": "item", "items": "item",
    "rectification-items": "item", "rectification_items": "item",
    "cycle": "cycle", "cycles": "cycle", "attachment": "attachment", "attachments": "attachment",
    "filing": "filing", "filings": "filing",
    "inspection": "inspection", "inspections": "inspection",
}
#: values tried for an ``object_type`` parameter (the audit/API vocabulary)
OBJECT_TYPES = ["unit", "contact", "user", "assessment", "notice", "item", "cycle", "filing"]

#: plain-value parameters: name -> values to try (a callable gets the probe's
#: object kinds and the world, for values that depend on the object)
WORKFLOW_NAMES = ["cycle", "assessment", "item"]
PARAM_VALUES = {
    "trigger": "trigger",          # computed: a trigger the unit role may fire on the object
    "phase": ["self_assessment"],
    "workflow": WORKFLOW_NAMES, "workflow_name": WORKFLOW_NAMES, "machine": WORKFLOW_NAMES,
    "fmt": ["docx"], "format": ["docx"],
    "year": [2027],                # the working-day calendar: shared, office-only writes
    "team_id": [1],                # evaluation teams: office-only routes under a cycle
    "framework_id": [1],           # the framework library: shared reference data, office-only writes
    "commendation_id": [1],        # a cycle's commendations (先进集体/个人, 示范县): office-only writes
    "token": ["0" * 32],  # a wrong feed token: see CONTROL_404_ALLOWED
}

#: endpoints the walk does not request, with the reason
NOT_WALKED = {
    "static": "files from pufa_flow/static: no unit data",
    "auth.logout": "would end the probing session; takes no parameters and shows no data",
    "main.favicon": "the site icon (a static file): no unit data",
    "feeds.unit_ics_feed": "no sign-in: the URL's token is the access check, and the walk cannot know it "
                           "(test_rectification covers another unit's id with a unit's token: 404)",
}

#: endpoints whose GET may legitimately answer 404 for an existing object the
#: requester may see (e.g. a download of a file not uploaded yet), with the reason
CONTROL_404_ALLOWED: dict[str, str] = {
    "api.get_opinion": "a unit reads its 评估意见 only once the results are published (404 before: "
                       "test_results_for_units); the walk's cycle is not published",
}

MARKER = "隔离乙"  # every text of B's contains it; nothing of A's does


# -- the world -------------------------------------------------------------------
@functools.cache
def password_hash() -> str:
    """One scrypt hash of "Secret123", reused: hashing per user would dominate the run time."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash("Secret123")


@dataclass
class World:
    objects: dict = field(default_factory=dict)  # kind -> object

    def id(self, kind: str) -> int:
        return self.objects[kind].id

    def has(self, kind: str) -> bool:
        return kind in self.objects


def _create_cycle():
    Cycle = getattr(models, "Cycle", None)
    if Cycle is None:
        return None
    cycle = Cycle(name="2099年度普法责任制考评（隔离测试）", year=2099)
    CyclePhase = getattr(models, "CyclePhase", None)
    phases = getattr(models, "PHASES", {})
    if CyclePhase is not None:
        start = date(2099, 1, 4)
        cycle.phases = [CyclePhase(phase=p, position=i, starts_on=start + timedelta(days=30 * i),
                                   due_on=start + timedelta(days=30 * i + 20))
                        for i, p in enumerate(phases, start=1)]
    db.session.add(cycle)
    return cycle


def _create_unit_world(label: str, cycle) -> World:
    """One object of every unit-owned kind that the models know, for one unit."""
    world = World()
    unit = models.Unit(name=f"{label}区司法局", kind="county")
    db.session.add(unit)
    db.session.flush()
    world.objects["unit"] = unit

    contact = models.Contact(unit_id=unit.id, role="liaison", name=f"{label}联络员",
                             phone="13800138000", email="liaison@example.org")
    db.session.add(contact)
    world.objects["contact"] = contact

    user = models.User(username=f"unit_{'b' if MARKER in label else 'a'}_iso",
                       display_name=f"{label}用户", role="unit", unit_id=unit.id)
    user.password_hash = password_hash()
    db.session.add(user)
    world.objects["user"] = user
    db.session.flush()
    token = models.ApiToken(user_id=user.id, token_hash=f"isolation-{label}".encode().hex()[:64],
                            name=f"{label}的令牌")
    db.session.add(token)
    world.objects["token"] = token

    UnitAssessment = getattr(models, "UnitAssessment", None)
    if cycle is not None and UnitAssessment is not None:
        assessment = UnitAssessment(cycle=cycle, unit_id=unit.id)
        db.session.add(assessment)
        world.objects["assessment"] = assessment
        world.objects["cycle"] = cycle

    Notice = getattr(models, "Notice", None)
    Item = getattr(models, "RectificationItem", None)
    if Notice is not None:
        notice = Notice(unit_id=unit.id, source="inspection", title=f"关于{label}的整改通知书",
                        draft_items=[{"problem": f"{label}的问题", "requirement": f"{label}的整改要求",
                                      "category": "other", "due_date": "2099-06-30"}])
        if cycle is not None and hasattr(Notice, "cycle_id"):
            notice.cycle_id = cycle.id  # flushed with the unit above
        db.session.add(notice)
        db.session.flush()
        world.objects["notice"] = notice
        # issued through the workflow (a unit sees a notice only once issued); issuing creates the item
        from pufa_flow.services import transaction, workflow
        office = db.session.scalars(sa.select(models.User).where(models.User.role == "office")).first()
        with transaction.transaction():
            workflow.fire(notice, "review", actor=office)
            workflow.fire(notice, "issue", actor=office)
        if Item is not None:
            world.objects["item"] = notice.items[0]
        from pufa_flow.services import attachments

        # an evidence photo of the item (佐证材料), so the item's evidence routes reach it
        stored = attachments.store_upload(b"\x89PNG\r\n\x1a\n isolation", f"{label}的整改照片.png",
                                          unit_id=unit.id, uploader=None)
        world.objects["attachment"] = attachments.link(stored, "item" if Item is not None else "notice",
                                                       world.objects["item"].id if Item is not None else notice.id)
    Inspection = getattr(models, "Inspection", None)
    if Inspection is not None:
        inspection = Inspection(name=f"{label}督查", starts_on=date(2026, 8, 12), ends_on=date(2026, 8, 14),
                                bodies="督查组", units=[unit])
        db.session.add(inspection)
        db.session.flush()
        world.objects["inspection"] = inspection
    OutboxMessage = getattr(models, "OutboxMessage", None)
    if OutboxMessage is not None and hasattr(OutboxMessage, "local_day"):
        # a delivered in-app message in the unit's inbox (and a failed one the office may resend)
        message = OutboxMessage(key=f"isolation:{label}", channel="in_app", recipient=f"unit:{unit.id}",
                                kind="isolation", local_day=date(2099, 1, 4), subject=f"{label}的提醒",
                                body=f"{label}的提醒", object_type="unit", object_id=unit.id, unit_id=unit.id,
                                status="sent")
        db.session.add(message)
        world.objects["message"] = message
    _create_filing(world, label)
    db.session.flush()
    return world


def _create_filing(world: World, label: str) -> None:
    """A filing type of the walk's year (shared: its name carries no marker) that only
    this unit must file, and the unit's pending filing of it (its title does)."""
    FilingType, Filing = getattr(models, "FilingType", None), getattr(models, "Filing", None)
    if FilingType is None:
        return
    unit = world.objects["unit"]
    year = PARAM_VALUES["year"][0]
    ft = FilingType(year=year, name=f"隔离测试报备{unit.id}", kind="single", due_date=date(year, 3, 31),
                    unit_kinds=[], description="")
    ft.required_units = [models.FilingTypeUnit(unit_id=unit.id)]
    db.session.add(ft)
    db.session.flush()
    world.objects["filing_type"] = ft
    filing = Filing(filing_type_id=ft.id, unit_id=unit.id, year=year, seq=1, title=f"{label}的普法工作计划",
                    note=f"{label}的说明", people=[])
    db.session.add(filing)
    world.objects["filing"] = filing


@pytest.fixture
def worlds(app, office_user):
    """(A, B, office). B is created first: its ids are the 1s a lookup that ignores its argument would hit."""
    cycle = _create_cycle()
    world_b = _create_unit_world(MARKER + "单位", cycle)
    world_a = _create_unit_world("甲单位", cycle)
    db.session.commit()
    if cycle is not None:
        _open_cycle(cycle, office_user)
    return world_a, world_b, office_user


def opened_world(label: str, office) -> World:
    """A unit owning one of everything, in a cycle the office has started."""
    cycle = _create_cycle()
    world = _create_unit_world(label, cycle)
    db.session.commit()
    if cycle is not None:
        _open_cycle(cycle, office)
    return world


def _open_cycle(cycle, office):
    """Start the cycle (through the workflow service, the only way a state may change),
    so that a leaked unit action such as "submit" would really succeed."""
    try:
        from pufa_flow.services.workflow import fire
    except ImportError:
        return
    if cycle.status == cycle.workflow.definition.initial and "start" in cycle.allowed_triggers("office"):
        fire(cycle, "start", actor=office)


def b_markers(world_b: World) -> list[str]:
    markers = [MARKER, world_b.objects["user"].username]
    return markers


# -- expanding a rule into concrete URLs ------------------------------------------
_PARAM = re.compile(r"<(?:[^<>:]+:)?(\w+)>")


@dataclass
class Probe:
    url: str
    kinds: tuple[str, ...]  # object kinds named in the URL

    @property
    def names_owned_object(self) -> bool:
        return any(KINDS.get(k, True) for k in self.kinds)


class UnknownParameter(LookupError):
    pass


def _segment_before(rule: str, param: str) -> str:
    head = rule.split(f":{param}>")[0].split(f"<{param}>")[0]
    head = head.rsplit("<", 1)[0]
    segments = [s for s in head.split("/") if s]
    return segments[-1] if segments else ""


def _trigger_for(kinds, world: World) -> str:
    """A trigger the unit role may fire now on the probe's stateful object."""
    for kind in kinds:
        obj = world.objects.get(kind)
        workflow = getattr(obj, "workflow", None)
        if workflow is None:
            continue
        transitions = workflow.definition.transitions
        for t in transitions:
            if "unit" in t.roles and obj.status in t.sources:
                return t.trigger
        return transitions[0].trigger
    return "submit"


def _options(rule, name: str, world: World, object_type: str | None):
    """[(value, kind or None)] for one parameter; UnknownParameter if not mapped."""
    if name in PARAM_KINDS:
        kind = PARAM_KINDS[name]
        return [(world.id(kind), kind)] if world.has(kind) else []
    if name == "object_type":
        return [(t, None) for t in OBJECT_TYPES if world.has(t)]
    if name in GENERIC_ID_PARAMS:
        kind = object_type or SEGMENT_KINDS.get(_segment_before(rule.rule, name))
        if kind is None:
            raise UnknownParameter(name)
        return [(world.id(kind), kind)] if world.has(kind) else []
    if name in PARAM_VALUES:
        return [(v, None) for v in PARAM_VALUES[name]] if name != "trigger" else [("trigger", None)]
    raise UnknownParameter(name)


def expand(rule, world: World) -> list[Probe]:
    """Every concrete URL for this rule filled from ``world``; [] if a kind is missing."""
    names = _PARAM.findall(rule.rule)
    probes = []
    type_choices = [None]
    if "object_type" in names:
        type_choices = [t for t in OBJECT_TYPES if world.has(t)]
    for object_type in type_choices:
        per_param = []
        for name in names:
            if name == "object_type":
                per_param.append([(object_type, None)])
            else:
                per_param.append(_options(rule, name, world, object_type))
        for combo in itertools.product(*per_param):
            values = dict(zip(names, [v for v, _ in combo]))
            kinds = tuple(k for _, k in combo if k is not None)
            if "trigger" in values:
                values["trigger"] = _trigger_for(kinds, world)
            url = _PARAM.sub(lambda m: str(values[m.group(1)]), rule.rule)
            probes.append(Probe(url, kinds))
    return probes


def walked_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in NOT_WALKED:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def required_roles(app, endpoint: str):
    return getattr(app.view_functions[endpoint], "required_roles", None)


# -- requesting --------------------------------------------------------------------
def _session_client(app, user):
    """A client signed in as ``user`` (Flask-Login's session keys, no password hashing)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()  # id:epoch
        session["_fresh"] = True
    return client


#: routes that name their objects in the body (the bulk actions on items), not in the URL
BULK_ITEM_URLS = {"/items/bulk": "ids", "/api/v1/items/bulk": "item_ids"}


def _body_for(probe: Probe, world: World) -> dict:
    """A minimal but plausible write: enough that a missing check would let it through.

    A bulk action gets the probed world's item in its body, with an extension that would change
    the item's row (test_bulk_walk_bodies_change_the_item shows they would).
    """
    if probe.url in BULK_ITEM_URLS and world.has("item"):
        return {"action": "extend", BULK_ITEM_URLS[probe.url]: [world.id("item")], "new_due_date": "2999-12-31",
                "comment": "隔离测试"}
    trigger = _trigger_for(probe.kinds, world)
    return {"trigger": trigger, "comment": "隔离测试", "version": 1,
            "measures": "隔离测试", "name": "改名测试", "reason": "隔离测试"}


def request_as(app, user, probe: Probe, method: str, world: World, query: str = ""):
    url = probe.url + query
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {issue_token(user, name='isolation')}"}
        client = app.test_client()
        if method == "GET":
            return client.open(url, method=method, headers=headers)
        return client.open(url, method=method, headers=headers, json=_body_for(probe, world))
    client = _session_client(app, user)
    if method == "GET":
        return client.open(url, method=method)
    return client.open(url, method=method, data=_body_for(probe, world))


def _text(response) -> str:
    if response.mimetype == XLSX_MIME:  # a spreadsheet export: read its cells, not its zip
        return _xlsx_text(response.get_data())
    text = response.get_data(as_text=True)
    if response.is_json:
        try:
            text += json.dumps(response.get_json(), ensure_ascii=False)
        except Exception:  # noqa: BLE001 - invalid JSON still gets the text check
            pass
    return text + " " + response.headers.get("Location", "")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_text(data: bytes) -> str:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                    for v in row if v is not None)


def _unit_ids(value):
    """Every ``unit_id`` anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "unit_id" and isinstance(item, int):
                yield item
            else:
                yield from _unit_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _unit_ids(item)


def leaks(response, world_b: World) -> list[str]:
    found = []
    text = _text(response)
    for marker in b_markers(world_b):
        if marker in text:
            found.append(f"body contains {marker!r}")
    if response.is_json:
        try:
            body = response.get_json()
        except Exception:  # noqa: BLE001
            body = None
        if world_b.id("unit") in set(_unit_ids(body)):
            found.append(f"JSON holds unit_id={world_b.id('unit')} (unit B)")
    return found


# -- snapshots of B's rows ---------------------------------------------------------
def _scoped_models():
    skip = {getattr(models, "AuditEvent", None)}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "scope_column", None) and cls not in skip:
            yield cls


def snapshot(unit_id: int) -> dict:
    db.session.expire_all()
    rows = {}
    for cls in _scoped_models():
        column = getattr(cls, cls.scope_column)
        table = cls.__table__
        result = db.session.execute(sa.select(table).where(table.c[column.key] == unit_id).order_by(*table.primary_key.columns))
        rows[cls.__name__] = [tuple(r) for r in result]
    return rows


# -- the tests -----------------------------------------------------------------------
def test_every_route_parameter_is_mapped(app, worlds):
    """A new URL parameter must be taught to this file, or the walk would skip the route."""
    _, world_b, _ = worlds
    unknown = []
    for rule, _method in walked_rules(app):
        try:
            expand(rule, world_b)
        except UnknownParameter as exc:
            unknown.append(f"{rule.rule} ({rule.endpoint}): parameter <{exc.args[0]}>")
    assert not unknown, (
        "tests/test_isolation.py does not know these URL parameters, so it cannot fill them with "
        "another unit's objects. Add each to PARAM_KINDS (parameter -> object kind, and teach "
        "_create_unit_world to make that kind) or to PARAM_VALUES (a plain value):\n  "
        + "\n  ".join(sorted(set(unknown))))


def test_every_route_refuses_another_units_objects(app, worlds):
    world_a, world_b, _ = worlds
    user_a = world_a.objects["user"]
    before = snapshot(world_b.id("unit"))
    failures, walked = [], 0
    for rule, method in walked_rules(app):
        try:
            probes = expand(rule, world_b)
        except UnknownParameter:
            continue  # reported by test_every_route_parameter_is_mapped
        roles = required_roles(app, rule.endpoint)
        office_only = bool(roles) and "unit" not in roles
        for probe in probes:
            walked += 1
            queries = [""]
            if not _PARAM.search(rule.rule) and method == "GET":
                # list filters must not widen the scope either
                queries.append(f"?unit_id={world_b.id('unit')}")
            for query in queries:
                response = request_as(app, user_a, probe, method, world_b, query)
                where = f"{method} {probe.url}{query} [{rule.endpoint}] -> {response.status_code}"
                status = response.status_code
                if office_only:
                    if status != 403:
                        failures.append(f"{where}: office-only route, expected 403")
                elif probe.names_owned_object:
                    if status != 404:
                        failures.append(f"{where}: names unit B's {'/'.join(probe.kinds)}, expected 404")
                elif status >= 500:
                    failures.append(f"{where}: server error")
                elif method == "GET" and probe.kinds and status == 404:
                    failures.append(f"{where}: shared object ({'/'.join(probe.kinds)}) should not be 404")
                if status == 401:
                    failures.append(f"{where}: the probe was not authenticated (test bug?)")
                for leak in leaks(response, world_b):
                    failures.append(f"{where}: LEAK: {leak}")
                if probe.url.startswith("/api/") and status >= 400:
                    body = response.get_json(silent=True)
                    if not (isinstance(body, dict) and set(body) == {"error"}):
                        failures.append(f"{where}: API error without the error envelope")
    assert walked, "the walk requested nothing"
    assert not failures, "isolation failures:\n  " + "\n  ".join(failures)
    assert snapshot(world_b.id("unit")) == before, "a request by unit A changed unit B's rows"


@pytest.mark.parametrize("who", ["office", "owner"])
def test_walk_urls_reach_real_objects(app, worlds, who):
    """Control: the same URLs are not 404 for someone who may see the objects.

    Without this, a walk whose URLs pointed nowhere would pass vacuously.
    """
    world_a, world_b, office = worlds
    user, world = (office, world_b) if who == "office" else (world_a.objects["user"], world_a)
    failures, checked = [], 0
    for rule, method in walked_rules(app):
        if method != "GET" or not _PARAM.search(rule.rule) or rule.endpoint in CONTROL_404_ALLOWED:
            continue
        roles = required_roles(app, rule.endpoint)
        if who == "owner" and roles and "unit" not in roles:
            continue
        try:
            probes = expand(rule, world)
        except UnknownParameter:
            continue
        results = []
        for probe in probes:
            checked += 1
            response = request_as(app, user, probe, method, world)
            results.append((probe.url, response.status_code))
        misses = [(url, status) for url, status in results if status == 404 or status >= 500]
        if "object_type" in rule.arguments:
            # a generic route need not serve every kind: one kind reached is enough, and no 5xx
            if len(misses) == len(results) or any(status >= 500 for _, status in misses):
                failures.extend(f"GET {url} [{rule.endpoint}] -> {status}" for url, status in misses)
        else:
            failures.extend(f"GET {url} [{rule.endpoint}] -> {status}" for url, status in misses)
    assert checked, "no parameterised GET route was checked"
    assert not failures, (
        f"as {who}, these URLs of the isolation walk do not reach the object (so the walk proves "
        "nothing for them; fix the mapping, or list the endpoint in CONTROL_404_ALLOWED with a reason):\n  "
        + "\n  ".join(failures))


@pytest.mark.parametrize("url", sorted(BULK_ITEM_URLS))
def test_bulk_walk_bodies_change_the_item(app, worlds, url):
    """Control: the walk's body for a bulk route does change B's item when the office sends it,
    so the walk's 403 for the other roles (and B's unchanged rows) is not vacuous."""
    _, world_b, office = worlds
    before = snapshot(world_b.id("unit"))
    response = request_as(app, office, Probe(url, ()), "POST", world_b)
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:300]
    db.session.expire_all()
    assert db.session.get(models.RectificationItem, world_b.id("item")).due_date == date(2999, 12, 31)
    assert snapshot(world_b.id("unit")) != before


def test_api_unit_list_shows_only_own_unit(app, worlds):
    world_a, world_b, _ = worlds
    headers = {"Authorization": f"Bearer {issue_token(world_a.objects['user'], name='t')}"}
    body = app.test_client().get("/api/v1/units?per_page=200", headers=headers).get_json()
    assert [u["id"] for u in body["items"]] == [world_a.id("unit")]
    assert body["total"] == 1


def test_api_user_list_shows_only_own_units_users(app, worlds):
    world_a, world_b, _ = worlds
    headers = {"Authorization": f"Bearer {issue_token(world_a.objects['user'], name='t')}"}
    body = app.test_client().get("/api/v1/users?per_page=200", headers=headers).get_json()
    assert body["items"], "A's own user is missing"
    assert {u["unit_id"] for u in body["items"]} == {world_a.id("unit")}
    assert world_b.objects["user"].id not in {u["id"] for u in body["items"]}


def test_units_page_shows_only_own_unit(app, worlds):
    world_a, world_b, _ = worlds
    client = _session_client(app, world_a.objects["user"])
    for url in ("/units/", "/units/?q=单位区司法局", "/units/?q=区司法局"):
        text = client.get(url).get_data(as_text=True)
        assert MARKER not in text, url
    assert world_a.objects["unit"].name in client.get("/units/").get_data(as_text=True)


def test_every_list_endpoint_hides_other_units(app, worlds):
    """Every parameter-less GET (lists, dashboards, exports) as A: nothing of B's, even paged."""
    world_a, world_b, _ = worlds
    user_a = world_a.objects["user"]
    failures = []
    for rule, method in walked_rules(app):
        if method != "GET" or _PARAM.search(rule.rule):
            continue
        for query in ("", "?page=1&per_page=200", "?page=2", "?q=单位区司法局"):
            response = request_as(app, user_a, Probe(rule.rule, ()), "GET", world_b, query)
            for leak in leaks(response, world_b):
                failures.append(f"GET {rule.rule}{query} -> {response.status_code}: {leak}")
    assert not failures, "\n  ".join(failures)


def test_office_sees_both_units(app, worlds):
    """Sanity for the list checks above: the data is there for someone allowed to see it."""
    world_a, world_b, office = worlds
    headers = {"Authorization": f"Bearer {issue_token(office, name='t')}"}
    body = app.test_client().get("/api/v1/units?per_page=200", headers=headers).get_json()
    assert {world_a.id("unit"), world_b.id("unit")} <= {u["id"] for u in body["items"]}
