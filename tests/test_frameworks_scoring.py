"""Score sheets computed from 003 附件2's rules, checked against hand computation."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pufa_flow.frameworks import NANCHANG_2023, Category, Framework, Indicator, Rule, RuleKind, ScoreRefused, UnitProfile, compute_sheet

ENFORCER = UnitProfile("department", True)
NON_ENFORCER = UnitProfile("department", False)


def indicator(sheet, number):
    return next(i for c in sheet["categories"] for i in c["indicators"] if i["number"] == number)


def category(sheet, name):
    return next(c for c in sheet["categories"] if c["name"] == name)


def test_framework_shape_is_annex_2():
    cats = [(c.name, c.max_points) for c in NANCHANG_2023.categories]
    assert cats == [("组织领导保障", 25), ("系统内普法", 25), ("面向社会普法", 35),
                    ("创新普法工作方式方法", 15), ("加分项", 15)]
    assert [i.number for i in NANCHANG_2023.indicators] == list(range(1, 19))
    assert [i.max_points for i in NANCHANG_2023.indicators[:15]] == [4, 4, 10, 5, 2, 9, 8, 8, 6, 10, 8, 5, 6, 10, 5]
    assert len(NANCHANG_2023.rules_by_id) == 36
    assert NANCHANG_2023.rules_by_id["3.1"][0].text == "未制定普法工作计划的，扣4分"


# (entries, indicator number, expected indicator score, expected total), by hand from 附件2
HAND_CASES = [
    # 1. 未制定普法工作计划的，扣4分: indicator 3 10 → 6, total 96
    ([{"rule_id": "3.1"}], 3, "6", "96"),
    # 2. all three of indicator 3: 4 + 4 + 2 = 10 → 0
    ([{"rule_id": "3.1"}, {"rule_id": "3.2"}, {"rule_id": "3.3"}], 3, "0", "90"),
    # 3. 工作信息 3 of 5: 2 missing × 1 = 2 → indicator 4 5 → 3
    ([{"rule_id": "4.1", "count": 2}], 4, "3", "98"),
    # 4. no 工作信息 at all: 5 × 1 = 5 → 0
    ([{"rule_id": "4.1", "count": 5}], 4, "0", "95"),
    # 5. one case of two: 每少1个扣4分 → 8 − 4 = 4
    ([{"rule_id": "11.1", "count": 1}], 11, "4", "96"),
    # 6. no case: 扣8分 → 0
    ([{"rule_id": "11.1", "count": 2}], 11, "0", "92"),
    # 7. 党委（组）会未研究…不得分: indicator 1 4 → 0
    ([{"rule_id": "1.1"}], 1, "0", "96"),
    # 8. 专项活动 one of two: 6 − 3 = 3; plus 显示屏 2 of 5: 5 − 3 = 2 → total 100 − 3 − 3 = 94
    ([{"rule_id": "13.1", "count": 1}, {"rule_id": "15.1", "count": 3}], 13, "3", "94"),
    # 9. indicator 14: 5 + 5 missing reports × 1 = 10 → 0
    ([{"rule_id": "14.1"}, {"rule_id": "14.2", "count": 5}], 14, "0", "90"),
    # 10. enforcer without 公开: 10 − 4 = 6, and 普法宣传 missing too: 6 − 6 = 0
    ([{"rule_id": "10.2"}, {"rule_id": "10.1"}], 10, "0", "90"),
    # 11. indicator 7 all four: 2 × 4 = 8 → 0; indicator 6 training: 9 − 3 = 6 → total 100 − 8 − 3 = 89
    ([{"rule_id": f"7.{n}"} for n in range(1, 5)] + [{"rule_id": "6.3"}], 7, "0", "89"),
    # 12. bonus: 省级表彰 3 + 动漫 5 + 国家级基地 5 = 13 on a perfect base → 113
    ([{"rule_id": "16.2"}, {"rule_id": "17.1"}, {"rule_id": "18.1"}], 16, "3", "113"),
]


@pytest.mark.parametrize("entries,number,score,total", HAND_CASES)
def test_hand_computed_cases(entries, number, score, total):
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, entries)
    assert indicator(sheet, number)["score"] == Decimal(score)
    assert sheet["total"] == Decimal(total)


def test_whole_indicator_and_fixed_rules_capped_at_zero():
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, [{"rule_id": "8.1"}, {"rule_id": "8.2"}, {"rule_id": "8.3"}])
    row = indicator(sheet, 8)
    assert (row["score"], row["capped"]) == (0, False)
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, [{"rule_id": "10.1"}, {"rule_id": "10.2"}])
    assert category(sheet, "面向社会普法")["score"] == 25


def _tiny(rules, bonus_rules=()):
    D = Decimal
    return Framework("t", "t", 1, (
        Category("甲", D(100), (Indicator(1, "x", D(100), rules),)),
        Category("加分项", D(15), (Indicator(2, "b", D(20), bonus_rules, is_bonus=True),), is_bonus=True),
    ))


def test_capped_flag_when_deductions_exceed_points():
    # 附件2's rules never exceed their indicator; an edited framework may
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, [{"rule_id": "14.1"}, {"rule_id": "14.2", "count": 5}])
    assert indicator(sheet, 14)["capped"] is False
    fw = _tiny((Rule("a", "扣60分", RuleKind.FIXED, Decimal(60)), Rule("b", "扣50分", RuleKind.FIXED, Decimal(50))),
               (Rule("c", "加20分", RuleKind.BONUS_TIER, Decimal(20)),))
    sheet = compute_sheet(fw, ENFORCER, [{"rule_id": "a"}, {"rule_id": "b"}, {"rule_id": "c"}])
    assert (indicator(sheet, 1)["score"], indicator(sheet, 1)["capped"]) == (0, True)
    assert (sheet["bonus"], sheet["bonus_capped"], sheet["total"]) == (15, True, 15)


def test_validated_at_import():
    with pytest.raises(ValueError, match="sum"):
        Framework("t", "t", 1, (Category("甲", Decimal(100), (Indicator(1, "x", Decimal(90), ()),)),))
    dup = Rule("a", "扣1分", RuleKind.FIXED, Decimal(1))
    with pytest.raises(ValueError, match="twice"):
        _tiny((dup, dup))
    with pytest.raises(ValueError, match="cap"):
        _tiny((Rule("p", "每少1个扣1分", RuleKind.PER_UNIT, Decimal(1)),))


def test_applied_carries_amount_and_text():
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, [{"rule_id": "4.1", "count": 3, "note": "只报了2条"}])
    (applied,) = indicator(sheet, 4)["applied"]
    assert applied == {"rule_id": "4.1", "text": "每少报送1条工作信息扣1分", "kind": "per_unit",
                       "count": 3, "note": "只报了2条", "amount": Decimal(3)}


@pytest.mark.parametrize("entries,fragment", [
    ([{"rule_id": "99.1"}], "没有编号"),
    ([{"rule_id": None}], "没有编号"),
    ([{"rule_id": "3.1", "count": 1}], "不按数量扣分"),
    ([{"rule_id": "4.1"}], "须填写缺少的数量"),
    ([{"rule_id": "4.1", "count": -1}], "应在1至5之间"),
    ([{"rule_id": "4.1", "count": 0}], "应在1至5之间"),
    ([{"rule_id": "4.1", "count": 10**12}], "应在1至5之间"),
    ([{"rule_id": "4.1", "count": 1.5}], "须填写缺少的数量"),
    ([{"rule_id": "4.1", "count": True}], "须填写缺少的数量"),
    ([{"rule_id": "4.1", "count": "2"}], "须填写缺少的数量"),
    ([{"rule_id": "11.1", "count": 3}], "应在1至2之间"),
    ([{"rule_id": "3.1"}, {"rule_id": "3.1"}], "重复选择"),
    ([{"rule_id": "16.1"}, {"rule_id": "16.3"}], "只能选择一个等级"),
])
def test_refusals(entries, fragment):
    with pytest.raises(ScoreRefused) as info:
        compute_sheet(NANCHANG_2023, ENFORCER, entries)
    assert fragment in str(info.value)


def test_rule_for_enforcers_cannot_be_chosen_for_a_unit_without_power():
    with pytest.raises(ScoreRefused) as info:
        compute_sheet(NANCHANG_2023, NON_ENFORCER, [{"rule_id": "3.1"}, {"rule_id": "10.2"}])
    assert [(e.index, e.rule_id) for e in info.value.errors] == [(1, "10.2")]
    assert "无司法、执法权限" in info.value.errors[0].message
    assert compute_sheet(NANCHANG_2023, NON_ENFORCER, [{"rule_id": "10.1"}])["total"] == 94


def test_every_error_reported_at_once():
    with pytest.raises(ScoreRefused) as info:
        compute_sheet(NANCHANG_2023, ENFORCER, [{"rule_id": "x"}, {"rule_id": "3.1"}, {"rule_id": "4.1", "count": 9}])
    assert [e.index for e in info.value.errors] == [0, 2]


def _entry(rule_id, count):
    rule, _ = NANCHANG_2023.rules_by_id[rule_id]
    if rule.kind is RuleKind.PER_UNIT:
        return {"rule_id": rule_id, "count": min(count, rule.required)}
    return {"rule_id": rule_id}


@st.composite
def entry_lists(draw):
    ids = draw(st.lists(st.sampled_from(sorted(NANCHANG_2023.rules_by_id)), unique=True))
    entries, tiers = [], set()
    for rid in ids:
        rule, ind = NANCHANG_2023.rules_by_id[rid]
        if rule.kind is RuleKind.BONUS_TIER:
            if ind.number in tiers:
                continue
            tiers.add(ind.number)
        entries.append(_entry(rid, draw(st.integers(1, 5))))
    return entries


@settings(max_examples=200, deadline=None)
@given(entry_lists())
def test_properties(entries):
    sheet = compute_sheet(NANCHANG_2023, ENFORCER, entries)
    base = Decimal(0)
    for cat in sheet["categories"]:
        for row in cat["indicators"]:
            assert 0 <= row["score"] <= row["max_points"]
        assert 0 <= cat["score"] <= cat["max_points"]
        assert cat["score"] == sum(r["score"] for r in cat["indicators"])
        if not cat["is_bonus"]:
            base += cat["score"]
    assert sheet["base"] == base
    assert 0 <= sheet["bonus"] <= 15
    assert sheet["total"] == base + sheet["bonus"]
    assert 0 <= sheet["total"] <= 115
