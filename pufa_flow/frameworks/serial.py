"""Frameworks as JSON: what the database keeps, and what the office edits.

The stored copy of a framework is this dictionary; reading it back builds the
frozen dataclasses again, so every check of ``Framework.__post_init__`` runs on
an edited copy exactly as on the shipped table.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from pufa_flow.frameworks.model import Category, ChecklistItem, Framework, FrameworkInvalid, Indicator, Rule, Tier


def _num(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def _dec(value, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise FrameworkInvalid(f"{where}: 分值须为数字")
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise FrameworkInvalid(f"{where}: 分值须为数字") from None
    if not d.is_finite() or d < 0 or d > 1000:
        raise FrameworkInvalid(f"{where}: 分值须在 0 到 1000 之间")
    return d


def rule_dict(rule: Rule) -> dict:
    return {"id": rule.id, "text": rule.text, "kind": rule.kind, "points": _num(rule.points),
            "per_unit": _num(rule.per_unit), "cap": _num(rule.cap),
            "requires_enforcement_power": rule.requires_enforcement_power,
            "tiers": [{"key": t.key, "label": t.label, "points": _num(t.points)} for t in rule.tiers]}


def to_dict(fw: Framework) -> dict:
    out = {"id": fw.id, "name": fw.name, "version": fw.version, "kind": fw.kind,
           "bonus_cap": _num(fw.bonus_cap)}
    if fw.kind == "checklist":
        out["items"] = [{"number": i.number, "part": i.part, "text": i.text, "is_bonus": i.is_bonus}
                        for i in fw.items]
        return out
    out["categories"] = [
        {"key": c.key, "name": c.name, "max_points": _num(c.max_points), "is_bonus": c.is_bonus,
         "indicators": [{"number": i.number, "title": i.title, "content": i.content,
                         "max_points": _num(i.max_points), "is_bonus": i.is_bonus,
                         "rules": [rule_dict(r) for r in i.rules]} for i in c.indicators]}
        for c in fw.categories]
    return out


def _text(value, where: str, max_len: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FrameworkInvalid(f"{where}: 不能为空")
    if len(value) > max_len:
        raise FrameworkInvalid(f"{where}: 不能超过{max_len}个字符")
    return value


def _list(value, where: str) -> list:
    if not isinstance(value, list):
        raise FrameworkInvalid(f"{where}: 应为列表")
    return value


def _obj(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise FrameworkInvalid(f"{where}: 格式不正确")
    return value


def from_dict(data) -> Framework:
    """The framework a stored or edited dictionary describes; FrameworkInvalid if it does not add up."""
    data = _obj(data, "指标体系")
    kind = data.get("kind")
    common = dict(id=_text(data.get("id"), "id", 64), name=_text(data.get("name"), "name", 200),
                  version=_text(data.get("version"), "version", 20))
    try:
        if kind == "checklist":
            items = tuple(
                ChecklistItem(int(_obj(i, "item").get("number")), _text(i.get("part"), "part", 200),
                              _text(i.get("text"), f"第{n}项", 2000), bool(i.get("is_bonus")))
                for n, i in enumerate(_list(data.get("items"), "items"), 1))
            return Framework(kind="checklist", items=items, **common)
        if kind != "score_sheet":
            raise FrameworkInvalid("kind 只能是 score_sheet 或 checklist")
        categories = []
        for c in _list(data.get("categories"), "categories"):
            c = _obj(c, "category")
            indicators = []
            for i in _list(c.get("indicators"), "indicators"):
                i = _obj(i, "indicator")
                where = f"指标{i.get('number')}"
                rules = tuple(
                    Rule(_text(r.get("id"), f"{where}规则编号", 64), _text(r.get("text"), f"{where}规则", 2000),
                         r.get("kind"), points=_dec(r.get("points"), where), per_unit=_dec(r.get("per_unit"), where),
                         cap=_dec(r.get("cap"), where),
                         requires_enforcement_power=bool(r.get("requires_enforcement_power")),
                         tiers=tuple(Tier(_text(t.get("key"), "tier", 32), _text(t.get("label"), "tier", 32),
                                          _dec(t.get("points"), where)) for t in _list(r.get("tiers") or [], "tiers")))
                    for r in (_obj(r, where) for r in _list(i.get("rules"), f"{where}规则")))
                number = i.get("number")
                if isinstance(number, bool) or not isinstance(number, int):
                    raise FrameworkInvalid(f"{where}: 序号须为整数")
                indicators.append(Indicator(number, _text(i.get("title"), where, 500), _text(i.get("content"), where),
                                            _dec(i.get("max_points"), where), bool(i.get("is_bonus")), rules))
            categories.append(Category(_text(c.get("key"), "category key", 32), _text(c.get("name"), "category", 100),
                                       _dec(c.get("max_points"), "category"), tuple(indicators), bool(c.get("is_bonus"))))
        return Framework(kind="score_sheet", categories=tuple(categories),
                         bonus_cap=_dec(data.get("bonus_cap"), "bonus_cap") or Decimal(0), **common)
    except (TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, FrameworkInvalid):
            raise
        raise FrameworkInvalid(f"指标体系格式不正确：{exc}") from None
