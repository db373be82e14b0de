"""实地调研 set-up: drawing the sample, forming the teams, assigning the panel.

Each operation is one transaction with its audit row. After any change the
evaluator rows of ``cycle_assignments`` are recomputed from the teams (every
member and the leader × the team's units), so what an evaluator may see is
always what the teams say; the panel's assignments are kept there directly.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..models import (AFFILIATIONS, UNIT_KINDS, Cycle, CycleAssignment, EvaluationTeam, PanelProfile, SampleDraw,
                      TeamMember, TeamUnit, Unit, UnitAssessment, User)
from . import audit
from .transaction import transaction
from .validation import clean_choice, clean_text

#: the sample may be drawn again until the visits' findings are being judged
SAMPLE_STATES = ("draft", "self_assessment", "field_research")
#: teams and the panel can change until the results are out
ASSIGN_STATES = ("draft", "self_assessment", "field_research", "acceptance")
MAX_SEED = 2**53 - 1
MAX_TEAM_MEMBERS = 50


# -- the sample -------------------------------------------------------------------
def current_sample(cycle: Cycle) -> SampleDraw | None:
    return db.session.scalar(sa.select(SampleDraw).where(SampleDraw.cycle_id == cycle.id)
                             .order_by(SampleDraw.id.desc()).limit(1))


def population(cycle: Cycle) -> dict[str, list[Unit]]:
    """The cycle's units by kind, in id order: what a draw chooses from."""
    units = db.session.scalars(
        sa.select(Unit).join(UnitAssessment, UnitAssessment.unit_id == Unit.id)
        .where(UnitAssessment.cycle_id == cycle.id).order_by(Unit.id))
    by_kind: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_kind[unit.kind].append(unit)
    return dict(by_kind)


def choose(by_kind: dict[str, list[int]], quotas: dict[str, int], forced_in: set[int], forced_out: set[int],
           seed: int) -> list[int]:
    """The draw itself, a pure function: the same arguments give the same sample.

    ``quotas`` is the total per kind, forced-in units counted in; a kind
    without a quota takes its forced-in units only.
    """
    rng = random.Random(seed)
    chosen: list[int] = []
    errors: dict[str, str] = {}
    for kind in sorted(set(by_kind) | set(quotas)):
        ids = by_kind.get(kind, [])
        forced = [i for i in ids if i in forced_in]
        quota = quotas.get(kind, len(forced))
        label = UNIT_KINDS.get(kind, kind)
        if quota < len(forced):
            errors[f"quotas.{kind}"] = f"{label}指定纳入 {len(forced)} 个，多于抽取数 {quota} 个"
            continue
        candidates = [i for i in ids if i not in forced_in and i not in forced_out]
        need = quota - len(forced)
        if need > len(candidates):
            errors[f"quotas.{kind}"] = (f"{label}可供抽取的只有 {len(candidates)} 个"
                                        f"（共 {len(ids)} 个，排除 {len(ids) - len(candidates) - len(forced)} 个，"
                                        f"指定纳入 {len(forced)} 个），不能再随机抽取 {need} 个")
            continue
        chosen += forced + rng.sample(candidates, need)
    if errors:
        raise ValidationFailed(errors)
    return sorted(chosen)


def draw_sample(cycle: Cycle, data: dict, *, actor) -> SampleDraw:
    with transaction():
        cycle = _locked(cycle, SAMPLE_STATES, "抽样只能在评估验收开始前进行")
        by_kind = {kind: [u.id for u in units] for kind, units in population(cycle).items()}
        quotas, forced_in, forced_out, seed = _clean_draw(data, by_kind)
        unit_ids = choose(by_kind, quotas, forced_in, forced_out, seed)
        draw = SampleDraw(cycle_id=cycle.id, seed=seed, quotas=quotas, forced_in=sorted(forced_in),
                          forced_out=sorted(forced_out), unit_ids=unit_ids, drawn_by_id=getattr(actor, "id", None))
        db.session.add(draw)
        dropped = _drop_unsampled_team_units(cycle, set(unit_ids))
        db.session.flush()
        audit.record("sample.draw", "cycle", cycle.id, actor=actor, data={
            "seed": seed, "quotas": quotas, "forced_in": sorted(forced_in), "forced_out": sorted(forced_out),
            "sampled": len(unit_ids), "dropped_from_teams": dropped})
        _sync_evaluators(cycle)
    return draw


