"""The frameworks this release knows, by id: what a stored score sheet names."""
from __future__ import annotations

from pufa_flow.frameworks.county_checklist import COUNTY_CHECKLIST
from pufa_flow.frameworks.model import Framework
from pufa_flow.frameworks.nanchang_2023 import NANCHANG_2023

FRAMEWORKS: dict[str, Framework] = {f.id: f for f in (NANCHANG_2023, COUNTY_CHECKLIST)}


def get_framework(framework_id: str) -> Framework | None:
    return FRAMEWORKS.get(framework_id)
