"""Indicator frameworks (003 附件2) as frozen data, and the score computation."""
from .model import AppliesTo, Category, Framework, Indicator, Rule, RuleKind
from .nanchang_2023 import NANCHANG_2023
from .scoring import EntryError, ScoreRefused, UnitProfile, compute_sheet

__all__ = ["AppliesTo", "Category", "Framework", "Indicator", "Rule", "RuleKind",
           "NANCHANG_2023", "EntryError", "ScoreRefused", "UnitProfile", "compute_sheet"]
