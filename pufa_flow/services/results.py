"""评分定等 and 结果运用: grades by rule, adjustments, 评估意见, publishing, commendations, archive.

Grades are proposed by the cycle's thresholds (GradingRules; default 优秀 ≥ 90,
良好 ≥ 80, 合格 ≥ 60, else 不合格) and its optional 优秀 quota (at most K units,
or K% of the cycle's units, rounded down).

**Ties at the quota boundary.** When more units reach 优秀 than the quota
allows, the best ones keep 优秀 in order of final score. If units share the
score at the boundary (the last place within the quota and the first outside
it have the same score), *none* of the tied units is proposed 优秀: all drop
to 良好, so the quota is never exceeded and equal scores never get unequal
grades by the rule. The ranking page says so beside them, and the office may
raise some of them with a written reason (within the quota).

The office adjusts a proposed grade only with a reason (audited, shown on the
ranking); confirming fires ``assign_grade`` for every unit in one transaction,
all or nothing. ``publish_results`` notifies every unit in-app and turns each
opinion's problems into a 整改通知书 issued through the notices service, in one
transaction. ``archive`` closes every assessment and the cycle: from then on
every write to the cycle, its assessments, panel sheets, findings, opinions
and commendations is refused (409, 「已归档」).
"""
from __future__ import annotations

import hashlib

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from ..clock import to_local, utcnow_naive
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import (COMMENDATION_KINDS, GRADES, ITEM_CATEGORIES, QUOTA_KINDS, Commendation, Cycle,
                      EvaluationOpinion, GradeAdjustment, GradingRules, Notice, OutboxMessage, RectificationItem,
                      Unit, UnitAssessment)
from ..models.results import DEFAULT_RECTIFICATION_WORKDAYS, DEFAULT_THRESHOLDS
from . import audit, notices, transition_notices, workflow
from .calendar import calendar, overdue_filter, today
from .transaction import transaction
from .transition_inputs import MAX_SCORE
from .validation import MAX_LEN, clean_choice, clean_decimal, clean_id, clean_int, clean_text

#: grades from best to worst, the order thresholds are checked in
ORDER = ("excellent", "good", "pass", "fail")
MAX_PROBLEMS = 50
MAX_OPINION = 5000
#: counties and zones: the only units that may be recommended as 示范县
COUNTY_KINDS = ("county",)
GRADING_STATE = "acceptance"
ARCHIVED = "archived"


# -- read-only once archived ------------------------------------------------------
def check_not_archived(cycle: Cycle) -> None:
    """Every write to an archived cycle (or anything of it) stops here with a 409."""
    if cycle.status == ARCHIVED:
        raise Conflict(f"考评周期「{cycle.name}」已归档，只能查阅，不能再修改", details={"reason": "archived"})


def _office(actor) -> None:
    if getattr(actor, "role", None) != "office":
        raise Forbidden("该操作只能由普法办执行")


def _locked_cycle(cycle: Cycle) -> Cycle:
    """The cycle row, locked for the transaction (PostgreSQL), fresh from the database."""
    stmt = sa.select(Cycle).where(Cycle.id == cycle.id).execution_options(populate_existing=True)
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Cycle)
    return db.session.scalars(stmt).unique().one()


# -- the rules --------------------------------------------------------------------
def rules(cycle: Cycle) -> GradingRules:
    """The cycle's grading rules; an unsaved row with the defaults when it has none."""
    row = db.session.get(GradingRules, cycle.id)
    if row is None:
        row = GradingRules(cycle_id=cycle.id, excellent_min=DEFAULT_THRESHOLDS["excellent"],
                           good_min=DEFAULT_THRESHOLDS["good"], pass_min=DEFAULT_THRESHOLDS["pass"],
                           rectification_workdays=DEFAULT_RECTIFICATION_WORKDAYS)
    return row


def unit_count(cycle: Cycle) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(UnitAssessment)
                             .where(UnitAssessment.cycle_id == cycle.id)) or 0