def _clean_draw(data: dict, by_kind: dict[str, list[int]]):
    errors: dict[str, str] = {}
    everyone = {i for ids in by_kind.values() for i in ids}
    quotas = _clean_quotas(data.get("quotas"), errors)
    forced_in = _clean_unit_set(data.get("forced_in"), "forced_in", "指定纳入", everyone, errors)
    forced_out = _clean_unit_set(data.get("forced_out"), "forced_out", "指定排除", everyone, errors)
    if both := forced_in & forced_out:
        errors["forced_out"] = f"同一单位不能既指定纳入又指定排除：{_ids(both)}"
    seed = data.get("seed")
    if seed is None or seed == "":
        seed = secrets.randbelow(10**9)
    elif isinstance(seed, str) and seed.strip().isascii() and seed.strip().isdigit():
        seed = int(seed.strip())
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        errors["seed"] = f"随机种子应为 0 到 {MAX_SEED} 之间的整数，或留空由系统生成"
    if not errors and not quotas and not forced_in:
        errors["quotas"] = "请填写各类单位的抽取数，或指定纳入的单位"
    if errors:
        raise ValidationFailed(errors)
    return quotas, forced_in, forced_out, seed


def _clean_quotas(raw, errors: dict) -> dict[str, int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors["quotas"] = f"quotas 应为对象，键为单位类别：{'、'.join(UNIT_KINDS)}"
        return {}
    quotas = {}
    for kind, value in raw.items():
        if kind not in UNIT_KINDS:
            errors["quotas"] = f"未知的单位类别“{str(kind)[:20]}”：可选 {'、'.join(f'{k}（{v}）' for k, v in UNIT_KINDS.items())}"
            continue
        if isinstance(value, str) and value.strip() == "":
            continue
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000:
            errors[f"quotas.{kind}"] = f"{UNIT_KINDS[kind]}的抽取数应为 0 到 10000 之间的整数"
            continue
        quotas[kind] = value
    return quotas


def _clean_unit_set(raw, field: str, label: str, allowed: set[int], errors: dict) -> set[int]:
    if raw in (None, ""):
        return set()
    if not isinstance(raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
        errors[field] = f"{label}应为单位编号列表"
        return set()
    if unknown := set(raw) - allowed:
        errors[field] = f"{label}的单位不在本周期中：{_ids(unknown)}"
    return set(raw) & allowed


def _ids(ids) -> str:
    ids = sorted(ids)
    return "、".join(map(str, ids[:10])) + ("等" if len(ids) > 10 else "")


def _drop_unsampled_team_units(cycle: Cycle, sampled: set[int]) -> list[int]:
    rows = db.session.scalars(sa.select(TeamUnit).where(TeamUnit.cycle_id == cycle.id)).all()
    dropped = [row.unit_id for row in rows if row.unit_id not in sampled]
    for row in rows:
        if row.unit_id not in sampled:
            db.session.delete(row)
    return sorted(dropped)


# -- teams ------------------------------------------------------------------------
def teams(cycle: Cycle) -> list[EvaluationTeam]:
    return list(db.session.scalars(sa.select(EvaluationTeam).where(EvaluationTeam.cycle_id == cycle.id)
                                   .order_by(EvaluationTeam.id)))


def save_team(cycle: Cycle, data: dict, *, actor, team: EvaluationTeam | None = None) -> EvaluationTeam:
    """Create a team, or change its name, leader and members."""
    with transaction():
        cycle = _locked(cycle, ASSIGN_STATES, "结果运用阶段开始后不能再调整调研评估小组")
        errors: dict[str, str] = {}
        name = clean_text(data.get("name"), "name", "小组名称", errors, max_len=50, name_like=True)
        leader_id = data.get("leader_id")
        member_ids = data.get("member_ids") or []
        if not isinstance(member_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                       for i in member_ids):
            errors["member_ids"] = "member_ids 应为用户编号列表"
            member_ids = []
        if leader_id is not None and (not isinstance(leader_id, int) or isinstance(leader_id, bool)):
            errors["leader_id"] = "leader_id 应为用户编号"
            leader_id = None
        people = set(member_ids) | ({leader_id} if leader_id else set())
        if len(people) > MAX_TEAM_MEMBERS:
            errors["member_ids"] = f"一个小组最多 {MAX_TEAM_MEMBERS} 人"
        evaluators = _active_users("evaluator", people)
        if missing := people - evaluators:
            errors["member_ids"] = f"只能选择启用的评委会成员（evaluator）账户，这些编号不是：{_ids(missing)}"
        if leader_id is None:
            errors["leader_id"] = "请指定组长"
        clash = db.session.scalar(sa.select(EvaluationTeam.id).where(
            EvaluationTeam.cycle_id == cycle.id, EvaluationTeam.name == name,
            EvaluationTeam.id != (team.id if team else -1)))
        if name and clash:
            errors["name"] = f"本周期已有名为“{name}”的小组"
        if errors:
            raise ValidationFailed(errors)
        created = team is None
        if created:
            team = EvaluationTeam(cycle_id=cycle.id)
            db.session.add(team)
        team.name, team.leader_id = name, leader_id
        team.members = [TeamMember(user_id=uid) for uid in sorted(people)]
        db.session.flush()
        audit.record("team.create" if created else "team.update", "cycle", cycle.id, actor=actor, data={
            "team_id": team.id, "name": name, "leader_id": leader_id, "member_ids": sorted(people)})
        _sync_evaluators(cycle)
    return team


def delete_team(team: EvaluationTeam, *, actor) -> None:
    with transaction():
        cycle = _locked(db.session.get(Cycle, team.cycle_id), ASSIGN_STATES, "结果运用阶段开始后不能再调整调研评估小组")
        audit.record("team.delete", "cycle", cycle.id, actor=actor, data={"team_id": team.id, "name": team.name})
        db.session.delete(team)
        db.session.flush()
        _sync_evaluators(cycle)


def assign_units(cycle: Cycle, rows: list, *, actor) -> int:
    """Set each sampled unit's team and visit date: ``[{unit_id, team_id|None, visit_on|None}]``."""
    with transaction():
        cycle = _locked(cycle, ASSIGN_STATES, "结果运用阶段开始后不能再调整分组")
        sample = current_sample(cycle)
        sampled = set(sample.unit_ids) if sample else set()
        team_ids = {t.id for t in teams(cycle)}
        wanted = _clean_assignment_rows(rows, sampled, team_ids)
        existing = {r.unit_id: r for r in db.session.scalars(sa.select(TeamUnit).where(TeamUnit.cycle_id == cycle.id))}
        for unit_id, (team_id, visit_on) in wanted.items():
            row = existing.get(unit_id)
            if row is not None and (team_id is None or row.team_id != team_id):
                db.session.delete(row)
                db.session.flush()
                row = None
            if team_id is None:
                continue
            if row is None:
                row = TeamUnit(cycle_id=cycle.id, unit_id=unit_id, team_id=team_id)
                db.session.add(row)
            row.visit_on = visit_on
        db.session.flush()
        audit.record("team.assign", "cycle", cycle.id, actor=actor, data={
            "units": {str(u): t for u, (t, _) in sorted(wanted.items())}})
        _sync_evaluators(cycle)
    return len(wanted)


def _clean_assignment_rows(rows, sampled: set[int], team_ids: set[int]) -> dict[int, tuple[int | None, date | None]]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed({"units": "应为列表，每项含 unit_id、team_id、visit_on"})
    errors: dict[str, str] = {}
    wanted: dict[int, tuple[int | None, date | None]] = {}
    for n, row in enumerate(rows):
        unit_id, team_id, visit = row.get("unit_id"), row.get("team_id"), row.get("visit_on")
        if not isinstance(unit_id, int) or isinstance(unit_id, bool) or unit_id not in sampled:
            errors[f"units.{n}.unit_id"] = f"单位 {str(unit_id)[:12]} 不在本周期的抽样名单中"
            continue
        if team_id is not None and (not isinstance(team_id, int) or isinstance(team_id, bool)
                                    or team_id not in team_ids):
            errors[f"units.{n}.team_id"] = (f"小组 {str(team_id)[:12]} 不属于本周期；可选："
                                            f"{_ids(team_ids) or '（尚未建立小组）'}")
            continue
        visit_on = None
        if visit not in (None, ""):
            try:
                visit_on = date.fromisoformat(visit) if isinstance(visit, str) and len(visit) == 10 else None
            except ValueError:
                visit_on = None
            if visit_on is None:
                errors[f"units.{n}.visit_on"] = "走访日期应为 YYYY-MM-DD"
                continue
        if unit_id in wanted:
            errors[f"units.{n}.unit_id"] = f"单位 {unit_id} 重复出现"
        wanted[unit_id] = (team_id, visit_on)
    if errors:
        raise ValidationFailed(errors)
    return wanted


def _sync_evaluators(cycle: Cycle) -> None:
    """cycle_assignments (role evaluator) := team people × team units, read from the tables
    (not from the teams' loaded collections, which a change in this transaction may have outdated)."""
    db.session.flush()
    team_ids = sa.select(EvaluationTeam.id).where(EvaluationTeam.cycle_id == cycle.id)
    people = sa.union(
        sa.select(TeamMember.team_id, TeamMember.user_id).where(TeamMember.team_id.in_(team_ids)),
        sa.select(EvaluationTeam.id, EvaluationTeam.leader_id).where(
            EvaluationTeam.cycle_id == cycle.id, EvaluationTeam.leader_id.is_not(None))).subquery()
    want = set(db.session.execute(sa.select(TeamUnit.unit_id, people.c.user_id).join(
        people, people.c.team_id == TeamUnit.team_id)).all())
    rows = db.session.scalars(sa.select(CycleAssignment).where(
        CycleAssignment.cycle_id == cycle.id, CycleAssignment.role == "evaluator")).all()
    have = {(r.unit_id, r.user_id): r for r in rows}
    for key in set(have) - want:
        db.session.delete(have[key])
    db.session.flush()
    for unit_id, user_id in sorted(want - set(have)):
        db.session.add(CycleAssignment(cycle_id=cycle.id, unit_id=unit_id, user_id=user_id, role="evaluator"))
    db.session.flush()


# -- the panel --------------------------------------------------------------------
def panel_members() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.role == "panel", User.is_active_account.is_(True))
                                   .order_by(User.id)))


