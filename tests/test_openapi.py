"""/api/v1/openapi.json: valid, complete, and true to the real responses."""
from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


from pufa_flow.extensions import db
from test_isolation import UnknownParameter, expand, opened_world

_CONVERTER = re.compile(r"<(?:[^<>:]+:)?(\w+)>")
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
PUBLIC = {"api.openapi", "api.issue_token"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def api_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield rule, method.lower()


def openapi_path(rule) -> str:
    return _CONVERTER.sub(r"{\1}", rule.rule)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validator_for(spec: dict, path: str, method: str, status: str) -> Draft202012Validator:
    """A validator for one documented response, with #/components resolved inside the document."""
    registry = Registry().with_resource("urn:pufa-openapi", Resource.from_contents(
        spec, default_specification=DRAFT202012))
    target = _pointer("paths", path, method, "responses", status, "content", "application/json", "schema")
    return Draft202012Validator({"$ref": f"urn:pufa-openapi#/{target}"}, registry=registry)


def test_document_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_paths_and_methods_match_the_url_map(app, spec):
    routed = {(openapi_path(rule), method) for rule, method in api_rules(app)}
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops
                  if method in HTTP_METHODS}
    assert documented - routed == set(), "documented but not routed"
    assert routed - documented == set(), "routed but not documented"


def test_path_parameters_are_documented(app, spec):
    for rule, method in api_rules(app):
        op = spec["paths"][openapi_path(rule)][method]
        documented = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert documented == set(rule.arguments), f"{method.upper()} {rule.rule}"


def test_every_error_response_uses_the_error_schema(spec):
    """Every error is the envelope: the Error schema, or anyOf [a narrower envelope, Error] (a bulk refusal)."""
    error_ref = {"$ref": "#/components/schemas/Error"}
    schemas = spec["components"]["schemas"]
    assert "Error" in schemas
    checked = narrowed = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status.startswith("4") or status.startswith("5"):
                    checked += 1
                    schema = response["content"]["application/json"]["schema"]
                    if schema == error_ref:
                        continue
                    where = f"{method.upper()} {path} {status}"
                    assert set(schema) == {"anyOf"} and schema["anyOf"][-1] == error_ref, where
                    for option in schema["anyOf"][:-1]:
                        narrower = schemas[option["$ref"].rsplit("/", 1)[-1]]
                        assert narrower["required"] == ["error"] and set(narrower["properties"]) == {"error"}, where
                        inner = narrower["properties"]["error"]
                        assert {"code", "message", "details"} == set(inner["properties"]), where
                        narrowed += 1
    assert checked and narrowed


def test_documented_errors_cover_what_the_declarations_imply(app, spec):
    """Protected operations document 401; role-restricted ones 403; ones naming an object 404."""
    for rule, method in api_rules(app):
        op = spec["paths"][openapi_path(rule)][method]
        where = f"{method.upper()} {rule.rule}"
        if rule.endpoint in PUBLIC:
            assert op.get("security") == [], f"{where} is public but documented as needing a token"
            continue
        assert "401" in op["responses"], where
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", ())
        if roles:
            assert "403" in op["responses"], where
        if rule.arguments:
            assert "404" in op["responses"], where


def test_error_schema_matches_real_errors(app, client, spec):
    validator = validator_for(spec, "/api/v1/units", "get", "401")
    for response in (client.get("/api/v1/units"), client.get("/api/v1/units/999999"),
                     client.post("/api/v1/units", data="x", headers={"Authorization": "Bearer pf_bad"})):
        assert response.status_code == 401
        validator.validate(response.get_json())


ROLES = ["office", "unit", "evaluator", "panel", "viewer"]


@pytest.fixture
def role_headers(app, office_user, make_user, request):
    """A token for one role, in a world with one unit owning one of everything (scored and graded)."""
    from pufa_flow.services.auth import issue_token
    from helpers import assign

    world = opened_world("接口文档单位", office_user)
    role = request.param
    if role == "office":
        user = office_user
    elif role == "unit":
        user = world.objects["user"]
    else:
        user = make_user(role)
        if role in ("evaluator", "panel") and world.has("cycle"):
            assign(user, world.objects["cycle"], [world.objects["unit"]])
    if world.has("assessment"):  # scores and a grade, so their formats are checked too
        assessment = world.objects["assessment"]
        assessment.self_score, assessment.review_score, assessment.grade = 95.5, 92, "excellent"
        db.session.commit()
    return {"Authorization": f"Bearer {issue_token(user, name='spec')}"}, world


