"""Yearly filings (报备): the office's list of what is due, and each unit filing it.

Every state change of a filing is a trigger of the filing workflow fired
through ``workflow.fire`` (audit row and notices in the same transaction);
this module adds what a trigger cannot: defining the year's types, creating
the filing a unit hands in (checked against who must file what), and linking
its files from the attachments store.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import CONTACT_ROLES, FILING_CODES, FILING_KINDS, UNIT_KINDS, Contact, Filing, FilingType, FilingTypeUnit, Unit
from ..models.scoping import can_see_unit, check_write
from . import attachments, audit, workflow
from .calendar import calendar, today
from .reminders import filings as filing_chase
from .transaction import transaction
from .validation import clean_bool, clean_choice, clean_date, clean_int, clean_text

MAX_TYPES_PER_YEAR = 50
MAX_FILES = 10


@dataclass(frozen=True)
class DefaultType:
    code: str
    name: str
    kind: str
    #: (month, day) of the due date within the year
    due: tuple[int, int]
    description: str
    target: int | None = None
    requires_url: bool = False
    names_people: bool = False


#: what the office starts a year with (seed 001: 年度计划、责任清单、领导小组与联络员、年度报告;
#: 003 附件2 指标4: 工作信息全年不少于5条). The office edits dates and adds its own.
DEFAULT_TYPES = (
    DefaultType("plan", FILING_CODES["plan"], "single", (3, 31),
                "结合本部门工作职责制定本年度普法工作计划（工作要点），报普法办备案。"),
    DefaultType("duty_list", FILING_CODES["duty_list"], "single", (3, 31),
                "建立“谁执法谁普法”普法责任清单并向社会公示，报送清单文件及公示网址。", requires_url=True),
    DefaultType("contacts", FILING_CODES["contacts"], "single", (3, 31),
                "报送普法领导小组组成人员及普法联络员；人员变动后应及时重新报送。", names_people=True),
    DefaultType("report", "年度履职报告（法治建设报告）", "single", (12, 31),
                "报送本年度普法责任制履职报告或法治建设年度报告。"),
    DefaultType("info", FILING_CODES["info"], "stream", (12, 31),
                "及时报送普法工作信息（动态信息、工作经验、先进典型等），全年不少于5条。", target=5),
)

#: what a person named in a filing is (the unit's contacts take principal/leader/liaison)
PEOPLE_ROLES = {
    "principal": "主要负责人（领导小组组长）",
    "leader": "分管领导",
    "liaison": "联络员",
    "member": "领导小组成员",
}


# -- the office's list ------------------------------------------------------------
def types_of_year(year: int) -> list[FilingType]:
    stmt = sa.select(FilingType).where(FilingType.year == year).order_by(FilingType.position, FilingType.id)
    return list(db.session.scalars(stmt))


def _clean_year(value, errors) -> int | None:
    year = clean_int(value, "year", "年度", errors)
    if year is not None and not (2000 <= year <= 2100):
        errors["year"] = "年度应在 2000 至 2100 之间"
        return None
    return year


def _clean_type(data: dict, year: int | None, errors: dict, current: FilingType | None = None) -> dict:
    out = {
        "name": clean_text(data.get("name"), "name", "报备事项名称", errors, max_len=100, name_like=True),
        "kind": clean_choice(data.get("kind") or (current.kind if current else "single"), "kind", "报备方式",
                             FILING_KINDS, errors),
        "due_date": clean_date(data.get("due_date"), "due_date", "报送时限", errors),
        "description": clean_text(data.get("description"), "description", "说明", errors, max_len=2000,
                                  required=False) or "",
        "requires_url": clean_bool(data.get("requires_url"), "requires_url", "须填公示网址", errors),
        "names_people": clean_bool(data.get("names_people"), "names_people", "须填人员名单", errors),
    }
    if year is not None and out["due_date"] is not None and out["due_date"].year != year:
        errors["due_date"] = f"报送时限应在 {year} 年内"
    target = clean_int(data.get("target"), "target", "年度目标条数", errors, required=False)
    if out["kind"] == "stream":
        target = 5 if target is None else target
        if not (1 <= target <= 1000):
            errors["target"] = "年度目标条数应在 1 至 1000 之间"
    elif target is not None:
        errors["target"] = "只有计数报送（如工作信息）才有年度目标条数"
    out["target"] = target if out["kind"] == "stream" else None
    kinds = data.get("unit_kinds") or []
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or any(k not in UNIT_KINDS for k in kinds):
        errors["unit_kinds"] = f"单位类别不正确（可选：{'、'.join(UNIT_KINDS)}）"
        kinds = []
    out["unit_kinds"] = sorted(set(kinds))
    unit_ids = data.get("unit_ids") or []
    if isinstance(unit_ids, (str, int)):
        unit_ids = [unit_ids]
    try:
        unit_ids = sorted({int(u) for u in unit_ids})
    except (TypeError, ValueError):
        errors["unit_ids"] = "报备单位应为单位编号列表"
        unit_ids = []
    if unit_ids:
        found = set(db.session.scalars(sa.select(Unit.id).where(Unit.id.in_(unit_ids))))
        if missing := [u for u in unit_ids if u not in found]:
            errors["unit_ids"] = f"单位不存在：{', '.join(map(str, missing))}"
    out["unit_ids"] = unit_ids
    return out


def create_type(data: dict, *, actor) -> FilingType:
    errors: dict[str, str] = {}
    year = _clean_year(data.get("year"), errors)
    values = _clean_type(data, year, errors)
    if year is not None and values["name"] and db.session.scalar(
            sa.select(FilingType.id).where(FilingType.year == year, FilingType.name == values["name"])):
        errors["name"] = f"{year} 年已有报备事项“{values['name']}”"
    if year is not None and len(types_of_year(year)) >= MAX_TYPES_PER_YEAR:
        errors["year"] = f"一年最多 {MAX_TYPES_PER_YEAR} 个报备事项"
    if errors:
        raise ValidationFailed(errors)
    unit_ids = values.pop("unit_ids")
    with transaction():
        position = (db.session.scalar(sa.select(sa.func.max(FilingType.position))
                                      .where(FilingType.year == year)) or 0) + 1
        ft = FilingType(year=year, position=position, code=data.get("code") if data.get("code") in FILING_CODES
                        else None, **values)
        ft.required_units = [FilingTypeUnit(unit_id=u) for u in unit_ids]
        db.session.add(ft)
        db.session.flush()
        audit.record("filing_type.create", "filing_type", ft.id, actor=actor,
                     data={"year": year, "name": ft.name, "due_date": ft.due_date.isoformat()})
        filing_chase.replan_type(ft)
    return ft


def update_type(ft: FilingType, data: dict, *, actor) -> FilingType:
    errors: dict[str, str] = {}
    values = _clean_type(data, ft.year, errors, current=ft)
    if values["name"] and values["name"] != ft.name and db.session.scalar(
            sa.select(FilingType.id).where(FilingType.year == ft.year, FilingType.name == values["name"])):
        errors["name"] = f"{ft.year} 年已有报备事项“{values['name']}”"
    filed = db.session.scalar(sa.select(sa.func.count()).select_from(Filing).where(Filing.filing_type_id == ft.id))
    if filed and values["kind"] != ft.kind:
        errors["kind"] = "已有单位报送，不能再改变报备方式"
    if errors:
        raise ValidationFailed(errors)
    unit_ids = values.pop("unit_ids")
    with transaction():
        before = {"due_date": ft.due_date.isoformat(), "name": ft.name}
        for key, value in values.items():
            setattr(ft, key, value)
        ft.required_units = [FilingTypeUnit(unit_id=u) for u in unit_ids]
        db.session.flush()
        audit.record("filing_type.update", "filing_type", ft.id, actor=actor,
                     data={"before": before, "after": {"due_date": ft.due_date.isoformat(), "name": ft.name}})
        filing_chase.replan_type(ft)
    return ft


def install_defaults(year: int, *, actor) -> list[FilingType]:
    """The shipped types for ``year`` (those not defined yet), every active unit required."""
    errors: dict[str, str] = {}
    year = _clean_year(year, errors)
    if errors:
        raise ValidationFailed(errors)
    have = {ft.code for ft in types_of_year(year)} | {ft.name for ft in types_of_year(year)}
    created = []
    with transaction():
        for d in DEFAULT_TYPES:
            if d.code in have or d.name in have:
                continue
            created.append(create_type({
                "year": year, "code": d.code, "name": d.name, "kind": d.kind,
                "due_date": date(year, *d.due).isoformat(), "description": d.description,
                "target": d.target, "requires_url": d.requires_url, "names_people": d.names_people,
            }, actor=actor))
    return created


def get_type(type_id) -> FilingType:
    ft = db.session.get(FilingType, int(type_id)) if str(type_id).isdigit() else None
    if ft is None:
        raise NotFound("未找到该报备事项")
    return ft


def required_units(ft: FilingType) -> list[Unit]:
    units = db.session.scalars(sa.select(Unit).order_by(Unit.id)).unique()
    return [u for u in units if ft.requires(u)]


# -- a unit filing ------------------------------------------------------------------
def _stored_files(files, *, unit_id: int, actor) -> list:
    files = [f for f in (files or []) if f is not None and (getattr(f, "filename", None) or isinstance(f, tuple))]
    if len(files) > MAX_FILES:
        raise ValidationFailed({"files": f"一次最多上传 {MAX_FILES} 个文件"})
    stored = []
    for f in files:
        if isinstance(f, tuple):  # (bytes, filename) from the API
            stored.append(attachments.store_upload(f[0], f[1], unit_id=unit_id, uploader=actor))
        else:
            stored.append(attachments.store_upload(f, unit_id=unit_id, uploader=actor))
    return stored


def _unit_for(actor, unit_id) -> Unit:
    """The unit a filing is for: a unit user files only for its own (another's is 404)."""
    errors: dict[str, str] = {}
    unit_id = clean_int(unit_id if unit_id not in (None, "") else getattr(actor, "unit_id", None),
                        "unit_id", "报备单位", errors)
    if errors:
        raise ValidationFailed(errors)
    if getattr(actor, "role", None) == "unit" and unit_id != actor.unit_id:
        raise NotFound("未找到该单位")
    unit = db.session.get(Unit, unit_id)
    if unit is None or not can_see_unit(actor, unit_id):
        raise NotFound("未找到该单位")
    return unit


def file_filing(type_id, data: dict, *, actor, files=None) -> Filing:
    """A unit hands in (or, after 退回修改, hands in again) its filing of one type.

    ``data``: ``unit_id`` (a unit user's own by default), ``url``, ``note``,
    ``people`` (a list of {role, name, phone, email}) and, for a stream item,
    ``title`` and ``item_date``. Single-shot types: the unit's one filing is
    created on first filing and may be filed again only while returned.
    Files are stored before the transaction (see services/attachments).
    """
    ft = get_type(type_id)
    if getattr(actor, "role", None) != "unit":
        raise Forbidden("只有责任单位可以报送")
    unit = _unit_for(actor, data.get("unit_id"))
    if not ft.requires(unit):
        raise ValidationFailed({"filing_type_id": f"{unit.name}不在“{ft.name}”的报备单位之内"},
                               f"{unit.name}无须报送“{ft.name}”")
    stream_fields = {}
    if ft.is_stream:
        errors: dict[str, str] = {}
        stream_fields["title"] = clean_text(data.get("title"), "title", "信息标题", errors, max_len=200, visible=True)
        item_date = clean_date(data.get("item_date"), "item_date", "信息日期", errors)
        if item_date is not None and item_date.year != ft.year:
            errors["item_date"] = f"信息日期应在 {ft.year} 年内"
        elif item_date is not None and item_date > today():
            errors["item_date"] = "信息日期不能晚于今天"
        stream_fields["item_date"] = item_date
        if errors:
            raise ValidationFailed(errors)
    existing = None
    if not ft.is_stream:
        existing = db.session.scalars(sa.select(Filing).where(
            Filing.filing_type_id == ft.id, Filing.unit_id == unit.id, Filing.seq == 1)).one_or_none()
        if existing is not None and existing.status not in Filing.workflow.definition.groups["owed"]:
            raise Conflict(f"“{ft.name}”已报送（{existing.status_label}），如需更换须由普法办退回修改后重新报送",
                           details={"reason": "already_filed", "filing_id": existing.id})
    stored = _stored_files(files, unit_id=unit.id, actor=actor)
    inputs = {k: data[k] for k in ("url", "note", "people") if data.get(k) not in (None, "", [])}
    with transaction():
        filing = existing
        if filing is None:
            seq = 1
            if ft.is_stream:
                seq = (db.session.scalar(sa.select(sa.func.max(Filing.seq)).where(
                    Filing.filing_type_id == ft.id, Filing.unit_id == unit.id)) or 0) + 1
            filing = Filing(filing_type=ft, unit_id=unit.id, year=ft.year, seq=seq,
                            title=stream_fields.get("title") or ft.name, item_date=stream_fields.get("item_date"))
            db.session.add(filing)
            db.session.flush()
        for s in stored:
            attachments.link(s, "filing", filing.id)
        workflow.fire(filing, "submit", actor=actor, comment=data.get("comment") or None, data=inputs,
                      expected_version=data.get("version") if isinstance(data.get("version"), int) else None)
        if ft.names_people:
            _update_contacts(unit, filing.people)
    return filing


def _update_contacts(unit: Unit, people: list[dict]) -> None:
    """The unit's 主要负责人/分管领导/联络员 become those the filing names (others are kept)."""
    named = {p["role"]: p for p in people if p.get("role") in CONTACT_ROLES}
    if not named:
        return
    for contact in list(unit.contacts):
        if contact.role in named:
            unit.contacts.remove(contact)
    for role, p in named.items():
        unit.contacts.append(Contact(role=role, name=p["name"], phone=p.get("phone"), email=p.get("email")))
    db.session.flush()


def files_of(filing: Filing) -> list:
    return list(db.session.scalars(attachments.attachments_of("filing", filing.id)))


# -- reading the record ---------------------------------------------------------------
def unit_filings(unit_id: int, year: int) -> list[Filing]:
    stmt = (sa.select(Filing).where(Filing.unit_id == unit_id, Filing.year == year)
            .order_by(Filing.filing_type_id, Filing.seq))
    return list(db.session.scalars(stmt).unique())


def deadline_of(ft: FilingType) -> date:
    """The last day to file on time: the due date, moved to the next working day if it is not one."""
    return calendar().effective_deadline(ft.due_date)


def late_workdays(ft: FilingType, on: date) -> int:
    """Working days a filing handed in on ``on`` is late (0: on time).

    A filing handed in on a non-working day counts from the next working day,
    so one handed in on the Saturday after a Friday deadline is one day late.
    """
    cal = calendar()
    deadline = cal.effective_deadline(ft.due_date)
    if on <= deadline:
        return 0
    day, last, count = deadline, cal.next_workday_on_or_after(on), 0
    while day < last:
        day = cal.add_workdays(day, 1)
        count += 1
    return count


#: a board cell's verdicts, in the order the legend shows them
CELL_STATES = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "returned": "退回修改",
    "missing": "逾期未报",
    "due": "待报送",
    "not_required": "无须报送",
}


