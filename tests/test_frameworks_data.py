"""The two frameworks of seed 003 as data: shapes, sums and the words of the table."""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pufa_flow.frameworks import Category, Framework, FrameworkInvalid, Indicator, Rule, Tier
from pufa_flow.frameworks.county_checklist import COUNTY_CHECKLIST
from pufa_flow.frameworks.nanchang_2023 import NANCHANG_2023

SEED = Path("/work/shared/seeds/003_c46aac2d2751cd11.txt")
HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def test_categories_and_maxima_are_the_tables():
    got = [(c.name, c.max_points, [i.number for i in c.indicators], c.is_bonus) for c in NANCHANG_2023.categories]
    assert got == [
        ("组织领导保障", 25, [1, 2, 3, 4, 5], False),
        ("系统内普法", 25, [6, 7, 8], False),
        ("面向社会普法", 35, [9, 10, 11, 12, 13], False),
        ("创新普法工作方式方法", 15, [14, 15], False),
        ("加分项", 15, [16, 17, 18], True),
    ]
    points = {i.number: i.max_points for i in NANCHANG_2023.indicators()}
    assert points == {1: 4, 2: 4, 3: 10, 4: 5, 5: 2, 6: 9, 7: 8, 8: 8, 9: 6, 10: 10,
                      11: 8, 12: 5, 13: 6, 14: 10, 15: 5, 16: 5, 17: 5, 18: 5}
    assert NANCHANG_2023.bonus_cap == Decimal(15)


def test_rule_ids_follow_the_scheme_and_kinds_are_as_encoded():
    kinds = {r.id: r.kind for i in NANCHANG_2023.indicators() for r in i.rules}
    assert len(kinds) == 32
    for i in NANCHANG_2023.indicators():
        for letter, r in zip("abcd", i.rules):
            assert r.id == f"n23-{i.number:02d}-{letter}"
    assert {k for k, v in kinds.items() if v == "whole"} == {"n23-01-a"}
    assert {k for k, v in kinds.items() if v == "per_unit"} == {"n23-04-a", "n23-11-a", "n23-13-a", "n23-14-b", "n23-15-a"}
    assert {k for k, v in kinds.items() if v == "tier"} == {"n23-16-a", "n23-18-a"}
    power = {r.id for i in NANCHANG_2023.indicators() for r in i.rules if r.requires_enforcement_power}
    assert power == {"n23-10-b"}


def test_fixed_deductions_of_an_indicator_never_exceed_its_points_except_by_design():
    # Every fixed rule of the table fits its indicator; the sums match the table exactly.
    for i in NANCHANG_2023.indicators():
        if not i.is_bonus:
            fixed = sum((r.points for r in i.rules if r.kind == "fixed"), Decimal(0))
            assert fixed <= i.max_points, i.number


def test_texts_are_full_width_and_verbatim_from_the_seed():
    texts = [r.text for i in NANCHANG_2023.indicators() for r in i.rules]
    texts += [i.content for i in NANCHANG_2023.indicators()]
    texts += [item.text for item in COUNTY_CHECKLIST.items]
    for text in texts:
        assert not re.search(r"[,;:()]", text), text
    if not SEED.exists():
        pytest.skip("seed 003 not on this machine")
    seed = SEED.read_text(encoding="utf-8").translate(HALF_TO_FULL)
    for text in texts:
        assert text.rstrip("。") in seed, text


def test_county_checklist_has_nine_parts_and_forty_items():
    items = COUNTY_CHECKLIST.items
    assert COUNTY_CHECKLIST.kind == "checklist"
    assert [i.number for i in items] == list(range(1, 41))
    parts = list(dict.fromkeys(i.part for i in items))
    assert len(parts) == 9 and parts[0] == "组织领导和保障措施" and parts[-1] == "加分项目"
    assert [i.number for i in items if i.is_bonus] == [39, 40]
    assert [i.number for i in items if i.part == "全面落实“谁执法谁普法”普法责任制"] == [25, 26, 27, 28]


def _small(**changes) -> Framework:
    rule = Rule("x-01-a", "未做的，扣100分", "fixed", points=Decimal(100))
    base = dict(
        id="x", name="x", version="1", kind="score_sheet", bonus_cap=Decimal(5),
        categories=(
            Category("a", "甲", Decimal(100), (Indicator(1, "一", "一", Decimal(100), False, (rule,)),)),
            Category("b", "加分", Decimal(5), (Indicator(2, "二", "二", Decimal(5), True, (
                Rule("x-02-a", "加分", "tier", tiers=(Tier("n", "国家级", Decimal(5)),)),)),), is_bonus=True),
        ),
    )
    base.update(changes)
    return Framework(**base)


def test_a_valid_small_framework_builds():
    assert _small().rule("x-02-a")[0].number == 2


@pytest.mark.parametrize("mutate, message", [
    (lambda c: (dataclasses.replace(c[0], max_points=Decimal(90)), c[1]), "category maxima sum to 90"),
    (lambda c: (dataclasses.replace(c[0], indicators=(dataclasses.replace(c[0].indicators[0], max_points=Decimal(99)),)), c[1]),
     "indicators sum to 99"),
    (lambda c: (c[0], dataclasses.replace(c[1], indicators=(dataclasses.replace(
        c[1].indicators[0], rules=(dataclasses.replace(c[1].indicators[0].rules[0], id="x-01-a"),)),))), "duplicate rule ids"),
    (lambda c: (c[0], dataclasses.replace(c[1], max_points=Decimal(6), indicators=(
        dataclasses.replace(c[1].indicators[0], max_points=Decimal(6)),))), "bonus cap is 5"),
])
def test_an_inconsistent_framework_is_refused_at_build(mutate, message):
    categories = _small().categories
    with pytest.raises(FrameworkInvalid, match=message):
        _small(categories=mutate(categories))


def test_an_inconsistent_rule_is_refused():
    with pytest.raises(FrameworkInvalid, match="per_unit"):
        Rule("r", "每少1个扣4分", "per_unit", per_unit=Decimal(4))
    with pytest.raises(FrameworkInvalid, match="unknown kind"):
        Rule("r", "?", "percent")


def test_the_package_imports_only_the_standard_library_and_itself():
    import ast
    import sys

    import pufa_flow.frameworks as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("pufa_flow.frameworks"), (path.name, name)


def test_a_rule_worth_more_than_its_indicator_is_refused():
    categories = _small().categories
    big = dataclasses.replace(categories[0].indicators[0].rules[0], id="x-01-b", points=Decimal(101))
    with pytest.raises(FrameworkInvalid, match="101 points exceed indicator 1"):
        _small(categories=(dataclasses.replace(categories[0], indicators=(
            dataclasses.replace(categories[0].indicators[0], rules=(big,)),)), categories[1]))


def test_the_registry_knows_both_frameworks_by_id():
    from pufa_flow.frameworks.registry import FRAMEWORKS, get_framework

    assert get_framework("nanchang-2023") is NANCHANG_2023
    assert get_framework("nanchang-county-checklist-2023") is COUNTY_CHECKLIST
    assert get_framework("nope") is None and len(FRAMEWORKS) == 2
