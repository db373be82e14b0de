"""A unit's 自评: its score sheet (or county checklist), report, problem list and cases, and submit.

Every write here is the unit's own, on an assessment still open for 自评
(待自评 or 退回修改, cycle in its 自评 phase); the office reads. Drafts may be
saved at any time and need not be complete; ``submit`` refuses with the
list of what is missing, and after the unit's deadline unless extended. The
self score is never typed: the submit effect computes it from the saved sheet.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..frameworks import ScoreSheet, ScoreSheetInvalid, applicable_rules, compute
from ..frameworks.serial import to_dict
from ..models import Attachment, AuditEvent, SelfAssessment, UnitAssessment
from ..models.scoping import can_read
from ..models.self_assessment import scored_entries
from . import attachments, audit, workflow
from .calendar import today
from .transaction import transaction

OPEN_FOR_EDIT = UnitAssessment.workflow.definition.groups["awaiting_submission"]
ENTRY_KEYS = {"rule_id", "count", "tier", "note", "evidence"}
ANSWER_KEYS = {"item", "answer", "note"}
ANSWERS = {"done": "完成", "partial": "部分完成", "not_done": "未完成"}
MAX_NOTE = 2000
MAX_REPORT = 50_000
MAX_PROBLEMS = 30
MAX_CASES = 5
PROBLEM_RANGE = (3, 8)
PROBLEM_BODY = (200, 500)
CASE_TITLE_MAX = 25
CASE_PRACTICE_MIN = 2500
CASE_TOTAL_ABOUT = 4000
#: owner_type of attachments kept on an assessment
REPORT_OWNER, EVIDENCE_OWNER = "self_report", "self_evidence"


# -- reading ------------------------------------------------------------------
def framework_row(a: UnitAssessment):
    row = a.cycle.framework_for(a.unit.kind)
    if row is None:
        raise NotFound("该考评周期没有指标体系")
    return row


def workspace(a: UnitAssessment) -> SelfAssessment:
    """The saved workspace, or an empty unsaved one (never added to the session)."""
    return a.workspace or SelfAssessment(assessment_id=a.id, unit_id=a.unit_id)


def sheet(a: UnitAssessment, entries: list | None = None) -> ScoreSheet | None:
    row = framework_row(a)
    if row.kind != "score_sheet":
        return None
    if entries is None:
        entries = workspace(a).entries or []
    return compute(row.framework, scored_entries(entries), has_enforcement_power=a.unit.has_enforcement_power)


def files(a: UnitAssessment, owner_type: str) -> list[Attachment]:
    return list(db.session.scalars(attachments.attachments_of(owner_type, a.id)))


def return_reason(a: UnitAssessment) -> AuditEvent | None:
    """The office's last 退回修改 of this assessment (shown at the top of the workspace)."""
    stmt = (sa.select(AuditEvent).where(AuditEvent.object_type == "assessment", AuditEvent.object_id == a.id,
                                        AuditEvent.trigger == "return_for_revision")
            .order_by(AuditEvent.id.desc()).limit(1))
    return db.session.scalars(stmt).first()


def problem_warnings(problems: list[dict]) -> list[str]:
    """附件4's shape: about 5 problems of 200–500 characters; warnings, never a refusal."""
    out = []
    low, high = PROBLEM_RANGE
    if len(problems) < low:
        out.append(f"问题清单只有{len(problems)}个问题，建议列出{low}—{high}个")
    elif len(problems) > high:
        out.append(f"问题清单有{len(problems)}个问题，建议不超过{high}个")
    for n, p in enumerate(problems, 1):
        size = len(p.get("body") or "")
        if not PROBLEM_BODY[0] <= size <= PROBLEM_BODY[1]:
            out.append(f"第{n}个问题的内容为{size}字，建议{PROBLEM_BODY[0]}—{PROBLEM_BODY[1]}字")
    return out


