"""The score sheet computed from chosen rules: the total is never typed.

Pure so the unit's page, the API and the exports all get the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import AppliesTo, Framework, RuleKind


@dataclass(frozen=True)
class UnitProfile:
    kind: str
    has_enforcement_power: bool


@dataclass(frozen=True)
class EntryError:
    index: int
    rule_id: object
    message: str


class ScoreRefused(ValueError):
    """Carries every entry's error, so the page can show them all at once."""

    def __init__(self, errors: list[EntryError]):
        self.errors = errors
        super().__init__("；".join(f"第{e.index + 1}项：{e.message}" for e in errors))


def _check(framework, profile, entries):
    errors: list[EntryError] = []
    chosen = []
    seen: set[str] = set()
    tier_of: dict[int, str] = {}
    for index, entry in enumerate(entries):
        rule_id = entry.get("rule_id") if isinstance(entry, dict) else None

        def refuse(message, _i=index, _r=rule_id):
            errors.append(EntryError(_i, _r, message))

        found = framework.rules_by_id.get(rule_id) if isinstance(rule_id, str) else None
        if found is None:
            refuse(f"没有编号为“{rule_id}”的评议标准")
            continue
        rule, indicator = found
        if rule_id in seen:
            refuse(f"评议标准“{rule_id}”重复选择")
            continue
        seen.add(rule_id)
        if rule.applies_to is AppliesTo.ENFORCEMENT_ONLY and not profile.has_enforcement_power:
            refuse(f"评议标准“{rule_id}”对无司法、执法权限的单位不扣分，不能选择")
            continue
        count = entry.get("count")
        if rule.kind is RuleKind.PER_UNIT:
            if type(count) is not int:
                refuse(f"评议标准“{rule_id}”须填写缺少的数量（整数）")
                continue
            if not 1 <= count <= rule.required:
                refuse(f"评议标准“{rule_id}”缺少的数量应在1至{rule.required}之间")
                continue
        elif count is not None:
            refuse(f"评议标准“{rule_id}”不按数量扣分，不能填写数量")
            continue
        if rule.kind is RuleKind.BONUS_TIER:
            if indicator.number in tier_of:
                refuse(f"第{indicator.number}项加分只能选择一个等级（已选“{tier_of[indicator.number]}”）")
                continue
            tier_of[indicator.number] = rule_id
        note = entry.get("note") or ""
        if not isinstance(note, str):
            refuse("说明应为文字")
            continue
        chosen.append((rule, indicator, count, note))
    if errors:
        raise ScoreRefused(errors)
    return chosen


def compute_sheet(framework: Framework, profile: UnitProfile, entries: list[dict]) -> dict:
    """Refuses (ScoreRefused) or returns the whole sheet; Decimal throughout."""
    chosen = _check(framework, profile, entries)
    by_indicator: dict[int, list] = {}
    for rule, indicator, count, note in chosen:
        if rule.kind is RuleKind.WHOLE:
            amount = indicator.max_points
        elif rule.kind is RuleKind.PER_UNIT:
            amount = min(rule.points * count, rule.cap)
        else:
            amount = rule.points
        by_indicator.setdefault(indicator.number, []).append(
            {"rule_id": rule.id, "text": rule.text, "kind": rule.kind.value,
             "count": count, "note": note, "amount": amount})
    categories = []
    total = Decimal(0)
    bonus_raw = Decimal(0)
    for cat in framework.categories:
        rows = []
        cat_sum = Decimal(0)
        for ind in cat.indicators:
            applied = by_indicator.get(ind.number, [])
            taken = sum((a["amount"] for a in applied), Decimal(0))
            if ind.is_bonus:
                score, capped = min(taken, ind.max_points), taken > ind.max_points
            else:
                score, capped = max(ind.max_points - taken, Decimal(0)), taken > ind.max_points
            rows.append({"number": ind.number, "max_points": ind.max_points, "is_bonus": ind.is_bonus,
                         "applied": applied, "score": score, "capped": capped})
            cat_sum += score
        if cat.is_bonus:
            bonus_raw += cat_sum
            score = cat_sum
        else:
            score = min(cat_sum, cat.max_points)
            total += score
        categories.append({"name": cat.name, "max_points": cat.max_points, "is_bonus": cat.is_bonus,
                           "indicators": rows, "score": score})
    bonus = min(bonus_raw, framework.bonus_cap)
    return {"categories": categories, "base": total, "bonus": bonus,
            "bonus_capped": bonus_raw > framework.bonus_cap, "total": total + bonus}
