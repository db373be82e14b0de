"""Scoring by the 评议指标 of seed 003 附件2: cases worked out by hand, refusals, properties."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pufa_flow.frameworks import (
    MAX_COUNT,
    Category,
    Framework,
    Indicator,
    Rule,
    ScoreSheetInvalid,
    applicable_rules,
    compute,
)
from pufa_flow.frameworks.nanchang_2023 import NANCHANG_2023 as F


def e(rule_id, count=None, tier=None, note=""):
    entry = {"rule_id": rule_id, "count": count, "note": note}
    if tier is not None:
        entry["tier"] = tier
    return entry


def sheet(*entries, power=True):
    return compute(F, list(entries), has_enforcement_power=power)


def ind(s, number):
    for c in s.categories:
        for i in c.indicators:
            if i.number == number:
                return i
    return next(i for i in s.bonus_indicators if i.number == number)


def cat(s, name):
    return next(c.score for c in s.categories if c.name == name)


# -- hand-computed cases -------------------------------------------------------
def test_nothing_ticked_is_full_marks():
    s = sheet()
    assert (s.base, s.bonus, s.total) == (100, 0, 100)
    assert all(i.score == i.max_points and not i.applied for c in s.categories for i in c.indicators)


def test_case_1_three_of_five_information_items_costs_two_points():
    # 指标4（5分）：全年报送不少于5条，报送3条 → 少2条 × 1分 = 扣2分 → 3分；组织领导保障 25 − 2 = 23。
    s = sheet(e("n23-04-a", 2, note="全年报送3条"))
    i = ind(s, 4)
    assert (i.raw, i.score, i.capped) == (Decimal(2), Decimal(3), False)
    assert i.applied[0].text == "每少报送1条工作信息扣1分。" and i.applied[0].note == "全年报送3条"
    assert cat(s, "组织领导保障") == 23 and s.total == 98


def test_case_2_one_case_missing_costs_four_of_eight():
    # 指标11（8分）：“扣8分（每少1个扣4分）”，少报1个 → 扣4分 → 4分。
    i = ind(sheet(e("n23-11-a", 1)), 11)
    assert (i.raw, i.score) == (Decimal(4), Decimal(4))


def test_case_3_per_unit_rule_stops_at_its_cap():
    # 少报2个 → 8分全扣；少报5个 → 5 × 4 = 20，但本条最多扣8分 → 仍为0分，且未超指标分值。
    assert ind(sheet(e("n23-11-a", 2)), 11).score == 0
    i = ind(sheet(e("n23-11-a", 5)), 11)
    assert (i.applied[0].amount, i.raw, i.score, i.capped) == (Decimal(8), Decimal(8), Decimal(0), False)


def test_case_4_whole_rule_zeroes_the_indicator():
    # 指标1（4分）：“……不得分。” → 0分；组织领导保障 25 − 4 = 21。
    s = sheet(e("n23-01-a"))
    assert (ind(s, 1).score, ind(s, 1).raw) == (Decimal(0), Decimal(4))
    assert cat(s, "组织领导保障") == 21


def test_case_5_fixed_rules_add_up_within_an_indicator():
    # 指标3（10分）：未制定计划扣4 + 未及时报备扣2 → 4分；指标6（9分）：扣2 + 扣3 → 4分。
    s = sheet(e("n23-03-a"), e("n23-03-c"), e("n23-06-a"), e("n23-06-c"))
    assert ind(s, 3).score == 4 and ind(s, 6).score == 4
    assert cat(s, "组织领导保障") == 19 and cat(s, "系统内普法") == 20 and s.total == 89


def test_case_6_conditional_rule_applies_to_a_unit_with_enforcement_power():
    # 指标10（10分）：未落实司法、执法公开制度扣4 → 6分（有执法权限的单位）。
    assert ind(sheet(e("n23-10-b")), 10).score == 6


def test_case_7_conditional_rule_is_refused_for_a_unit_without_enforcement_power():
    with pytest.raises(ScoreSheetInvalid) as caught:
        sheet(e("n23-10-a"), e("n23-10-b"), power=False)
    assert caught.value.errors == {1: "该规则不适用于无司法、执法权限的单位"}
    ids = [r.id for r in applicable_rules(F, False)]
    assert "n23-10-b" not in ids and len(ids) == 31
    assert len(applicable_rules(F, True)) == 32
    # the other rule of indicator 10 still applies to such a unit
    assert ind(sheet(e("n23-10-a"), power=False), 10).score == 4


def test_case_8_innovation_category_with_two_kinds_of_rule():
    # 指标14（10分）：只用1个载体以下扣5 + 报道2篇（少3篇）扣3 → 2分；指标15（5分）：宣传4次（少1次）扣1 → 4分。
    s = sheet(e("n23-14-a"), e("n23-14-b", 3), e("n23-15-a", 1))
    assert (ind(s, 14).score, ind(s, 15).score) == (2, 4)
    assert cat(s, "创新普法工作方式方法") == 6 and s.total == 91


def test_case_9_bonus_adds_by_tier():
    # 指标16 国家级表彰 5 + 指标17 获奖 5 + 指标18 省级基地 3 = 13；总分 100 + 13 = 113。
    s = sheet(e("n23-16-a", tier="national"), e("n23-17-a"), e("n23-18-a", tier="provincial"))
    assert [i.score for i in s.bonus_indicators] == [5, 5, 3]
    assert (s.bonus, s.bonus_capped, s.total) == (13, False, 113)


def test_case_10_bonus_stops_at_each_indicator_and_at_fifteen():
    # 指标16：国家级5 + 省级3 = 8 → 本项5分封顶；指标18：市级基地×3 = 6 → 5分；指标17：5。
    # 加分合计 15（已封顶，所得19分中4分未计），总分 100 + 15 = 115。
    s = sheet(
        e("n23-16-a", tier="national"), e("n23-16-a", tier="provincial"),
        e("n23-17-a"), e("n23-18-a", 3, tier="municipal"),
    )
    assert [(i.raw, i.score, i.capped) for i in s.bonus_indicators] == [(8, 5, True), (5, 5, False), (6, 5, True)]
    assert (s.bonus_raw, s.bonus, s.bonus_capped, s.total) == (19, 15, True, 115)


def test_case_11_everything_wrong_is_zero_and_bonus_still_adds():
    entries = []
    for r in applicable_rules(F, True):
        if r.kind == "per_unit":
            entries.append(e(r.id, 10))
        elif r.kind == "tier":
            entries.append(e(r.id, tier="municipal"))
        else:
            entries.append(e(r.id))
    s = compute(F, entries, has_enforcement_power=True)
    assert s.base == 0 and all(c.score == 0 for c in s.categories)
    assert (s.bonus, s.total) == (9, 9)  # 市级 2 + 获奖 5 + 市级 2


def test_case_12_a_per_unit_count_of_zero_costs_nothing():
    assert ind(sheet(e("n23-13-a", 0)), 13).score == 6
    assert ind(sheet(e("n23-13-a", 1)), 13).score == 3


def test_deductions_beyond_an_indicators_points_stop_at_zero_and_are_flagged():
    # 附件2 itself never over-deducts; a table that can (4 + 3 on a 5-point indicator) shows the flag.
    fw = Framework(
        id="t", name="t", version="1", kind="score_sheet",
        categories=(Category("a", "甲", Decimal(100), (
            Indicator(1, "一", "一", Decimal(5), False, (
                Rule("t-a", "扣4分", "fixed", points=Decimal(4)), Rule("t-b", "扣3分", "fixed", points=Decimal(3)))),
            Indicator(2, "二", "二", Decimal(95), False, (Rule("t-c", "扣1分", "fixed", points=Decimal(1)),)),
        )),),
    )
    s = compute(fw, [e("t-a"), e("t-b")], has_enforcement_power=False)
    i = s.categories[0].indicators[0]
    assert (i.raw, i.score, i.capped) == (Decimal(7), Decimal(0), True)
    assert s.total == 95 and s.bonus == 0


def test_scores_are_decimals():
    s = sheet(e("n23-04-a", 2))
    assert all(isinstance(x, Decimal) for x in (s.total, s.base, s.bonus, ind(s, 4).score, s.categories[0].score))


# -- refusals ------------------------------------------------------------------
@pytest.mark.parametrize("entry, reason", [
    (e("n23-99-a"), "没有编号为“n23-99-a”的评议规则"),
    ({"count": 1}, "缺少评议规则编号"),
    (e(7), "缺少评议规则编号"),
    ("n23-03-a", "格式不正确"),
    (e("n23-03-a", 1), "该规则不按数量计分，不能填写数量"),
    (e("n23-01-a", 0), "该规则不按数量计分，不能填写数量"),
    (e("n23-04-a"), "该规则按数量计分，须填写缺少的数量"),
    (e("n23-04-a", -1), "数量不能为负数"),
    (e("n23-04-a", 1.5), "数量须为整数"),
    (e("n23-04-a", 2.0), "数量须为整数"),
    (e("n23-04-a", "2"), "数量须为整数"),
    (e("n23-04-a", True), "数量须为整数"),
    (e("n23-04-a", MAX_COUNT + 1), "数量不能超过1000"),
    (e("n23-16-a"), "须选择级别（国家级、省级、市级）"),
    (e("n23-16-a", tier="county"), "须选择级别（国家级、省级、市级）"),
    (e("n23-16-a", 0, tier="national"), "数量须至少为1"),
    (e("n23-03-a", tier="national"), "该规则不分级别，不能填写级别"),
    (e("n23-03-a", note=5), "说明须为文字"),
    (e("n23-03-a", note=0), "说明须为文字"),
])
def test_a_bad_entry_is_refused_with_a_chinese_reason(entry, reason):
    with pytest.raises(ScoreSheetInvalid) as caught:
        sheet(e("n23-05-a"), entry)
    assert caught.value.errors == {1: reason}
    assert isinstance(caught.value, ValueError)


def test_every_bad_entry_is_reported_at_once_and_duplicates_are_refused():
    with pytest.raises(ScoreSheetInvalid) as caught:
        sheet(e("n23-03-a"), e("n23-03-a"), e("n23-04-a", 1), e("n23-04-a", 2), e("nope"),
              e("n23-16-a", tier="national"), e("n23-16-a", tier="national"), e("n23-16-a", tier="municipal"))
    assert caught.value.errors == {
        1: "同一评议规则重复填写", 3: "同一评议规则重复填写", 4: "没有编号为“nope”的评议规则", 6: "同一评议规则重复填写",
    }
    assert "第2项：同一评议规则重复填写" in str(caught.value)


def test_a_checklist_cannot_be_scored():
    from pufa_flow.frameworks.county_checklist import COUNTY_CHECKLIST

    with pytest.raises(ValueError, match="not a score sheet"):
        compute(COUNTY_CHECKLIST, [], has_enforcement_power=True)


# -- properties ----------------------------------------------------------------
@st.composite
def entry_lists(draw):
    power = draw(st.booleans())
    rules = draw(st.lists(st.sampled_from(applicable_rules(F, power)), unique_by=lambda r: r.id))
    entries = []
    for r in rules:
        if r.kind == "per_unit":
            entries.append(e(r.id, draw(st.integers(0, MAX_COUNT))))
        elif r.kind == "tier":
            for key in draw(st.lists(st.sampled_from([t.key for t in r.tiers]), min_size=1, unique=True)):
                entries.append(e(r.id, draw(st.none() | st.integers(1, 5)), tier=key))
        else:
            entries.append(e(r.id))
    return power, entries


@settings(max_examples=300, deadline=None)
@given(entry_lists())
def test_scores_stay_within_their_bounds_and_add_up(drawn):
    power, entries = drawn
    s = compute(F, entries, has_enforcement_power=power)
    for c in s.categories:
        for i in c.indicators:
            assert 0 <= i.score <= i.max_points
            assert i.score == max(Decimal(0), i.max_points - i.raw)
            assert i.capped == (i.raw > i.max_points)
        assert c.score == sum(i.score for i in c.indicators) <= c.max_points
    assert 0 <= s.bonus <= 15 and s.bonus <= s.bonus_raw
    assert all(0 <= i.score <= i.max_points for i in s.bonus_indicators)
    assert s.base == sum(c.score for c in s.categories) <= 100
    assert s.total == s.base + s.bonus
    assert sum(len(i.applied) for c in s.categories for i in c.indicators) + sum(
        len(i.applied) for i in s.bonus_indicators) == len(entries)