def quota_limit(row: GradingRules, n_units: int) -> int | None:
    """How many 优秀 the quota allows (None: no quota); a percentage is rounded down."""
    if row.excellent_quota is None:
        return None
    if row.quota_kind == "percent":
        return row.excellent_quota * n_units // 100
    return row.excellent_quota


def save_rules(cycle: Cycle, data: dict, *, actor) -> GradingRules:
    """Thresholds (strictly descending), the 优秀 quota and the default 整改时限; until grades are confirmed."""
    _office(actor)
    check_not_archived(cycle)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "请求体应为对象"})
    errors: dict[str, str] = {}
    current = rules(cycle)
    values = {}
    for key, field, label in (("excellent", "excellent_min", "优秀最低分"), ("good", "good_min", "良好最低分"),
                              ("pass", "pass_min", "合格最低分")):
        raw = data.get(field)
        value = clean_decimal(raw, field, label, errors, minimum=Decimal(0), maximum=MAX_SCORE)
        if value is None and field not in errors:
            if raw not in (None, ""):
                errors[field] = f"{label}必须是数字"
            value = getattr(current, field)
        values[field] = value
    if not errors:
        e, g, p = values["excellent_min"], values["good_min"], values["pass_min"]
        if not e > g > p:
            errors["thresholds"] = (f"等次分数线须从高到低：优秀（{e}）> 良好（{g}）> 合格（{p}），"
                                    "请调整后再保存")
            for f in ("excellent_min", "good_min", "pass_min"):
                errors.setdefault(f, "分数线顺序不正确")
    kind = clean_choice(data.get("quota_kind"), "quota_kind", "优秀名额方式", QUOTA_KINDS, errors, required=False)
    quota = clean_int(data.get("excellent_quota"), "excellent_quota", "优秀名额", errors, required=False,
                      minimum=0, maximum=10_000)
    n = unit_count(cycle)
    if quota is not None and kind is None and "quota_kind" not in errors:
        errors["quota_kind"] = "请选择优秀名额的计算方式：个数或百分比"
    elif kind is not None and quota is None and "excellent_quota" not in errors:
        errors["excellent_quota"] = "请填写优秀名额，或把名额方式留空表示不设名额"
    elif quota is not None and kind is not None:
        if kind == "percent" and quota > 100:
            errors["excellent_quota"] = f"优秀名额比例不能超过 100%：{quota}%"
        elif (limit := quota if kind == "count" else quota * n // 100) < 1:
            errors["excellent_quota"] = (f"优秀名额无法满足：按{quota}{QUOTA_KINDS[kind]}计算，"
                                         f"{n} 个参评单位中优秀名额为 0 个，请提高名额或不设名额")
        elif kind == "count" and limit > n:
            errors["excellent_quota"] = f"优秀名额无法满足：名额 {quota} 个多于参评单位 {n} 个"
    workdays = clean_int(data.get("rectification_workdays"), "rectification_workdays", "默认整改时限（工作日）",
                         errors, required=False, minimum=1, maximum=notices.MAX_WORKDAYS)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        cycle = _locked_cycle(cycle)
        check_not_archived(cycle)
        row = db.session.get(GradingRules, cycle.id)
        if row is not None and row.grades_confirmed_at is not None:
            raise Conflict("等次已确认，不能再修改分数线和名额", details={"reason": "confirmed"})
        if row is None:
            row = rules(cycle)
            db.session.add(row)
        row.excellent_min, row.good_min, row.pass_min = (values["excellent_min"], values["good_min"],
                                                         values["pass_min"])
        row.excellent_quota, row.quota_kind = quota, (kind if quota is not None else None)
        if workdays is not None:
            row.rectification_workdays = workdays
        db.session.flush()
        audit.record("results.rules", "cycle", cycle.id, actor=actor, data={
            "thresholds": {k: str(v) for k, v in row.thresholds.items()},
            "quota": row.excellent_quota, "quota_kind": row.quota_kind,
            "rectification_workdays": row.rectification_workdays})
    return row


# -- the ranking ------------------------------------------------------------------
def grade_by_threshold(score: Decimal, thresholds: dict[str, Decimal]) -> str:
    for grade in ("excellent", "good", "pass"):
        if score >= thresholds[grade]:
            return grade
    return "fail"


def propose(scores: dict[int, Decimal], thresholds: dict[str, Decimal], limit: int | None) -> dict[int, tuple[str, str]]:
    """{key: (grade, why)} by the thresholds, then the quota; a pure function.

    ``why``: "threshold", "quota" (over the quota, 良好 instead) or "quota_tie"
    (tied at the boundary score: all such units drop, see the module text).
    """
    out = {k: (grade_by_threshold(s, thresholds), "threshold") for k, s in scores.items()}
    if limit is None:
        return out
    best = sorted((k for k, (g, _) in out.items() if g == "excellent"), key=lambda k: -scores[k])
    if len(best) <= limit:
        return out
    keep = best[:limit]
    boundary = scores[best[limit]]  # the best score outside the quota
    tie = bool(limit) and scores[best[limit - 1]] == boundary
    if tie:
        keep = [k for k in keep if scores[k] > boundary]
    for k in best:
        if k not in keep:
            out[k] = ("good", "quota_tie" if tie and scores[k] == boundary else "quota")
    return out


@dataclass
class RankRow:
    rank: int | None
    assessment: UnitAssessment
    score: Decimal | None
    proposed: str | None
    why: str | None
    adjustment: GradeAdjustment | None

    @property
    def grade(self) -> str | None:
        """The grade that confirming would give (or gave)."""
        if self.assessment.grade:
            return self.assessment.grade
        return self.adjustment.grade if self.adjustment else self.proposed

    @property
    def grade_label(self) -> str:
        return GRADES.get(self.grade or "", "")

    @property
    def proposed_label(self) -> str:
        return GRADES.get(self.proposed or "", "")


def ranking(cycle: Cycle) -> list[RankRow]:
    """The cycle's units by final score (best first; ties share a rank), then those without one."""
    assessments = list(db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == cycle.id)
                                          .order_by(UnitAssessment.review_score.desc().nulls_last(),
                                                    UnitAssessment.unit_id)).unique())
    row = rules(cycle)
    scores = {a.id: a.review_score for a in assessments if a.review_score is not None}
    proposals = propose(scores, row.thresholds, quota_limit(row, len(assessments)))
    adjustments = {g.assessment_id: g for g in db.session.scalars(
        sa.select(GradeAdjustment).where(GradeAdjustment.cycle_id == cycle.id))}
    out, rank, previous = [], 0, None
    for i, a in enumerate(assessments, start=1):
        if a.review_score is not None and a.review_score != previous:
            rank, previous = i, a.review_score
        grade, why = proposals.get(a.id, (None, None))
        out.append(RankRow(rank if a.review_score is not None else None, a, a.review_score, grade, why,
                           adjustments.get(a.id)))
    return out