def panel_assignments(cycle: Cycle) -> dict[int, set[int]]:
    """{panel user id: unit ids} in this cycle."""
    result: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in db.session.execute(sa.select(CycleAssignment.user_id, CycleAssignment.unit_id).where(
            CycleAssignment.cycle_id == cycle.id, CycleAssignment.role == "panel")):
        result[user_id].add(unit_id)
    return dict(result)


def assign_panel(cycle: Cycle, assignments: dict, *, actor) -> None:
    """Replace the panel's assignments: ``{panel user id: [unit ids]}``; members not named keep theirs."""
    with transaction():
        cycle = _locked(cycle, ASSIGN_STATES, "结果运用阶段开始后不能再调整评议团分工")
        if not isinstance(assignments, dict):
            raise ValidationFailed({"assignments": "应为对象：评议团成员编号 → 单位编号列表"})
        units = {i for ids in population(cycle).values() for i in (u.id for u in ids)}
        errors: dict[str, str] = {}
        clean: dict[int, set[int]] = {}
        for key, unit_ids in assignments.items():
            user_id = int(key) if isinstance(key, str) and key.isascii() and key.isdigit() else key
            if not isinstance(unit_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                         for i in unit_ids):
                errors[f"assignments.{str(key)[:12]}"] = "应为单位编号列表"
                continue
            if unknown := set(unit_ids) - units:
                errors[f"assignments.{str(key)[:12]}"] = f"这些单位不在本周期中：{_ids(unknown)}"
                continue
            clean[user_id] = set(unit_ids)
        panel = {u.id for u in panel_members()}
        if not_panel := {k for k in clean if not isinstance(k, int) or k not in panel}:
            errors["assignments"] = (f"只能分配给启用的评议团成员（panel）账户：{'、'.join(map(str, list(not_panel)[:10]))}"
                                     f"不是；可选：{_ids(panel) or '（没有评议团账户）'}")
        if errors:
            raise ValidationFailed(errors)
        rows = db.session.scalars(sa.select(CycleAssignment).where(
            CycleAssignment.cycle_id == cycle.id, CycleAssignment.role == "panel",
            CycleAssignment.user_id.in_(list(clean)))).all()
        for row in rows:
            if row.unit_id not in clean[row.user_id]:
                db.session.delete(row)
        db.session.flush()
        have = {(r.user_id, r.unit_id) for r in rows}
        for user_id, unit_ids in clean.items():
            for unit_id in sorted(unit_ids):
                if (user_id, unit_id) not in have:
                    db.session.add(CycleAssignment(cycle_id=cycle.id, unit_id=unit_id, user_id=user_id, role="panel"))
        db.session.flush()
        audit.record("panel.assign", "cycle", cycle.id, actor=actor, data={
            "assignments": {str(k): len(v) for k, v in sorted(clean.items())}})