def case_checks(case: dict) -> list[dict]:
    """附件3's checks of one case: [{"check", "ok", "detail"}], shown while typing."""
    title = case.get("title") or ""
    parts = {k: case.get(k) or "" for k in ("background", "practice", "lessons")}
    total = sum(len(v) for v in parts.values())
    return [
        {"check": "title", "ok": 0 < len(title) <= CASE_TITLE_MAX,
         "detail": f"标题{len(title)}字（不超过{CASE_TITLE_MAX}字）"},
        {"check": "parts", "ok": all(parts.values()),
         "detail": "背景情况、主要做法和成效、经验启示三部分" + ("齐全" if all(parts.values()) else "未写全")},
        {"check": "practice", "ok": len(parts["practice"]) >= CASE_PRACTICE_MIN,
         "detail": f"主要做法和成效{len(parts['practice'])}字（不少于{CASE_PRACTICE_MIN}字）"},
        {"check": "total", "ok": abs(total - CASE_TOTAL_ABOUT) <= 1000,
         "detail": f"全文{total}字（4000字左右）"},
    ]


def needs_case(a: UnitAssessment) -> bool:
    return a.unit.kind == "county"


def missing(a: UnitAssessment) -> list[str]:
    """What submit still waits for, in the words of the completeness list."""
    ws = workspace(a)
    row = framework_row(a)
    out = []
    if row.kind == "score_sheet" and ws.entries is None:
        out.append("自测得分表")
    if row.kind == "checklist":
        answered = {x.get("item") for x in (ws.answers or [])}
        if not answered >= {i.number for i in row.framework.items}:
            out.append("重点内容自查表")
    if not (ws.report_text or "").strip() and not files(a, REPORT_OWNER):
        out.append("自评报告")
    if not ws.problems:
        out.append("问题清单")
    if needs_case(a) and not any(all(c.get(k) for k in ("title", "background", "practice", "lessons"))
                                 for c in (ws.cases or [])):
        out.append("典型创新案例")
    return out


# -- access -------------------------------------------------------------------
def check_unit_writer(actor, a: UnitAssessment) -> None:
    """Only the unit's own users write its 自评; others outside the policy see a 404."""
    if not can_read(actor, a):
        raise NotFound("未找到该记录")
    if getattr(actor, "role", None) != "unit" or actor.unit_id != a.unit_id:
        raise Forbidden("自评材料只能由本单位填报，普法办和评议人员只能查阅")


def check_editable(a: UnitAssessment) -> None:
    from .results import check_not_archived

    check_not_archived(a.cycle)
    if a.cycle.status != "self_assessment":
        raise Conflict(f"考评周期当前处于「{a.cycle.status_label}」，不在自评阶段，不能修改自评材料")
    if a.status not in OPEN_FOR_EDIT:
        raise Conflict(f"自评材料已{a.status_label}，不能再修改；如需修改，请联系普法办退回",
                       details={"reason": "submitted"})


def _writable(actor, a: UnitAssessment, expected_version: int | None = None) -> SelfAssessment:
    """The workspace row to write, created on first save; ``expected_version``: the version the
    writer's page showed (a form), refused with a Conflict if someone saved in between."""
    check_unit_writer(actor, a)
    check_editable(a)
    ws = a.workspace
    current = ws.version if ws is not None else 0
    if expected_version is not None and expected_version != current:
        raise Conflict("自评材料已被本单位其他人修改，请刷新页面后再保存", details={"reason": "stale"})
    if ws is None:
        ws = SelfAssessment(assessment_id=a.id, unit_id=a.unit_id)
        db.session.add(ws)
        a.workspace = ws
    ws.updated_by_id = actor.id
    return ws


def _body_list(body, key: str, label: str, limit: int) -> list:
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "请求体应为 JSON 对象"})
    typed = sorted(set(body) & {"total", "score", "self_score", "scores", "base", "bonus"})
    if typed:
        raise ValidationFailed({k: "得分由系统按扣分规则计算，不能直接填写" for k in typed})
    unknown = sorted(set(body) - {key})
    if unknown:
        raise ValidationFailed({k: "不接受此字段" for k in unknown})
    value = body.get(key)
    if not isinstance(value, list):
        raise ValidationFailed({key: f"{label}应为列表"})
    if len(value) > limit:
        raise ValidationFailed({key: f"{label}不能超过{limit}项"})
    return value