def summary(rows: list[RankRow]) -> dict[str, int]:
    counts = {g: 0 for g in ORDER}
    for r in rows:
        if r.grade:
            counts[r.grade] += 1
    return counts


def _check_grading_open(cycle: Cycle) -> GradingRules:
    check_not_archived(cycle)
    if cycle.status != GRADING_STATE:
        raise Conflict(f"考评周期当前处于「{cycle.status_label}」，评估验收阶段才能评定等次",
                       details={"state": cycle.status})
    row = rules(cycle)
    if row.grades_confirmed_at is not None:
        raise Conflict("等次已确认，不能再调整", details={"reason": "confirmed"})
    return row


def adjust_grade(a: UnitAssessment, data: dict, *, actor) -> GradeAdjustment | None:
    """The office sets another grade than the rule's, with a reason; the proposed grade itself clears it."""
    _office(actor)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "请求体应为对象"})
    errors: dict[str, str] = {}
    grade = clean_choice(data.get("grade"), "grade", "调整后的等次", GRADES, errors)
    reason = clean_text(data.get("reason"), "reason", "调整理由", errors, max_len=MAX_LEN["comment"],
                        multiline=True)
    with transaction():
        cycle = _locked_cycle(a.cycle)
        _check_grading_open(cycle)
        if a.review_score is None:
            errors.setdefault("grade", f"{a.unit.name}尚未确认最终得分，不能评定等次")
        if errors:
            raise ValidationFailed(errors)
        rows = ranking(cycle)
        mine = next(r for r in rows if r.assessment.id == a.id)
        limit = quota_limit(rules(cycle), len(rows))
        if grade == "excellent" and limit is not None and mine.grade != "excellent":
            excellent = summary(rows)["excellent"]
            if excellent + 1 > limit:
                raise ValidationFailed({"grade": f"优秀名额已满（至多 {limit} 个，已有 {excellent} 个），"
                                                 "请先把其他单位调整为良好"})
        existing = db.session.get(GradeAdjustment, a.id)
        before = mine.grade
        if grade == mine.proposed:
            if existing is not None:
                db.session.delete(existing)
            result = None
        else:
            if existing is None:
                existing = GradeAdjustment(assessment_id=a.id, unit_id=a.unit_id, cycle_id=a.cycle_id)
                db.session.add(existing)
            existing.proposed, existing.grade, existing.reason = mine.proposed, grade, reason
            existing.adjusted_by_id, existing.adjusted_at = actor.id, utcnow_naive()
            result = existing
        db.session.flush()
        audit.record("results.grade_adjust", "assessment", a.id, actor=actor, unit_id=a.unit_id, comment=reason,
                     data={"proposed": mine.proposed, "from": before, "to": grade,
                           "score": str(a.review_score)})
    return result


