"""The shapes of an indicator framework, checked when a framework is built.

Validation runs in ``Framework.__post_init__`` so that a mistyped table fails
at import time rather than in the middle of a scoring session.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

RULE_KINDS = ("fixed", "per_unit", "whole", "tier")
FRAMEWORK_KINDS = ("score_sheet", "checklist")
TOTAL_POINTS = Decimal(100)


class FrameworkInvalid(ValueError):
    """A framework's data contradicts itself (duplicate ids, sums off…)."""


@dataclass(frozen=True)
class Tier:
    """One level of a bonus rule: 国家级 / 省级 / 市级."""

    key: str
    label: str
    points: Decimal


@dataclass(frozen=True)
class Rule:
    """One sentence of an indicator's 评议标准.

    ``fixed``: a set number of points off (or on, for a bonus indicator);
    ``per_unit``: ``per_unit`` points per missing unit, at most ``cap``;
    ``whole``: the indicator scores 0; ``tier``: a bonus whose points depend
    on the level of the award (``tiers``).
    """

    id: str
    text: str
    kind: Literal["fixed", "per_unit", "whole", "tier"]
    points: Decimal | None = None
    per_unit: Decimal | None = None
    cap: Decimal | None = None
    requires_enforcement_power: bool = False
    tiers: tuple[Tier, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if self.kind not in RULE_KINDS:
            problems.append(f"unknown kind {self.kind!r}")
        if self.kind == "fixed" and (self.points is None or self.points <= 0):
            problems.append("a fixed rule needs positive points")
        if self.kind == "per_unit" and (
            self.per_unit is None or self.per_unit <= 0 or self.cap is None or self.cap < self.per_unit
        ):
            problems.append("a per_unit rule needs per_unit > 0 and cap >= per_unit")
        if self.kind == "tier" and not self.tiers:
            problems.append("a tier rule needs tiers")
        if self.kind != "tier" and self.tiers:
            problems.append("only a tier rule has tiers")
        if self.tiers and len({t.key for t in self.tiers}) != len(self.tiers):
            problems.append("duplicate tier keys")
        if problems:
            raise FrameworkInvalid(f"rule {self.id}: " + "; ".join(problems))

    def tier(self, key: str) -> Tier | None:
        return next((t for t in self.tiers if t.key == key), None)


@dataclass(frozen=True)
class Indicator:
    number: int
    title: str
    content: str
    max_points: Decimal
    is_bonus: bool = False
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True)
class Category:
    key: str
    name: str
    max_points: Decimal
    indicators: tuple[Indicator, ...]
    is_bonus: bool = False


@dataclass(frozen=True)
class ChecklistItem:
    """A checklist line: something to look at, not something to score."""

    number: int
    part: str
    text: str
    is_bonus: bool = False


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    version: str
    kind: Literal["score_sheet", "checklist"]
    categories: tuple[Category, ...] = ()
    items: tuple[ChecklistItem, ...] = ()
    bonus_cap: Decimal = Decimal(0)
    _rules: dict[str, tuple[Indicator, Rule]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        errors = _check(self)
        if errors:
            raise FrameworkInvalid(f"framework {self.id}: " + "; ".join(errors))
        for indicator in self.indicators():
            for rule in indicator.rules:
                self._rules[rule.id] = (indicator, rule)

    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for c in self.categories for i in c.indicators)

    def rule(self, rule_id: str) -> tuple[Indicator, Rule] | None:
        """The rule and its indicator, or ``None`` for an unknown id."""
        return self._rules.get(rule_id)


def _check(fw: Framework) -> list[str]:
    errors: list[str] = []
    if fw.kind not in FRAMEWORK_KINDS:
        errors.append(f"unknown kind {fw.kind!r}")
    if fw.kind == "checklist":
        if fw.categories:
            errors.append("a checklist has items, not categories")
        numbers = [i.number for i in fw.items]
        if numbers != list(range(1, len(numbers) + 1)):
            errors.append("checklist items must be numbered 1..n without gaps")
        return errors
    if fw.items:
        errors.append("a score sheet has categories, not items")
    keys = [c.key for c in fw.categories]
    if len(set(keys)) != len(keys):
        errors.append("duplicate category keys")
    numbers = [i.number for i in fw.indicators()]
    if len(set(numbers)) != len(numbers):
        errors.append("duplicate indicator numbers")
    rule_ids = [r.id for i in fw.indicators() for r in i.rules]
    duplicates = sorted({r for r in rule_ids if rule_ids.count(r) > 1})
    if duplicates:
        errors.append(f"duplicate rule ids {duplicates}")
    scored = sum((c.max_points for c in fw.categories if not c.is_bonus), Decimal(0))
    if scored != TOTAL_POINTS:
        errors.append(f"category maxima sum to {scored}, not {TOTAL_POINTS}")
    bonus = sum((c.max_points for c in fw.categories if c.is_bonus), Decimal(0))
    if bonus != fw.bonus_cap:
        errors.append(f"bonus categories sum to {bonus}, bonus cap is {fw.bonus_cap}")
    for c in fw.categories:
        points = sum((i.max_points for i in c.indicators), Decimal(0))
        if points != c.max_points:
            errors.append(f"category {c.key}: indicators sum to {points}, not {c.max_points}")
        for i in c.indicators:
            if i.is_bonus != c.is_bonus:
                errors.append(f"indicator {i.number}: bonus flag differs from its category")
            if not i.rules:
                errors.append(f"indicator {i.number}: no rules")
            for r in i.rules:
                if i.is_bonus and r.kind not in ("fixed", "tier"):
                    errors.append(f"rule {r.id}: a bonus rule is fixed or tier")
                limit = r.points if r.kind == "fixed" else r.cap
                if limit is not None and limit > i.max_points:
                    errors.append(f"rule {r.id}: {limit} points exceed indicator {i.number}'s {i.max_points}")
                if not i.is_bonus and r.kind == "tier":
                    errors.append(f"rule {r.id}: a tier rule belongs to a bonus indicator")
    return errors
