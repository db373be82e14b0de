"""schemathesis over /api/v1/openapi.json, through the Flask WSGI app, on every backend.

Every operation gets bounded generated requests (positive and negative
data), once with generated path ids and, for operations that name an object,
once more with the ids of real objects, so bodies reach the services and the
workflow rather than stopping at a 404. As the office and as a unit user: no
response may be a 500, have an undocumented status or content type, or break
its documented schema.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from helpers import new_cycle, new_notice
from pufa_flow.extensions import db

#: examples per operation and mode; PUFA_SCHEMATHESIS_EXAMPLES raises it for a longer hunt
EXAMPLES = int(os.environ.get("PUFA_SCHEMATHESIS_EXAMPLES", "8"))
#: the same examples every run unless PUFA_SCHEMATHESIS_RANDOM=1 (a hunt for new ones)
DERANDOMIZE = os.environ.get("PUFA_SCHEMATHESIS_RANDOM") != "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: path parameter -> the kind of object in the world whose id fills it
REAL_IDS = {"unit_id": "unit", "user_id": "user", "cycle_id": "cycle", "assessment_id": "assessment",
            "notice_id": "notice", "item_id": "item", "attachment_id": "attachment", "inspection_id": "inspection"}


@pytest.fixture
def api_world(app, office_user, make_unit, make_user, token_for):
    unit = make_unit("模糊测试单位")
    unit_user = make_user("unit", unit=unit)
    cycle = new_cycle(office_user, [unit])
    notice = new_notice(office_user, unit, n_items=2)
    from pufa_flow.services import attachments

    stored = attachments.store_upload(b"%PDF-1.4 fuzz", "报告.pdf", unit_id=unit.id, uploader=None)
    attachment = attachments.link(stored, "notice", notice.id)
    from pufa_flow.services.inspections import create_inspection

    inspection = create_inspection({"name": "模糊测试督查", "starts_on": "2026-08-12", "ends_on": "2026-08-14",
                                    "unit_ids": [unit.id]}, actor=office_user)
    db.session.commit()
    ids = {"unit": unit.id, "user": unit_user.id, "cycle": cycle.id, "assessment": cycle.assessments[0].id,
           "notice": notice.id, "item": notice.items[0].id, "attachment": attachment.id,
           "inspection": inspection.id}
    return {"office": token_for(office_user), "unit": token_for(unit_user), "ids": ids}


def _run(operation, headers: dict, mode: GenerationMode, path_parameters: dict | None) -> list[str]:
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def probe(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except FailureGroup as group:
            failures.extend(f"{operation.label} [{mode.value}] {f.title}: {f.message[:300]}\n"
                            f"    {case.method} {case.formatted_path} query={case.query!r} body={case.body!r:.200}"
                            for f in group.exceptions)
        except AssertionError as exc:  # a single failed check
            failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:400]}")

    probe()
    return failures


# schemathesis's WSGI transport leaves a streamed file response (the attachment download) unclosed
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("role", ["office", "unit"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(app, api_world, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = api_world[role]
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        names = [p.name for p in operation.path_parameters]
        variants = [None]
        if names and all(n in REAL_IDS for n in names):
            variants.append({n: api_world["ids"][REAL_IDS[n]] for n in names})
        for path_parameters in variants:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                failures.extend(_run(operation, headers, mode, path_parameters))
    assert operations >= 20
    unique = sorted(set(failures))
    assert not unique, f"{len(unique)} failures:\n" + "\n".join(unique[:40])
