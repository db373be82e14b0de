"""The demo's 2023 cycle, finished and archived: the grades of seed 000 reached the way real work reaches them.

Every unit's 自评 is submitted and accepted; two or three 评议团 members score
it on the cycle's framework copy through the panel service (entries that
compute() turns into totals, never typed); the office confirms each unit's
final score (the members' mean), grades by the default thresholds with a 50 %
优秀 quota, writes 评估意见, confirms, publishes (each problem becomes a
rectification item), commends, lets the items run their course and archives.

The finals are chosen so the ranking is 000's annex read in order: 优秀 from
98.5 down in half points to 90.0, 良好 from 88.5 to 82.0, 合格 78 to 69. A
half-point final is the mean of two members (t − ½, t + ½), a whole one of
three (t − 1, t, t + 1).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from ..extensions import db
from ..models import CycleAssignment
from . import bulletin, cycles, evaluation, items as item_service, panel, results, workflow
from .demo_data import GRADED_UNITS_2023, PROBLEMS
from .transaction import transaction

#: the 2023 评议团: (username, display name, affiliation, organisation)
PANEL_2023 = [("pingyi", "lawyer", "君山律师事务所"), ("pingyi2", "cppcc", "区政协社会法制委员会"),
              ("pingyi3", "media", "君山融媒体中心")]
PANEL_STAFF = [("pingyi2", "panel", "评议团 钱委员"), ("pingyi3", "panel", "评议团 孙记者")]

#: deductions a panel member may find (rule id, points); the last three count per missing item, 1 point each
_POOL = [("n23-02-b", 2), ("n23-03-c", 2), ("n23-06-d", 2), ("n23-07-c", 2), ("n23-08-a", 2), ("n23-09-b", 3),
         ("n23-06-c", 3), ("n23-08-c", 4)]
_PER_ITEM = ["n23-04-a", "n23-14-b", "n23-15-a"]
_NOTES = ["实地查看台账，该项工作未落实到位", "佐证材料不全", "查阅会议记录，未见相关内容", "抽查发现记录缺失"]


def finals() -> dict[str, Decimal]:
    """Each unit's final score, descending along 000's annex."""
    out = {}
    for grade, start, step in (("excellent", Decimal("98.5"), Decimal("0.5")),
                               ("good", Decimal("88.5"), Decimal("0.5")), ("pass", Decimal(78), Decimal(3))):
        for i, name in enumerate(GRADED_UNITS_2023[grade]):
            out[name] = start - step * i
    return out


def member_totals(final: Decimal) -> list[int]:
    if final == final.to_integral_value():
        t = int(final)
        return [t - 1, t, t + 1]
    low = int(final - Decimal("0.5"))
    return [low, low + 1]


def entries_for(rng: random.Random, total: int) -> list[dict]:
    """A member's entries whose deductions add up to 100 − total (at most 35)."""
    remaining = 100 - total
    pool = list(_POOL)
    rng.shuffle(pool)
    entries = []
    for rule_id, points in pool:
        if points <= remaining and (remaining > 15 or rng.random() < 0.35):
            entries.append({"rule_id": rule_id, "note": rng.choice(_NOTES)})
            remaining -= points
    for rule_id in _PER_ITEM:
        count = min(remaining, 5)
        if count:
            entries.append({"rule_id": rule_id, "count": count, "note": f"少{count}次（篇、条）"})
            remaining -= count
    if remaining:
        raise ValueError(f"cannot deduct {100 - total} points from the demo's rules")
    return entries


#: the units as 000's annex lists them
ANNEX_ORDER = [n for names in GRADED_UNITS_2023.values() for n in names]
#: 评估意见 problems per grade: how many of PROBLEMS each unit of that grade gets
_PROBLEMS_PER_GRADE = {"excellent": 0, "good": 1, "pass": 3}
#: what becomes of the items of 2023's notices, by the unit's place in the list (cycled)
_ITEM_PATHS = ["closed", "closed_late", "closed", "in_progress", "submitted", "closed", "issued"]


def load(units, unit_users, office, staff, *, on, phases, fill_workspace) -> None:
    """2023: from 自评 to 归档. ``on`` is demo._on (the clock at a step's day); ``fill_workspace(a, user, rng,
    target)`` completes and submits a unit's 自评."""
    with transaction():  # one commit for the whole year: the demo loads in a fraction of the time
        _load(units, unit_users, office, staff, on=on, phases=phases, fill_workspace=fill_workspace)