def set_panel_profile(user: User, data: dict, *, actor) -> PanelProfile:
    errors: dict[str, str] = {}
    if user.role != "panel":
        raise ValidationFailed({"user_id": "只有评议团成员（panel）账户有身份类别"})
    affiliation = clean_choice(data.get("affiliation"), "affiliation", "身份类别", AFFILIATIONS, errors)
    organisation = clean_text(data.get("organisation"), "organisation", "工作单位", errors, max_len=100,
                              required=False) or ""
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        profile = db.session.get(PanelProfile, user.id) or PanelProfile(user_id=user.id)
        profile.affiliation, profile.organisation = affiliation, organisation
        db.session.add(profile)
        db.session.flush()
        audit.record("panel.profile", "user", user.id, actor=actor, data={
            "affiliation": affiliation, "organisation": organisation})
    return profile


def panel_profiles() -> dict[int, PanelProfile]:
    return {p.user_id: p for p in db.session.scalars(sa.select(PanelProfile))}


# -- shared -----------------------------------------------------------------------
def _locked(cycle: Cycle, states: tuple[str, ...], refusal: str) -> Cycle:
    """The cycle row, locked for the rest of the transaction, in one of ``states``."""
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.id == cycle.id).with_for_update()
                              .execution_options(populate_existing=True))
    from .results import check_not_archived

    check_not_archived(cycle)
    if cycle.status not in states:
        raise Conflict(f"{refusal}（当前：{cycle.status_label}）", details={"state": cycle.status})
    return cycle


def _active_users(role: str, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(User.id).where(
        User.id.in_(sorted(ids)), User.role == role, User.is_active_account.is_(True))))