def confirm_grades(cycle: Cycle, *, actor) -> int:
    """确认等次: ``assign_grade`` for every unit, in one transaction; refused unless every unit is scored."""
    _office(actor)
    with transaction():
        cycle = _locked_cycle(cycle)
        row = _check_grading_open(cycle)
        rows = ranking(cycle)
        if not rows:
            raise Conflict("该考评周期没有参评单位")
        missing = [r.assessment.unit.name for r in rows if r.assessment.status != "scored"]
        if missing:
            raise Conflict(f"还有 {len(missing)} 个单位未确认最终得分，不能确认等次："
                           f"{'、'.join(missing[:10])}{'等' if len(missing) > 10 else ''}",
                           details={"reason": "unscored", "units": missing})
        limit = quota_limit(row, len(rows))
        counts = summary(rows)
        if limit is not None and counts["excellent"] > limit:
            raise Conflict(f"优秀 {counts['excellent']} 个，超过名额 {limit} 个，请先调整", details={"reason": "quota"})
        for r in rows:
            workflow.fire(r.assessment, "assign_grade", actor=actor, data={"grade": r.grade},
                          comment=r.adjustment.reason if r.adjustment else None)
        if db.session.get(GradingRules, cycle.id) is None:
            db.session.add(row)
        row.grades_confirmed_at = utcnow_naive()
        db.session.flush()
        audit.record("results.grades_confirm", "cycle", cycle.id, actor=actor,
                     data={"counts": counts, "adjusted": sum(1 for r in rows if r.adjustment)})
    return len(rows)


# -- 评估意见 -------------------------------------------------------------------------
def opinion(a: UnitAssessment) -> EvaluationOpinion | None:
    return db.session.get(EvaluationOpinion, a.id)


def opinions(cycle: Cycle) -> dict[int, EvaluationOpinion]:
    return {o.assessment_id: o for o in db.session.scalars(
        sa.select(EvaluationOpinion).where(EvaluationOpinion.cycle_id == cycle.id))}


