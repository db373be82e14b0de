"""The filing record in the 自测得分表 (issue 13 item 5).

When a unit opens its score sheet, the deductions its filing record settles
(``filing_record.suggested_deductions``: no plan, no published list, late
filing, no 联络员, 工作信息 short of the target) are pre-selected, each with
its evidence (the filings, "未报送", the lateness in working days). The unit
may change a pre-selected rule (leave it out, or change the count) only with
a note: ``reconcile`` refuses a save without one, and the sheet's save stores
the choice (``SelfAssessment.record_choices``) and audits each change. The
panel member's sheet and the API show the record's suggestion beside the
unit's choice and its note.

A rule the record does not suggest is the unit's own business (it may deduct
itself more without a note).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationFailed
from ..frameworks import applicable_rules
from .filing_record import Suggestion, suggested_deductions

MAX_NOTE = 2000


@dataclass(frozen=True)
class RecordLine:
    rule_id: str
    rule_text: str
    #: how many times the record says the rule applies
    suggested: int
    #: what the unit chose (0: left out); equal to ``suggested`` before the first save
    chosen: int
    evidence: str
    links: tuple[tuple[str, str], ...]
    #: the unit's reason for changing it, when it did
    note: str | None

    @property
    def changed(self) -> bool:
        return self.chosen != self.suggested

    def to_json(self) -> dict:
        return {"rule_id": self.rule_id, "rule_text": self.rule_text, "suggested_count": self.suggested,
                "chosen_count": self.chosen, "changed": self.changed, "note": self.note,
                "evidence": self.evidence, "links": [{"label": label, "url": url} for label, url in self.links]}


def applicable(a) -> dict:
    """The rules of the unit's score sheet that apply to it, by id ({} without a score sheet)."""
    return _rules(a)


def _rules(a) -> dict:
    row = a.cycle.framework_for(a.unit.kind)
    if row is None or row.kind != "score_sheet":
        return {}
    return {r.id: r for r in applicable_rules(row.framework, a.unit.has_enforcement_power)}


def suggestions(a) -> list[Suggestion]:
    """The record's suggestions for the assessment's year that its framework has (and that apply to the unit)."""
    rules = _rules(a)
    if not rules:
        return []
    return [s for s in suggested_deductions(a.unit_id, a.cycle.year) if s.rule_id in rules]


def chosen_count(entries: list | None, rule) -> int:
    """How many times ``entries`` apply ``rule``: 0 or 1 for a fixed rule, the count for a per-unit one."""
    found = [e for e in entries or [] if e.get("rule_id") == rule.id]
    if not found:
        return 0
    if rule.kind == "per_unit":
        return sum(e["count"] for e in found if isinstance(e.get("count"), int) and not isinstance(e["count"], bool))
    return 1


def preselected(a) -> list[dict]:
    """Entries for a sheet never saved: the record's suggestions, with their evidence as the note."""
    rules = _rules(a)
    out = []
    for s in suggestions(a):
        e = {"rule_id": s.rule_id, "note": s.evidence[:MAX_NOTE]}
        if rules[s.rule_id].kind == "per_unit":
            e["count"] = s.count
        out.append(e)
    return out


def lines(a, entries: list | None = None, choices: list | None = None) -> list[RecordLine]:
    """Each suggestion beside the unit's choice (saved ones unless ``entries`` given) and note."""
    ws = a.workspace
    if entries is None:
        entries = ws.entries if ws is not None else None
    if choices is None:
        choices = (ws.record_choices if ws is not None else None) or []
    notes = {c.get("rule_id"): c for c in choices}
    rules = _rules(a)
    out = []
    for s in suggestions(a):
        rule = rules[s.rule_id]
        chosen = s.count if entries is None else chosen_count(entries, rule)
        stored = notes.get(s.rule_id)
        note = stored.get("note") if stored and chosen != s.count else None
        out.append(RecordLine(s.rule_id, rule.text, s.count, chosen, s.evidence, s.links, note))
    return out


def reconcile(a, entries: list, notes: dict | None) -> tuple[list[dict], list[RecordLine]]:
    """The ``record_choices`` to store with ``entries``, and the lines the unit changed.

    ``notes``: rule id → the unit's reason for changing that suggestion. A
    change without a note (typed now, or stored with the same choice before)
    is refused, every missing one at once, with the record's evidence in the
    message.
    """
    notes = notes or {}
    if not isinstance(notes, dict):
        raise ValidationFailed({"record_notes": "record_notes 应为对象：扣分规则编号 → 说明"})
    errors: dict[str, str] = {}
    rules = _rules(a)
    for rule_id, note in notes.items():
        if rule_id not in rules:
            errors[f"record_notes.{rule_id}"] = "没有这条扣分规则"
        elif note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            errors[f"record_notes.{rule_id}"] = f"说明须为不超过{MAX_NOTE}字的文字"
    if errors:
        raise ValidationFailed(errors)
    ws = a.workspace
    before = {c.get("rule_id"): c for c in ((ws.record_choices if ws is not None else None) or [])}
    stored, changed = [], []
    for s in suggestions(a):
        rule = rules[s.rule_id]
        chosen = chosen_count(entries, rule)
        note = (notes.get(s.rule_id) or "").strip() or None
        if chosen != s.count and note is None:
            prior = before.get(s.rule_id)
            if prior and prior.get("chosen") == chosen and prior.get("suggested") == s.count:
                note = prior.get("note")
        if chosen != s.count and not note:
            what = "未选择" if chosen == 0 else f"数量改为{chosen}"
            errors[f"record_notes.{s.rule_id}"] = (
                f"报备记录显示应扣分（{s.evidence}），{what}须填写说明")
            continue
        stored.append({"rule_id": s.rule_id, "suggested": s.count, "chosen": chosen,
                       "note": note if chosen != s.count else None})
        if chosen != s.count:
            changed.append(RecordLine(s.rule_id, rule.text, s.count, chosen, s.evidence, s.links, note))
    if errors:
        raise ValidationFailed(errors, "；".join(errors.values()))
    return stored, changed