# -- writing ------------------------------------------------------------------
def save_entries(a: UnitAssessment, body, *, actor, expected_version: int | None = None) -> SelfAssessment:
    """PUT self-score: the sheet as chosen rules (or checklist answers); refused whole on any bad entry."""
    row = framework_row(a)
    if row.kind == "checklist":
        return _save_answers(a, row, body, actor=actor, expected_version=expected_version)
    check_unit_writer(actor, a)
    check_editable(a)
    entries = _body_list(body, "entries", "entries", 500)
    errors: dict[str, str] = {}
    own_evidence = {f.id for f in files(a, EVIDENCE_OWNER)}
    cleaned = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            errors[f"entries.{i}"] = "格式不正确"
            continue
        if extra := sorted(set(e) - ENTRY_KEYS):
            if set(extra) & {"score", "points", "amount", "total"}:
                errors[f"entries.{i}"] = "得分由系统按扣分规则计算，不能直接填写"
            else:
                errors[f"entries.{i}"] = f"不接受字段：{'、'.join(extra)}"
            continue
        note = e.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            errors[f"entries.{i}"] = f"说明须为不超过{MAX_NOTE}字的文字"
            continue
        evidence = e.get("evidence") or []
        if not isinstance(evidence, list) or not all(isinstance(x, int) and x in own_evidence for x in evidence):
            errors[f"entries.{i}"] = "佐证材料须为本单位在本次自评中上传的文件"
            continue
        cleaned.append({k: v for k, v in e.items() if v is not None and v != [] and v != ""})
    if errors:
        raise ValidationFailed(errors, "；".join(f"第{int(k.split('.')[1]) + 1}项：{m}" for k, m in errors.items()))
    try:
        computed = compute(row.framework, scored_entries(cleaned), has_enforcement_power=a.unit.has_enforcement_power)
    except ScoreSheetInvalid as exc:
        raise ValidationFailed({f"entries.{i}": m for i, m in exc.errors.items()}, str(exc)) from None
    with transaction():
        ws = _writable(actor, a, expected_version)
        ws.entries = cleaned
        db.session.flush()
        audit.record("self_assessment.sheet", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"entries": len(cleaned), "total": str(computed.total)})
    return ws


def _save_answers(a, row, body, *, actor, expected_version: int | None = None) -> SelfAssessment:
    check_unit_writer(actor, a)
    check_editable(a)
    entries = _body_list(body, "entries", "entries", 200)
    numbers = {i.number for i in row.framework.items}
    errors, cleaned, seen = {}, [], set()
    by_label = {v: k for k, v in ANSWERS.items()}
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or set(e) - ANSWER_KEYS:
            errors[f"entries.{i}"] = "每项应包含 item、answer、note"
            continue
        item, answer, note = e.get("item"), e.get("answer"), e.get("note") or ""
        answer = by_label.get(answer, answer)
        if item not in numbers or isinstance(item, bool) or item in seen:
            errors[f"entries.{i}"] = f"没有第{item}项，或重复填写"
        elif answer not in ANSWERS:
            errors[f"entries.{i}"] = "完成情况只能是：完成、部分完成、未完成"
        elif not isinstance(note, str) or len(note) > MAX_NOTE:
            errors[f"entries.{i}"] = f"说明须为不超过{MAX_NOTE}字的文字"
        else:
            seen.add(item)
            cleaned.append({"item": item, "answer": answer, "note": note})
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        ws = _writable(actor, a, expected_version)
        ws.answers = sorted(cleaned, key=lambda x: x["item"])
        db.session.flush()
        audit.record("self_assessment.checklist", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"answered": len(cleaned)})
    return ws


