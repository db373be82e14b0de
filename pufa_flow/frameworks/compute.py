"""Scoring a unit against a score-sheet framework, from the rules an assessor ticked.

All arithmetic is Decimal so a sheet adds up to the same figures a person
gets with a pencil. Entries are checked whole before anything is computed:
one bad entry refuses the sheet, with every reason at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pufa_flow.frameworks.model import Framework, Indicator, Rule

MAX_COUNT = 1000
ZERO = Decimal(0)


class ScoreSheetInvalid(ValueError):
    """Entries that cannot be scored; ``errors`` maps entry index → 中文原因."""

    def __init__(self, errors: dict[int, str]):
        super().__init__("；".join(f"第{i + 1}项：{m}" for i, m in sorted(errors.items())))
        self.errors = errors


@dataclass(frozen=True)
class AppliedRule:
    rule_id: str
    text: str
    count: int | None
    tier: str | None
    amount: Decimal
    note: str


@dataclass(frozen=True)
class IndicatorScore:
    number: int
    title: str
    max_points: Decimal
    is_bonus: bool
    applied: tuple[AppliedRule, ...]
    raw: Decimal  # deductions (or bonus points) before the indicator's limit
    score: Decimal
    capped: bool  # raw exceeded the indicator's points


@dataclass(frozen=True)
class CategoryScore:
    key: str
    name: str
    max_points: Decimal
    indicators: tuple[IndicatorScore, ...]
    score: Decimal


@dataclass(frozen=True)
class ScoreSheet:
    framework_id: str
    categories: tuple[CategoryScore, ...]  # scored categories only
    bonus_indicators: tuple[IndicatorScore, ...]
    bonus_raw: Decimal  # bonus points earned before any limit
    bonus: Decimal
    bonus_capped: bool
    base: Decimal  # sum of scored categories, at most 100
    total: Decimal  # base + bonus


def applicable_rules(framework: Framework, has_enforcement_power: bool) -> tuple[Rule, ...]:
    """The rules an assessor may choose for this unit, in table order."""
    return tuple(
        r
        for i in framework.indicators()
        for r in i.rules
        if has_enforcement_power or not r.requires_enforcement_power
    )


def _count(value: object) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, int):
        return None, "数量须为整数"
    if value < 0:
        return None, "数量不能为负数"
    if value > MAX_COUNT:
        return None, f"数量不能超过{MAX_COUNT}"
    return value, None


def _amount(rule: Rule, entry: dict, index: int, errors: dict[int, str]) -> tuple[Decimal, int | None, str | None]:
    """Points of one entry, or an error recorded against its index."""
    count, problem = _count(entry.get("count"))
    if problem:
        errors[index] = problem
        return ZERO, None, None
    tier_key = entry.get("tier")
    if rule.kind != "tier" and tier_key is not None:
        errors[index] = "该规则不分级别，不能填写级别"
        return ZERO, None, None
    if rule.kind in ("fixed", "whole"):
        if count is not None:
            errors[index] = "该规则不按数量计分，不能填写数量"
            return ZERO, None, None
        return (rule.points if rule.kind == "fixed" else ZERO), None, None
    if rule.kind == "per_unit":
        if count is None:
            errors[index] = "该规则按数量计分，须填写缺少的数量"
            return ZERO, None, None
        assert rule.per_unit is not None and rule.cap is not None
        return min(rule.per_unit * count, rule.cap), count, None
    # tier: the level is required; the count (awards at that level) defaults to 1.
    tier = rule.tier(tier_key) if isinstance(tier_key, str) else None
    if tier is None:
        levels = "、".join(t.label for t in rule.tiers)
        errors[index] = f"须选择级别（{levels}）"
        return ZERO, None, None
    if count == 0:
        errors[index] = "数量须至少为1"
        return ZERO, None, None
    n = 1 if count is None else count
    return tier.points * n, count, tier.key


def compute(framework: Framework, entries: list[dict], *, has_enforcement_power: bool) -> ScoreSheet:
    """The score sheet for one unit; raises ``ScoreSheetInvalid`` on any bad entry.

    An entry is ``{"rule_id", "count", "note"}`` plus ``"tier"`` (a ``Tier.key``)
    for a tier rule. ``count`` is how many are missing for a per_unit rule
    (3 of 5 工作信息 → 2), how many awards at that level for a tier rule
    (default 1), and must be absent for fixed and whole rules. A rule not
    listed is not applied.
    """
    if framework.kind != "score_sheet":
        raise ValueError(f"{framework.id} is not a score sheet")
    errors: dict[int, str] = {}
    seen: set[tuple[str, str | None]] = set()
    applied: dict[int, list[AppliedRule]] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors[index] = "格式不正确"
            continue
        rule_id = entry.get("rule_id")
        if not isinstance(rule_id, str) or not rule_id:
            errors[index] = "缺少评议规则编号"
            continue
        found = framework.rule(rule_id)
        if found is None:
            errors[index] = f"没有编号为“{rule_id}”的评议规则"
            continue
        indicator, rule = found
        if rule.requires_enforcement_power and not has_enforcement_power:
            errors[index] = "该规则不适用于无司法、执法权限的单位"
            continue
        note = entry.get("note")
        note = "" if note is None else note
        if not isinstance(note, str):
            errors[index] = "说明须为文字"
            continue
        tier_key = entry.get("tier") if rule.kind == "tier" else None
        key = (rule.id, tier_key if isinstance(tier_key, str) else repr(tier_key))
        if key in seen:
            errors[index] = "同一评议规则重复填写"
            continue
        seen.add(key)
        amount, count, tier = _amount(rule, entry, index, errors)
        if index in errors:
            continue
        if rule.kind == "whole":
            amount = indicator.max_points
        applied.setdefault(indicator.number, []).append(
            AppliedRule(rule.id, rule.text, count, tier, amount, note)
        )
    if errors:
        raise ScoreSheetInvalid(errors)

    def score(indicator: Indicator) -> IndicatorScore:
        rows = tuple(applied.get(indicator.number, ()))
        raw = sum((a.amount for a in rows), ZERO)
        capped = raw > indicator.max_points
        limited = min(raw, indicator.max_points)
        value = limited if indicator.is_bonus else indicator.max_points - limited
        return IndicatorScore(indicator.number, indicator.title, indicator.max_points, indicator.is_bonus, rows, raw, value, capped)

    categories = []
    bonus_indicators: list[IndicatorScore] = []
    for c in framework.categories:
        scores = tuple(score(i) for i in c.indicators)
        if c.is_bonus:
            bonus_indicators.extend(scores)
            continue
        categories.append(CategoryScore(c.key, c.name, c.max_points, scores, min(sum((s.score for s in scores), ZERO), c.max_points)))
    base = sum((c.score for c in categories), ZERO)
    # Each bonus indicator stops at its own points, the whole bonus at the cap;
    # bonus_capped says that some points earned were not counted, either way.
    bonus_raw = sum((s.raw for s in bonus_indicators), ZERO)
    bonus = min(sum((s.score for s in bonus_indicators), ZERO), framework.bonus_cap)
    return ScoreSheet(
        framework.id, tuple(categories), tuple(bonus_indicators), bonus_raw, bonus, bonus_raw > bonus, base, base + bonus
    )
