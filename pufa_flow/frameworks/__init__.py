"""Indicator frameworks held as plain data, with no Flask or database in sight.

The 评议指标 table and the county checklist change from year to year by
decree; keeping them as frozen data (one module per published version) lets a
score be recomputed and checked by hand against the paper it came from.
"""
from pufa_flow.frameworks.compute import (
    MAX_COUNT,
    AppliedRule,
    CategoryScore,
    IndicatorScore,
    ScoreSheet,
    ScoreSheetInvalid,
    applicable_rules,
    compute,
)
from pufa_flow.frameworks.model import (
    RULE_KINDS,
    Category,
    ChecklistItem,
    Framework,
    FrameworkInvalid,
    Indicator,
    Rule,
    Tier,
)

__all__ = [
    "MAX_COUNT",
    "AppliedRule",
    "CategoryScore",
    "IndicatorScore",
    "ScoreSheet",
    "ScoreSheetInvalid",
    "applicable_rules",
    "compute",
    "RULE_KINDS",
    "Category",
    "ChecklistItem",
    "Framework",
    "FrameworkInvalid",
    "Indicator",
    "Rule",
    "Tier",
]