def save_problems(a: UnitAssessment, body, *, actor, expected_version: int | None = None) -> list[str]:
    """The 问题清单; returns the warnings (too few/many, bodies outside 200–500 characters)."""
    check_unit_writer(actor, a)
    check_editable(a)
    problems = _body_list(body, "problems", "问题清单", MAX_PROBLEMS)
    errors, cleaned = {}, []
    for i, p in enumerate(problems):
        if not isinstance(p, dict) or set(p) - {"title", "body"}:
            errors[f"problems.{i}"] = "每个问题应包含 title 和 body"
            continue
        title, text = p.get("title"), p.get("body") or ""
        if not isinstance(title, str) or not title.strip() or len(title) > 200:
            errors[f"problems.{i}.title"] = f"第{i + 1}个问题的名称不能为空，且不超过200字"
        elif not isinstance(text, str) or len(text) > 5000:
            errors[f"problems.{i}.body"] = f"第{i + 1}个问题的内容须为不超过5000字的文字"
        else:
            cleaned.append({"title": title.strip(), "body": text.strip()})
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        ws = _writable(actor, a, expected_version)
        ws.problems = cleaned
        db.session.flush()
        audit.record("self_assessment.problems", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"problems": len(cleaned)})
    return problem_warnings(cleaned)


def save_cases(a: UnitAssessment, body, *, actor, expected_version: int | None = None) -> list[list[dict]]:
    """The 典型创新案例 (counties at least one); returns each case's checks."""
    check_unit_writer(actor, a)
    check_editable(a)
    cases = _body_list(body, "cases", "典型创新案例", MAX_CASES)
    errors, cleaned = {}, []
    keys = ("title", "background", "practice", "lessons")
    for i, c in enumerate(cases):
        if not isinstance(c, dict) or set(c) - set(keys):
            errors[f"cases.{i}"] = "每个案例应包含 title、background、practice、lessons"
            continue
        if not all(isinstance(c.get(k) or "", str) for k in keys):
            errors[f"cases.{i}"] = "案例内容须为文字"
        elif not (c.get("title") or "").strip() or len(c["title"]) > 100:
            errors[f"cases.{i}.title"] = f"第{i + 1}个案例的标题不能为空，且不超过100字"
        elif any(len(c.get(k) or "") > 20000 for k in keys):
            errors[f"cases.{i}"] = "案例每部分不超过20000字"
        else:
            cleaned.append({k: (c.get(k) or "").strip() for k in keys})
    if errors:
        raise ValidationFailed(errors)
    with transaction():
        ws = _writable(actor, a, expected_version)
        ws.cases = cleaned
        db.session.flush()
        audit.record("self_assessment.cases", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"cases": len(cleaned)})
    return [case_checks(c) for c in cleaned]


def save_report_text(a: UnitAssessment, text, *, actor, expected_version: int | None = None) -> SelfAssessment:
    check_unit_writer(actor, a)
    check_editable(a)
    if text is not None and not isinstance(text, str):
        raise ValidationFailed({"text": "自评报告须为文字"})
    if text and len(text) > MAX_REPORT:
        raise ValidationFailed({"text": f"自评报告不能超过{MAX_REPORT}字，较长的报告请上传文件"})
    with transaction():
        ws = _writable(actor, a, expected_version)
        ws.report_text = (text or "").strip() or None
        db.session.flush()
        audit.record("self_assessment.report_text", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"chars": len(ws.report_text or "")})
    return ws


REPORT_EXTENSIONS = {"doc", "docx", "wps", "pdf", "ofd"}


def upload(a: UnitAssessment, file, *, actor, kind: str) -> Attachment:
    """The 自评报告 file (Word/PDF) or one evidence file; checked before anything is written."""
    check_unit_writer(actor, a)
    check_editable(a)
    name = getattr(file, "filename", None) or ""
    if kind == REPORT_OWNER and name.rsplit(".", 1)[-1].lower() not in REPORT_EXTENSIONS:
        raise ValidationFailed({"file": "自评报告只接受 Word、WPS、PDF 或 OFD 文件"},
                               "自评报告只接受 Word（.doc/.docx）、WPS、PDF 或 OFD 文件")
    stored = attachments.store_upload(file, unit_id=a.unit_id, uploader=actor)
    with transaction():
        _writable(actor, a)
        row = attachments.link(stored, kind, a.id)
        audit.record(f"self_assessment.{kind}", "assessment", a.id, actor=actor, unit_id=a.unit_id,
                     data={"attachment": row.id, "name": row.original_name})
    return row