def _load(units, unit_users, office, staff, *, on, phases, fill_workspace) -> None:
    rng = random.Random(2023)
    members = [staff[u] for u, _, _ in PANEL_2023]
    with on(date(2023, 9, 1)):
        for user, (_, affiliation, organisation) in zip(members, PANEL_2023):
            evaluation.set_panel_profile(user, {"affiliation": affiliation, "organisation": organisation},
                                         actor=office)
    with on(date(2023, 10, 12)):
        cycle = cycles.create_cycle({"name": "2023年度普法责任制考评", "year": 2023, "phases": phases,
                                     "unit_ids": [u.id for u in units.values()]}, actor=office)
    target = finals()
    grade_of = {name: g for g, names in GRADED_UNITS_2023.items() for name in names}
    scorers: dict[str, list] = {}
    with transaction():
        for i, name in enumerate(ANNEX_ORDER):
            n = len(member_totals(target[name]))
            scorers[name] = [members[(i + k) % 3] for k in range(n)]
            db.session.add_all(CycleAssignment(cycle_id=cycle.id, unit_id=units[name].id, user_id=m.id, role="panel")
                               for m in scorers[name])
    with on(date(2023, 10, 16)):
        workflow.fire(cycle, "start", actor=office)
    by_unit = {a.unit.name: a for a in cycle.assessments}
    for i, (name, a) in enumerate(by_unit.items()):
        with on(date(2023, 10, 20) + timedelta(days=i % 15), step=i):
            fill_workspace(a, unit_users[name], rng, min(100, int(target[name]) + rng.randint(1, 6)))
    with on(date(2023, 11, 6)):
        workflow.fire(cycle, "begin_field_research", actor=office)
    for i, a in enumerate(by_unit.values()):
        with on(date(2023, 11, 8) + timedelta(days=i % 10), step=i):
            workflow.fire(a, "accept", actor=office)
    for i, (name, a) in enumerate(by_unit.items()):
        for k, (member, total) in enumerate(zip(scorers[name], member_totals(target[name]))):
            with on(date(2023, 11, 20) + timedelta(days=i % 8), step=i * 3 + k):
                panel.save_sheet(a, {"entries": entries_for(rng, total)}, actor=member)
                panel.submit_sheet(a, actor=member)
    with on(date(2023, 11, 29)):
        workflow.fire(cycle, "begin_acceptance", actor=office)
        results.save_rules(cycle, {"excellent_quota": 50, "quota_kind": "percent", "rectification_workdays": 20},
                           actor=office)
    problems = list(PROBLEMS)
    for i, (name, a) in enumerate(by_unit.items()):
        with on(date(2023, 12, 4) + timedelta(days=i % 10), step=i):
            panel.finalize(a, actor=office)
            n = _PROBLEMS_PER_GRADE[grade_of[name]] if i % 2 == 0 or grade_of[name] == "pass" else 0
            chosen = [problems[(i + k) % len(problems)] for k in range(n)]
            results.save_opinion(a, {"text": _opinion_text(name, grade_of[name]), "problems": [
                {"category": c, "problem": p, "requirement": r} for c, p, r in chosen]}, actor=office)
    with on(date(2023, 12, 18)):
        results.confirm_grades(cycle, actor=office)
    with on(date(2023, 12, 27)):
        published = results.publish_results(cycle, actor=office)
    with on(date(2023, 12, 28)):
        for name in GRADED_UNITS_2023["excellent"][:5]:
            results.add_commendation(cycle, {"kind": "collective", "unit_id": units[name].id,
                                             "note": "普法责任制落实有力，考评成绩突出"}, actor=office)
        for name, person, post in (("区司法局", "陈诚", "普法与依法治理股股长"), ("区法院", "刘洋", "审判员"),
                                   ("区市场监管局", "周静", "法规科科长")):
            results.add_commendation(cycle, {"kind": "individual", "unit_id": units[name].id,
                                             "person_name": person, "post": post}, actor=office)
        bulletin.save(cycle, bulletin_000(), actor=office)
    _rectify(published["notices"], unit_users, office, on)
    with on(date(2024, 3, 15)):
        results.archive(cycle, actor=office, comment="2023年度考评工作结束，结果已运用")


def bulletin_000() -> dict:
    """000's own method and sections, as the office would type them on the bulletin page."""
    from ..documents.samples import SECTIONS, bulletin as sample
    from ..documents.text import cn_number

    def text(section) -> str:
        lines = [section.text] if section.text else []
        lines += [f"（{cn_number(n)}）{sub.heading}。{sub.text}" for n, sub in enumerate(section.subsections, 1)]
        return "\n".join(lines)

    achievements, problems, next_steps = (text(s) for s in SECTIONS)
    return {"method": sample().intro, "achievements": achievements, "problems": problems, "next_steps": next_steps}


def _opinion_text(name: str, grade: str) -> str:
    return {"excellent": f"{name}普法责任制落实到位，普法工作有计划、有落实、有成效，建议继续保持。",
            "good": f"{name}普法责任制总体落实较好，个别环节有待加强，请对照问题认真整改。",
            "pass": f"{name}对普法责任制重视程度不够，部分工作未落实到位，请按整改通知书逐项整改。"}[grade]


def _rectify(notice_ids, unit_users, office, on) -> None:
    """The items of 2023's notices along several paths, in January–March 2024."""
    from ..models import Notice

    base = date(2024, 1, 3)
    for n, notice_id in enumerate(notice_ids):
        notice = db.session.get(Notice, notice_id)
        unit_user = next(u for u in unit_users.values() if u.unit_id == notice.unit_id)
        for k, item in enumerate(notice.items):
            path = _ITEM_PATHS[(n + k) % len(_ITEM_PATHS)]
            steps = {"issued": [], "in_progress": [("acknowledge", 0)],
                     "submitted": [("acknowledge", 0), ("submit", 12)],
                     "closed": [("acknowledge", 0), ("submit", 10), ("verify", 14)],
                     "closed_late": [("acknowledge", 0), ("submit", 40), ("verify", 45)]}[path]
            for s, (trigger, days) in enumerate(steps):
                actor = office if trigger == "verify" else unit_user
                data = {"measures": "已制定整改方案，完成整改并上传佐证材料。"} if trigger == "submit" else {}
                with on(base + timedelta(days=n % 5 + days), step=item.seq * 5 + s):
                    item_service.fire_item(item, trigger, actor=actor, data=data,
                                           comment="整改到位，同意销号" if trigger == "verify" else None)


__all__ = ["PANEL_STAFF", "entries_for", "finals", "load", "member_totals"]