@pytest.mark.parametrize("role_headers", ROLES, indirect=True)
def test_real_get_responses_validate_against_the_documented_schema(app, client, spec, role_headers):
    """Every GET (lists without parameters, details with the objects of one unit), for every role."""
    headers, world = role_headers
    checked, failures = 0, []
    for rule, method in api_rules(app):
        if method != "get":
            continue
        try:
            probes = expand(rule, world)
        except UnknownParameter:
            continue  # tests/test_isolation.py names the missing parameter
        path = openapi_path(rule)
        documented = spec["paths"][path]["get"]["responses"]
        for probe in probes:
            response = client.get(probe.url, headers=headers)
            status = str(response.status_code)
            if "object_type" in rule.arguments and status == "404":
                continue
            if status not in documented:
                failures.append(f"GET {probe.url} -> {status}, not documented")
                continue
            if "content" not in documented[status]:
                continue
            if "application/json" not in documented[status]["content"]:
                # a download (.docx): the body is the documented media type, not JSON
                if response.mimetype not in documented[status]["content"]:
                    failures.append(f"GET {probe.url} -> {response.mimetype}, documented "
                                    f"{list(documented[status]['content'])}")
                checked += 1
                continue
            checked += 1
            errors = list(validator_for(spec, path, "get", status).iter_errors(response.get_json()))
            failures.extend(f"GET {probe.url} -> {status}: {e.json_path}: {e.message}" for e in errors[:3])
    assert checked
    assert not failures, "\n  ".join(failures)


def _response_schemas(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                content = response.get("content", {}).get("application/json")
                if content:
                    yield f"{method.upper()} {path} {status}", content["schema"]


def _objects_in(schema, spec, seen=None):
    """Every object schema reachable from ``schema`` (refs resolved once)."""
    seen = set() if seen is None else seen
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        yield from _objects_in(spec["components"]["schemas"][name], spec, seen)
        return
    if schema.get("type") == "object" or "properties" in schema:
        yield schema
        for sub in schema.get("properties", {}).values():
            yield from _objects_in(sub, spec, seen)
    if "items" in schema:
        yield from _objects_in(schema["items"], spec, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _objects_in(sub, spec, seen)


#: objects (by their properties) with a property left out on purpose -> that property
DELIBERATELY_OPTIONAL = {
    # SelfScore's preselected entry carries a count only for a per-unit rule (record_suggestions.preselected)
    frozenset({"rule_id", "count", "note"}): {"count"},
}


def test_response_schemas_are_exact(spec):
    """Every object in a JSON response (inside anyOf/oneOf too) requires all its properties and allows no other."""
    loose = []
    for where, schema in _response_schemas(spec):
        for obj in _objects_in(schema, spec):
            props = obj.get("properties")
            if not props:
                continue
            if obj.get("additionalProperties") is not False:
                loose.append(f"{where}: {sorted(props)} allows other properties")
            missing = (set(props) - set(obj.get("required", [])) - {"details"}
                       - DELIBERATELY_OPTIONAL.get(frozenset(props), set()))
            if missing:
                loose.append(f"{where}: {sorted(missing)} not required")
    assert not loose, "\n".join(sorted(set(loose)))


def test_a_dropped_field_fails_the_schema(app, client, spec, office_user, token_for):
    """The exact schemas catch a field dropped from a response (and an extra one)."""
    world = opened_world("接口文档单位", office_user)
    body = client.get(f"/api/v1/units/{world.id('unit')}", headers=token_for(office_user)).get_json()
    validator = validator_for(spec, "/api/v1/units/{unit_id}", "get", "200")
    assert not list(validator.iter_errors(body))
    assert list(validator.iter_errors({k: v for k, v in body.items() if k != "kind_label"}))
    assert list(validator.iter_errors({**body, "secret": 1}))


def test_input_schemas_state_what_the_server_enforces(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["UnitInput"]["properties"]["name"] == {
        "type": "string", "maxLength": 100, "minLength": 1, "pattern": r"\S",
        "description": schemas["UnitInput"]["properties"]["name"]["description"]}
    notice = schemas["NoticeInput"]["properties"]
    assert notice["items"]["minItems"] == 1 and notice["items"]["maxItems"] == 200
    assert notice["unit_id"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert notice["issued_on"]["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert schemas["CycleInput"]["properties"]["year"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    assert schemas["UserInput"]["properties"]["password"]["minLength"] == 8
    assert "acknowledge" in schemas["ItemTransitionInput"]["properties"]["trigger"]["enum"]
    assert schemas["ItemTransitionInput"]["properties"]["comment"]["maxLength"] == 2000
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/items"]["get"]["parameters"]}
    assert "issued" in params["status"]["enum"]
    assert params["per_page"] == {"type": "integer", "minimum": 1, "maximum": 200}
