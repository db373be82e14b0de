"""Ten units' sheets, from 附件2's rules, computed by hand and then by pufa-flow end to end:
saved through the API, submitted, and the stored self_score compared with the pencil.

Each case writes its arithmetic out. The unit here has 执法权限 unless the case says not.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from helpers import IN_SELF_ASSESSMENT, new_cycle

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import UnitAssessment
from pufa_flow.services import self_assessment, workflow

PROBLEM = {"problems": [{"title": "普法形式单一", "body": "具体表现" * 60}]}

# (name, entries, {indicator: score}, {category: score}, bonus, total)
CASES = [
    ("3 of 5 工作信息 → 5 − 1×2 = 3; organisation 25 − 2 = 23; total 98",
     [{"rule_id": "n23-04-a", "count": 2}], {4: "3"}, {"organisation": "23"}, "0", "98"),
    ("no plan (4) + no list (4) + late filing (2): indicator 3 = 10 − 10 = 0; total 90",
     [{"rule_id": "n23-03-a"}, {"rule_id": "n23-03-b"}, {"rule_id": "n23-03-c"}], {3: "0"},
     {"organisation": "15"}, "0", "90"),
    ("one case of 2 missing: 8 − 4 = 4; public 35 − 4 = 31; total 96",
     [{"rule_id": "n23-11-a", "count": 1}], {11: "4"}, {"public": "31"}, "0", "96"),
    ("five cases missing: 4 × 5 = 20, capped at the rule's 8: indicator 11 = 0; total 92",
     [{"rule_id": "n23-11-a", "count": 5}], {11: "0"}, {"public": "27"}, "0", "92"),
    ("党委（组）会 never studied it: indicator 1 不得分 = 0 of 4; total 96",
     [{"rule_id": "n23-01-a"}], {1: "0"}, {"organisation": "21"}, "0", "96"),
    ("no training (3) + no court visit (2): indicator 6 = 9 − 5 = 4; internal 20; total 95",
     [{"rule_id": "n23-06-c"}, {"rule_id": "n23-06-d"}], {6: "4"}, {"internal": "20"}, "0", "95"),
    ("执法公开 not done (4, the unit has 执法权限) + no 普法 in enforcement (6): indicator 10 = 0; total 90",
     [{"rule_id": "n23-10-a"}, {"rule_id": "n23-10-b"}], {10: "0"}, {"public": "25"}, "0", "90"),
    ("one 专项活动 missing (3) + 2 screen posts missing (2): 13 → 3, 15 → 3; total 95",
     [{"rule_id": "n23-13-a", "count": 1}, {"rule_id": "n23-15-a", "count": 2}], {13: "3", 15: "3"},
     {"public": "32", "innovation": "13"}, "0", "95"),
    ("no carrier (5) + 3 reports missing (3): indicator 14 = 10 − 8 = 2; innovation 7; "
     "provincial commendation +3: total 92 + 3 = 95",
     [{"rule_id": "n23-14-a"}, {"rule_id": "n23-14-b", "count": 3}, {"rule_id": "n23-16-a", "tier": "provincial"}],
     {14: "2", 16: "3"}, {"innovation": "7"}, "3", "95"),
    ("bonus: national (5) + animation prize (5) + two national bases (2 × 5 = 10 → indicator 18 at 5) "
     "= 15, at the cap; no art work (4): internal 21; total 96 + 15 = 111",
     [{"rule_id": "n23-16-a", "tier": "national"}, {"rule_id": "n23-17-a"},
      {"rule_id": "n23-18-a", "tier": "national", "count": 2}, {"rule_id": "n23-08-c"}],
     {16: "5", 17: "5", 18: "5", 8: "4"}, {"internal": "21"}, "15", "111"),
    ("municipal commendation (2) + municipal base (2) with 联络员 unclear (2), no budget (2): "
     "organisation 21; total 96 + 4 = 100",
     [{"rule_id": "n23-16-a", "tier": "municipal"}, {"rule_id": "n23-18-a", "tier": "municipal"},
      {"rule_id": "n23-02-b"}, {"rule_id": "n23-05-a"}],
     {2: "2", 5: "0", 16: "2", 18: "2"}, {"organisation": "21"}, "4", "100"),
]


@pytest.fixture
def unit_world(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        unit = make_unit("区市场监管局", has_enforcement_power=True)
        user = make_user("unit", unit)
        cycle = new_cycle(office_user, [unit])
        workflow.fire(cycle, "start", actor=office_user)
        yield db.session.scalars(sa.select(UnitAssessment)).one(), user


@pytest.mark.parametrize("name, entries, indicators, categories, bonus, total", CASES, ids=[c[0][:40] for c in CASES])
def test_hand_computed_case(client, token_for, unit_world, name, entries, indicators, categories, bonus, total):
    a, user = unit_world
    r = client.put(f"/api/v1/assessments/{a.id}/self-score", json={"entries": entries}, headers=token_for(user))
    assert r.status_code == 200, r.json
    got_ind = {i["number"]: i["score"] for c in r.json["categories"] for i in c["indicators"]}
    got_ind.update({i["number"]: i["score"] for i in r.json["bonus"]["indicators"]})
    assert {n: got_ind[n] for n in indicators} == indicators
    got_cat = {c["key"]: c["score"] for c in r.json["categories"]}
    assert {k: got_cat[k] for k in categories} == categories
    assert (r.json["bonus"]["score"], r.json["total"]) == (bonus, total)
    # and what submit stores is the same figure
    self_assessment.save_report_text(a, "报告", actor=user)
    self_assessment.save_problems(a, PROBLEM, actor=user)
    self_assessment.submit(a, actor=user)
    db.session.expire_all()
    assert db.session.get(UnitAssessment, a.id).self_score == Decimal(total)