@dataclass
class Cell:
    unit: Unit
    filing_type: FilingType
    state: str
    filing: Filing | None = None
    #: a stream: items filed so far
    count: int = 0

    @property
    def label(self) -> str:
        if self.filing_type.is_stream and self.state != "not_required":
            return f"{self.count}/{self.filing_type.target}"
        if self.state == "late" and self.filing is not None:
            return f"逾期{self.filing.late_workdays}个工作日"
        return CELL_STATES[self.state]


def cell_state(ft: FilingType, unit: Unit, filings: list[Filing], on: date) -> Cell:
    """One unit's standing on one type, as the board and the record read it."""
    if not ft.requires(unit):
        return Cell(unit, ft, "not_required")
    past_due = on > deadline_of(ft)
    if ft.is_stream:
        count = sum(1 for f in filings if f.is_filed)
        state = "on_time" if count >= (ft.target or 0) else ("missing" if past_due else "due")
        return Cell(unit, ft, state, None, count)
    filing = filings[0] if filings else None
    if filing is None or filing.status == "pending":
        return Cell(unit, ft, "missing" if past_due else "due", filing)
    if filing.status == "returned":
        return Cell(unit, ft, "returned", filing)
    return Cell(unit, ft, "late" if filing.is_late else "on_time", filing)