def clean_problems(raw, errors: dict) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors["problems"] = "问题应为列表"
        return []
    if len(raw) > MAX_PROBLEMS:
        errors["problems"] = f"一份评估意见最多 {MAX_PROBLEMS} 个问题"
        return []
    out = []
    for i, p in enumerate(raw):
        n, key = i + 1, f"problems.{i}"
        if not isinstance(p, dict):
            errors[key] = f"第{n}个问题格式不正确"
            continue
        if extra := sorted(set(p) - {"problem", "requirement", "category"}):
            errors[key] = f"第{n}个问题不接受字段：{'、'.join(map(str, extra))}"
            continue
        out.append({
            "problem": clean_text(p.get("problem"), f"{key}.problem", f"第{n}个问题", errors,
                                  max_len=MAX_LEN["text"], multiline=True),
            "requirement": clean_text(p.get("requirement"), f"{key}.requirement", f"第{n}个问题的整改要求",
                                      errors, max_len=MAX_LEN["text"], multiline=True),
            "category": clean_choice(p.get("category") or "other", f"{key}.category", f"第{n}个问题的类别",
                                     ITEM_CATEGORIES, errors),
        })
    return out


def save_opinion(a: UnitAssessment, data: dict, *, actor) -> EvaluationOpinion:
    """The office's 评估意见 on one unit; editable until the results are published."""
    _office(actor)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "请求体应为对象"})
    errors: dict[str, str] = {}
    text = clean_text(data.get("text"), "text", "评估意见", errors, max_len=MAX_OPINION, multiline=True)
    problems = clean_problems(data.get("problems"), errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        cycle = _locked_cycle(a.cycle)
        check_not_archived(cycle)
        if rules(cycle).published_at is not None or cycle.status not in ("field_research", GRADING_STATE):
            raise Conflict(f"考评周期当前处于「{cycle.status_label}」，评估意见只能在评估验收阶段、结果发布前填写",
                           details={"state": cycle.status})
        row = opinion(a)
        if row is None:
            row = EvaluationOpinion(assessment_id=a.id, unit_id=a.unit_id, cycle_id=a.cycle_id)
            db.session.add(row)
        row.text, row.problems, row.updated_by_id = text, problems, actor.id
        db.session.flush()
        audit.record("results.opinion", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"problems": len(problems), "chars": len(text)})
    return row


# -- publishing ------------------------------------------------------------------------
def _message(cycle: Cycle, a: UnitAssessment, op: EvaluationOpinion | None, notice: Notice | None) -> str:
    return current_app.jinja_env.get_template("messages/results_published.txt").render(
        cycle=cycle, a=a, opinion=op, notice=notice)


def _digest(recipient: str) -> str:
    """An address in an outbox key, kept short (the key is at most 200 characters)."""
    return hashlib.sha256(recipient.encode()).hexdigest()[:20]


