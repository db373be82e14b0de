"""Indicator frameworks as plain frozen data.

Kept free of Flask and SQLAlchemy so the shipped frameworks, the score
computation and their tests run without an application or a database.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class RuleKind(str, enum.Enum):
    FIXED = "fixed"            # 扣 N 分, chosen or not
    PER_UNIT = "per_unit"      # 每少 1 个扣 N 分, capped
    WHOLE = "whole"            # …不得分: the indicator's points
    BONUS_TIER = "bonus_tier"  # 加 N 分, one tier per indicator


class AppliesTo(str, enum.Enum):
    ALL = "all"
    ENFORCEMENT_ONLY = "enforcement_only"  # 对无司法、执法权限的单位不扣分


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    kind: RuleKind
    points: Decimal              # per chosen rule, or per missing unit
    cap: Decimal | None = None   # PER_UNIT: the most it may take
    required: int | None = None  # PER_UNIT: the count asked for (不少于 N)
    applies_to: AppliesTo = AppliesTo.ALL


@dataclass(frozen=True)
class Indicator:
    number: int
    text: str
    max_points: Decimal
    rules: tuple[Rule, ...]
    is_bonus: bool = False


@dataclass(frozen=True)
class Category:
    name: str
    max_points: Decimal
    indicators: tuple[Indicator, ...]
    is_bonus: bool = False


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    version: int
    categories: tuple[Category, ...]
    bonus_cap: Decimal = Decimal(15)
    total_max: Decimal = Decimal(100)
    rules_by_id: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        rules: dict[str, tuple[Rule, Indicator]] = {}
        numbers = set()
        regular = Decimal(0)
        for cat in self.categories:
            if not cat.is_bonus:
                regular += cat.max_points
            total = sum((i.max_points for i in cat.indicators), Decimal(0))
            if cat.is_bonus:
                if not all(i.is_bonus for i in cat.indicators):
                    raise ValueError(f"{cat.name}: bonus category with a regular indicator")
            elif total != cat.max_points:
                raise ValueError(f"{cat.name}: indicators sum to {total}, not {cat.max_points}")
            for ind in cat.indicators:
                if ind.number in numbers:
                    raise ValueError(f"indicator {ind.number} twice")
                numbers.add(ind.number)
                for rule in ind.rules:
                    if rule.id in rules:
                        raise ValueError(f"rule id {rule.id} twice")
                    if rule.points > ind.max_points or rule.points <= 0:
                        raise ValueError(f"rule {rule.id}: points out of range")
                    if (rule.kind is RuleKind.BONUS_TIER) != ind.is_bonus:
                        raise ValueError(f"rule {rule.id}: kind does not fit the indicator")
                    if rule.kind is RuleKind.PER_UNIT and (rule.cap is None or rule.cap > ind.max_points):
                        raise ValueError(f"rule {rule.id}: per-unit rule needs a cap within the points")
                    rules[rule.id] = (rule, ind)
        if regular != self.total_max:
            raise ValueError(f"categories sum to {regular}, not {self.total_max}")
        object.__setattr__(self, "rules_by_id", rules)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for c in self.categories for i in c.indicators)