@dataclass
class Board:
    year: int
    types: list[FilingType]
    rows: list[tuple[Unit, list[Cell]]]
    #: type id -> state -> count
    counts: dict[int, dict[str, int]]


def board(year: int, *, user, on: date | None = None) -> Board:
    """The unit × type matrix of a year, for the units this user may see."""
    from ..models.scoping import visible

    on = on or today()
    types = types_of_year(year)
    units = list(db.session.scalars(visible(Unit, user).where(Unit.is_active.is_(True)).order_by(Unit.id)).unique())
    unit_ids = [u.id for u in units]
    by_pair: dict[tuple[int, int], list[Filing]] = {}
    if unit_ids and types:
        stmt = (sa.select(Filing).where(Filing.year == year, Filing.unit_id.in_(unit_ids))
                .order_by(Filing.seq))
        for f in db.session.scalars(stmt).unique():
            by_pair.setdefault((f.unit_id, f.filing_type_id), []).append(f)
    rows, counts = [], {ft.id: dict.fromkeys(CELL_STATES, 0) for ft in types}
    for unit in units:
        cells = [cell_state(ft, unit, by_pair.get((unit.id, ft.id), []), on) for ft in types]
        for c in cells:
            counts[c.filing_type.id][c.state] += 1
        rows.append((unit, cells))
    return Board(year, types, rows, counts)


def check_filing_write(actor, filing: Filing) -> None:
    check_write(actor, filing)