def publish_results(cycle: Cycle, *, actor, comment: str | None = None) -> dict:
    """发布结果, one transaction: each unit told its score, grade and opinion; each problem an item.

    Every unit gets an in-app message; each unit whose opinion lists problems
    gets a 整改通知书 (source: the evaluation) issued through the notices
    service, one item per problem, due in the cycle's working days. Then the
    cycle's ``publish_results`` trigger. Anything failing leaves nothing.
    """
    _office(actor)
    with transaction():
        cycle = _locked_cycle(cycle)
        check_not_archived(cycle)
        row = rules(cycle)
        if row.published_at is not None or cycle.status != GRADING_STATE:
            raise Conflict(f"考评结果已发布（周期当前：{cycle.status_label}），不能重复发布"
                           if row.published_at is not None or cycle.status == "results" else
                           f"考评周期当前处于「{cycle.status_label}」，评估验收阶段才能发布结果",
                           details={"reason": "published" if row.published_at else "state"})
        assessments = list(db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == cycle.id)
                                              .order_by(UnitAssessment.unit_id)).unique())
        ungraded = [a.unit.name for a in assessments if a.status != "graded"]
        if ungraded or not assessments:
            raise Conflict(f"还有 {len(ungraded)} 个单位未定等，不能发布结果：{'、'.join(ungraded[:10])}"
                           f"{'等' if len(ungraded) > 10 else ''}" if ungraded else "该考评周期没有参评单位",
                           details={"reason": "ungraded", "units": ungraded})
        ops = opinions(cycle)
        now = utcnow_naive()
        created = []
        for a in assessments:
            op = ops.get(a.id)
            notice = None
            if op is not None and op.problems:
                notice = notices.create_notice({
                    "unit_id": a.unit_id, "cycle_id": cycle.id, "source": "evaluation",
                    "title": f"关于{cycle.name}评估意见的整改通知书（{a.unit.name}）"[:MAX_LEN["title"]],
                    "items": [{"problem": p["problem"], "requirement": p["requirement"], "category": p["category"],
                               "due_workdays": row.rectification_workdays} for p in op.problems],
                }, actor=actor)
                op.notice_id = notice.id
                created.append(notice.id)
            body, link = _message(cycle, a, op, notice), transition_notices.object_link(a)
            # the unit's inbox, and its 联络员 by email (as for any decision on its work)
            for channel, recipient, role in transition_notices.recipients(a, "unit"):
                db.session.add(OutboxMessage(
                    key=f"results:{cycle.id}:unit:{a.unit_id}:" + (channel if channel == "in_app" else
                                                                   f"{channel}:{_digest(recipient)}"), channel=channel,
                    recipient=recipient, recipient_role=role, kind="results.published",
                    local_day=to_local(now).date(), subject=f"【普法考评】{cycle.name}考评结果：{a.grade_label}",
                    body=body, link=link, object_type="assessment", object_id=a.id,
                    unit_id=a.unit_id, status="pending", created_at=now, send_after=now, attempts=0))
        workflow.fire(cycle, "publish_results", actor=actor, comment=comment)
        if db.session.get(GradingRules, cycle.id) is None:
            db.session.add(row)
        row.published_at, row.published_by_id = now, actor.id
        db.session.flush()
        audit.record("results.publish", "cycle", cycle.id, actor=actor, comment=comment,
                     data={"units": len(assessments), "notices": created,
                           "items": sum(len(o.problems) for o in ops.values())})
    return {"units": len(assessments), "notices": created}


# -- commendations and 通报批评 -----------------------------------------------------------
def commendations(cycle: Cycle) -> list[Commendation]:
    return list(db.session.scalars(sa.select(Commendation).where(Commendation.cycle_id == cycle.id)
                                   .order_by(Commendation.kind, Commendation.id)).unique())