def submit(a: UnitAssessment, *, actor, comment: str | None = None, expected_version: int | None = None):
    """提交自评: refused with what is missing, or when the unit's deadline has passed."""
    check_unit_writer(actor, a)
    check_editable(a)
    lacking = missing(a)
    if lacking:
        raise ValidationFailed({"missing": "、".join(lacking)}, f"还缺：{'、'.join(lacking)}，补齐后才能提交")
    due = a.due_on
    if due is not None and today() > due:
        raise Conflict(f"已超过本单位的自评截止日期（{due.year}年{due.month}月{due.day}日），"
                       "不能提交；如确有原因，请联系普法办延期", details={"reason": "deadline"})
    return workflow.fire(a, "submit", actor=actor, comment=comment, expected_version=expected_version)


# -- JSON shapes shared by the API and the page's script ---------------------------
def _n(d) -> str:
    return format(d.normalize(), "f") if d is not None else None


def sheet_json(s: ScoreSheet) -> dict:
    def ind(i):
        return {"number": i.number, "title": i.title, "max_points": _n(i.max_points), "is_bonus": i.is_bonus,
                "deducted": None if i.is_bonus else _n(min(i.raw, i.max_points)),
                "earned": _n(min(i.raw, i.max_points)) if i.is_bonus else None,
                "raw": _n(i.raw), "score": _n(i.score), "capped": i.capped,
                "applied": [{"rule_id": r.rule_id, "count": r.count, "tier": r.tier, "amount": _n(r.amount),
                             "note": r.note} for r in i.applied]}
    return {"framework_id": s.framework_id,
            "categories": [{"key": c.key, "name": c.name, "max_points": _n(c.max_points), "score": _n(c.score),
                            "indicators": [ind(i) for i in c.indicators]} for c in s.categories],
            "bonus": {"indicators": [ind(i) for i in s.bonus_indicators], "raw": _n(s.bonus_raw),
                      "score": _n(s.bonus), "capped": s.bonus_capped},
            "base": _n(s.base), "total": _n(s.total)}


def framework_json(row, unit=None) -> dict:
    """A cycle's framework as the API gives it; with a unit, each rule says whether it applies."""
    out = to_dict(row.framework)
    out.update({"db_id": row.id, "unit_kind": row.unit_kind, "frozen": row.frozen_reason is not None,
                "frozen_reason": row.frozen_reason})
    if row.kind == "score_sheet":
        usable = {r.id for r in applicable_rules(row.framework, unit.has_enforcement_power)} if unit else None
        for c in out["categories"]:
            for i in c["indicators"]:
                for r in i["rules"]:
                    r["applicable"] = True if usable is None else r["id"] in usable
    return out


@dataclass(frozen=True)
class Completeness:
    missing: list[str]
    due_on: object
    late: bool


def completeness(a: UnitAssessment) -> Completeness:
    return Completeness(missing(a), a.due_on, a.is_late(today()))


def self_score_json(a: UnitAssessment) -> dict:
    """GET/PUT self-score: the saved entries and what they compute to."""
    ws = workspace(a)
    row = framework_row(a)
    out = {"assessment_id": a.id, "framework_kind": row.kind, "status": a.status,
           "saved": (ws.entries if row.kind == "score_sheet" else ws.answers) is not None,
           "entries": (ws.entries if row.kind == "score_sheet" else ws.answers) or []}
    if row.kind == "score_sheet":
        # stored without empty fields; given back whole so every entry has the same shape
        out["entries"] = [{"rule_id": e.get("rule_id"), "count": e.get("count"), "tier": e.get("tier"),
                           "note": e.get("note"), "evidence": e.get("evidence") or []} for e in out["entries"]]
        out.update(sheet_json(sheet(a)))
    else:
        out["total"] = None
        counts = {k: 0 for k in ANSWERS}
        for x in ws.answers or []:
            counts[x["answer"]] += 1
        out["answers"] = counts
    return out