def add_commendation(cycle: Cycle, data: dict, *, actor) -> Commendation:
    """先进集体 (unit), 先进个人 (unit, name, post), 示范县 (a county-kind unit); in acceptance or results."""
    _office(actor)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "请求体应为对象"})
    check_not_archived(cycle)
    errors: dict[str, str] = {}
    kind = clean_choice(data.get("kind"), "kind", "类别", COMMENDATION_KINDS, errors)
    unit_id = clean_id(data.get("unit_id"), "unit_id", "单位", errors)
    person = clean_text(data.get("person_name"), "person_name", "姓名", errors, max_len=MAX_LEN["person"],
                        required=kind == "individual", name_like=True) or ""
    post = clean_text(data.get("post"), "post", "职务", errors, max_len=100,
                      required=kind == "individual", name_like=True) or ""
    note = clean_text(data.get("note"), "note", "事迹或推荐理由", errors, max_len=500, required=False,
                      multiline=True) or ""
    if kind and kind != "individual" and (person or post):
        errors["person_name"] = "只有先进个人填写姓名和职务"
    if unit_id is not None:
        a = db.session.scalar(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == cycle.id,
                                                              UnitAssessment.unit_id == unit_id))
        if a is None:
            errors["unit_id"] = "该单位不是本考评周期的参评单位"
        elif kind == "model_county" and a.unit.kind not in COUNTY_KINDS:
            errors["unit_id"] = f"示范县只能推荐县（市、区）类单位，{a.unit.name}不是"
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        cycle = _locked_cycle(cycle)
        check_not_archived(cycle)
        if cycle.status not in (GRADING_STATE, "results"):
            raise Conflict(f"考评周期当前处于「{cycle.status_label}」，评估验收或结果运用阶段才能记录表彰",
                           details={"state": cycle.status})
        dup = db.session.scalar(sa.select(Commendation.id).where(
            Commendation.cycle_id == cycle.id, Commendation.kind == kind, Commendation.unit_id == unit_id,
            Commendation.person_name == person))
        if dup:
            raise ValidationFailed({"unit_id": "已记录过相同的表彰"})
        row = Commendation(cycle_id=cycle.id, kind=kind, unit_id=unit_id, person_name=person, post=post,
                           note=note, created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        audit.record("results.commend", "cycle", cycle.id, actor=actor, unit_id=unit_id,
                     data={"commendation": row.id, "kind": kind, "person": person, "post": post})
    return row


def delete_commendation(row: Commendation, *, actor) -> None:
    _office(actor)
    with transaction():
        cycle = _locked_cycle(db.session.get(Cycle, row.cycle_id))
        check_not_archived(cycle)
        audit.record("results.commend_delete", "cycle", cycle.id, actor=actor, unit_id=row.unit_id,
                     data={"commendation": row.id, "kind": row.kind, "person": row.person_name})
        db.session.delete(row)
        db.session.flush()


@dataclass(frozen=True)
class CriticismRow:
    unit: Unit
    overdue: int
    #: the oldest overdue item's working days past its deadline
    max_working_days: int


def criticism_list(cycle: Cycle, on: date | None = None) -> list[CriticismRow]:
    """通报批评: units with overdue items from this cycle's evaluation notices (working days)."""
    on = on or today()
    items = list(db.session.scalars(
        sa.select(RectificationItem).join(Notice, Notice.id == RectificationItem.notice_id)
        .where(Notice.cycle_id == cycle.id, Notice.source == "evaluation", overdue_filter(on))
        .order_by(RectificationItem.unit_id, RectificationItem.due_date)).unique())
    cal = calendar()
    by_unit: dict[int, list] = {}
    for item in items:
        by_unit.setdefault(item.unit_id, []).append(item)
    rows = [CriticismRow(its[0].unit, len(its),
                         max(cal.working_days_overdue(i.due_date, i.is_open, on) for i in its))
            for its in by_unit.values()]
    return sorted(rows, key=lambda r: (-r.max_working_days, r.unit.id))


# -- archive -----------------------------------------------------------------------------
def archive(cycle: Cycle, *, actor, comment: str | None = None) -> int:
    """归档: close every assessment, then the cycle, in one transaction; read-only from then on."""
    _office(actor)
    with transaction():
        cycle = _locked_cycle(cycle)
        check_not_archived(cycle)
        if cycle.status != "results":
            raise Conflict(f"考评周期当前处于「{cycle.status_label}」，发布结果后才能归档",
                           details={"state": cycle.status})
        assessments = list(db.session.scalars(sa.select(UnitAssessment).where(
            UnitAssessment.cycle_id == cycle.id, UnitAssessment.status != "closed")).unique())
        for a in assessments:
            workflow.fire(a, "close", actor=actor)
        workflow.fire(cycle, "archive", actor=actor, comment=comment)
    return len(assessments)


# -- lookups for the faces ------------------------------------------------------------------
def commendation_of(cycle: Cycle, commendation_id) -> Commendation:
    row = db.session.get(Commendation, commendation_id)
    if row is None or row.cycle_id != cycle.id:
        raise NotFound("未找到该记录")
    return row
