"""Reminder policy: escalation ladders as data, and a pure planner over them.

A ladder is PagerDuty's escalation policy on 普法 terms: rungs at working-day
offsets from a deadline (negative before it), each naming who is told and by
which channels, optionally repeating every N working days until the work is
closed. The office edits ladders later, so a policy round-trips through plain
dicts (``Policy.to_dict`` / ``Policy.from_dict``) and is validated on the way in.

The planner is pure: a deadline (date), a clock value and a working-day
calendar in, planned reminders out. The app decides which deadlines are open;
a closed item is simply never asked about again, an extension is a new
deadline and so a new plan.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notifications.calendar import WorkdayIndex, Workdays, index_of, next_workday_on_or_after

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: recipient roles a rung may name: a unit's three contacts (the app's Contact
#: roles), the office, and a cycle's evaluators and panel members
ROLES = {
    "liaison": "联络员",
    "leader": "分管领导",
    "principal": "主要负责人",
    "office": "普法办",
    "evaluator": "评委会成员",
    "panel": "评议团成员",
}
#: channel names; "in_app" is the app's own inbox table
CHANNELS = {
    "email": "电子邮件",
    "sms": "短信",
    "in_app": "站内消息",
    "wecom": "企业微信群",
    "dingtalk": "钉钉群",
}
#: what a ladder counts its offsets from
ANCHORS = {"deadline": "截止日期", "submitted": "报送日期"}
MAX_OFFSET = 250  # about a working year either way


class PolicyError(ValueError):
    """An edited policy that cannot be used; ``errors`` are Chinese sentences."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Rung:
    #: stable name inside its ladder, part of the outbox kind key ("before_5")
    key: str
    #: working days from the anchor: -5 is five working days before, 0 the day itself
    offset: int
    recipients: tuple[str, ...]
    channels: tuple[str, ...]
    #: repeat every N working days from ``offset`` on, until the work is closed
    every: int | None = None

    def offsets(self) -> Iterator[int]:
        yield self.offset
        if self.every:
            n = self.offset
            while True:
                n += self.every
                yield n


@dataclass(frozen=True)
class Ladder:
    #: kind of deadline: "rectification", "cycle_phase", "filing"…
    kind: str
    label: str
    rungs: tuple[Rung, ...]
    anchor: str = "deadline"
    #: local time of day reminders are planned at
    send_at: time = time(9, 0)


@dataclass(frozen=True)
class QuietHours:
    """Channels that wait at night and on non-working days (SMS by default)."""

    start: time = time(21, 0)
    end: time = time(8, 0)
    channels: tuple[str, ...] = ("sms",)


@dataclass(frozen=True)
class Digest:
    """The office's daily summary: what became overdue, was submitted, failed to deliver."""

    at: time = time(8, 30)
    recipients: tuple[str, ...] = ("office",)
    channels: tuple[str, ...] = ("email", "in_app")


@dataclass(frozen=True)
class PlannedReminder:
    #: when it should go, Asia/Shanghai
    at: datetime
    #: "rectification.before_5": with the local day, the outbox's uniqueness key
    kind: str
    recipient: str
    channel: str
    #: working days from the anchor (negative: before)
    offset: int

    @property
    def day(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class Policy:
    ladders: Mapping[str, Ladder]
    quiet: QuietHours = field(default_factory=QuietHours)
    digest: Digest = field(default_factory=Digest)

    def ladder(self, kind: str) -> Ladder:
        return self.ladders[kind]

    # -- serialisation -------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "ladders": {kind: _ladder_to_dict(lad) for kind, lad in self.ladders.items()},
            "quiet_hours": {"start": _hhmm(self.quiet.start), "end": _hhmm(self.quiet.end),
                            "channels": list(self.quiet.channels)},
            "digest": {"at": _hhmm(self.digest.at), "recipients": list(self.digest.recipients),
                       "channels": list(self.digest.channels)},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Policy:
        """The policy an office edited; every mistake listed at once in ``PolicyError``."""
        errors: list[str] = []
        if not isinstance(data, Mapping):
            raise PolicyError(["提醒规则应为一个对象"])
        ladders: dict[str, Ladder] = {}
        raw_ladders = data.get("ladders")
        if not isinstance(raw_ladders, Mapping) or not raw_ladders:
            errors.append("至少需要一条提醒阶梯（ladders）")
            raw_ladders = {}
        for kind, raw in raw_ladders.items():
            ladder = _ladder_from_dict(str(kind), raw, errors)
            if ladder is not None:
                ladders[str(kind)] = ladder
        raw_quiet = data.get("quiet_hours", {})
        quiet = QuietHours(
            start=_time(raw_quiet.get("start", "21:00"), "免打扰开始时间", errors),
            end=_time(raw_quiet.get("end", "08:00"), "免打扰结束时间", errors),
            channels=_names(raw_quiet.get("channels", ["sms"]), CHANNELS, "免打扰渠道", errors, allow_empty=True),
        ) if isinstance(raw_quiet, Mapping) else _bad(errors, "免打扰设置（quiet_hours）应为一个对象", QuietHours())
        if quiet.start <= quiet.end:
            errors.append("免打扰时段应跨越午夜：开始时间须晚于结束时间（如 21:00 至 08:00）")
        raw_digest = data.get("digest", {})
        digest = Digest(
            at=_time(raw_digest.get("at", "08:30"), "每日汇总时间", errors),
            recipients=_names(raw_digest.get("recipients", ["office"]), ROLES, "每日汇总接收人", errors),
            channels=_names(raw_digest.get("channels", ["email", "in_app"]), CHANNELS, "每日汇总渠道", errors),
        ) if isinstance(raw_digest, Mapping) else _bad(errors, "每日汇总设置（digest）应为一个对象", Digest())
        if errors:
            raise PolicyError(errors)
        return cls(ladders=ladders, quiet=quiet, digest=digest)


# -- the planner ---------------------------------------------------------------
def anchor_day(anchor: date, calendar: Workdays) -> date:
    """A deadline on a non-working day moves to the next working day (the app's rule too)."""
    return next_workday_on_or_after(calendar, anchor)


def _rung_day(start: date, offset: int, calendar: Workdays) -> date:
    return calendar.add_workdays(start, offset) if offset else start


def _expand(ladder: Ladder, rung: Rung, day: date, offset: int) -> Iterator[PlannedReminder]:
    at = datetime.combine(day, ladder.send_at, tzinfo=SHANGHAI)
    for recipient in rung.recipients:
        for channel in rung.channels:
            yield PlannedReminder(at=at, kind=f"{ladder.kind}.{rung.key}", recipient=recipient,
                                  channel=channel, offset=offset)


def _allowed(rung: Rung, audience: Iterable[str] | None) -> Rung | None:
    if audience is None:
        return rung
    audience = set(audience)
    recipients = tuple(r for r in rung.recipients if r in audience)
    return Rung(rung.key, rung.offset, recipients, rung.channels, rung.every) if recipients else None


def plan(anchor: date, ladder: Ladder, calendar: Workdays, *, audience: Iterable[str] | None = None,
         through: date | None = None, since_day: date | None = None) -> list[PlannedReminder]:
    """Every reminder of ``ladder`` for a deadline on ``anchor``, in time order.

    ``audience`` limits recipients to the roles that exist (a unit without a
    分管领导 on file); repeating rungs are expanded up to ``through`` (default:
    ten working days past the last rung's first occurrence), since an open
    item is chased without end; ``since_day`` leaves out earlier days.
    """
    calendar = index_of(calendar)
    start = anchor_day(anchor, calendar)
    rungs = [r for r in (_allowed(r, audience) for r in ladder.rungs) if r is not None]
    if through is None:
        last = max((r.offset for r in ladder.rungs), default=0)
        through = calendar.add_workdays(start, max(last, 0) + 10)
    out: list[PlannedReminder] = []
    for rung in rungs:
        for day, offset in _occurrences(start, rung, calendar, since_day):
            if day > through:
                break
            if since_day is None or day >= since_day:
                out.extend(_expand(ladder, rung, day, offset))
    out.sort(key=lambda p: (p.at, p.offset, p.recipient, p.channel))
    return out


def _occurrences(start: date, rung: Rung, calendar: WorkdayIndex,
                 from_day: date | None = None) -> Iterator[tuple[date, int]]:
    """(day, offset) of each occurrence on or after ``from_day`` (and, for a
    rung that does not repeat, its one occurrence whatever the day). A
    repeating rung jumps straight to ``from_day``: a deadline months overdue
    costs a bisect, not a walk through every repeat."""
    offset = rung.offset
    day = _rung_day(start, offset, calendar)
    if rung.every and from_day is not None and from_day > day:
        behind = calendar.workdays_between(day, from_day)
        steps = -(-behind // rung.every)  # ceil
        offset += steps * rung.every
        day = calendar.add_workdays(day, steps * rung.every)
    yield day, offset
    while rung.every:
        offset += rung.every
        day = calendar.add_workdays(day, rung.every)
        yield day, offset


def _first_after(start: date, rung: Rung, after_day: date, calendar: WorkdayIndex) -> tuple[date, int] | None:
    for day, offset in _occurrences(start, rung, calendar, after_day + timedelta(days=1)):
        if day > after_day:
            return day, offset
        if not rung.every:
            return None
    return None  # pragma: no cover - a repeating rung has no end


def next_due(anchor: date, ladder: Ladder, calendar: Workdays, *, after: datetime,
             audience: Iterable[str] | None = None) -> datetime | None:
    """The first planned send time strictly after ``after``: what the app keeps in
    its next-reminder table. None when the ladder has nothing left."""
    calendar = index_of(calendar)
    start = anchor_day(anchor, calendar)
    local = after.astimezone(SHANGHAI)
    # a reminder on ``local``'s own day still counts if its time has not come
    after_day = local.date() - timedelta(days=1) if local.timetz().replace(tzinfo=None) < ladder.send_at \
        else local.date()
    best: date | None = None
    for rung in ladder.rungs:
        rung = _allowed(rung, audience)
        if rung is None:
            continue
        found = _first_after(start, rung, after_day, calendar)
        if found and (best is None or found[0] < best):
            best = found[0]
    return None if best is None else datetime.combine(best, ladder.send_at, tzinfo=SHANGHAI)


def due(anchor: date, ladder: Ladder, calendar: Workdays, *, now: datetime, since: datetime | None = None,
        audience: Iterable[str] | None = None) -> list[PlannedReminder]:
    """What falls due in (``since``, ``now``]: the sweep's question.

    When the scheduler was down and several rungs passed, each recipient and
    channel gets only the latest of them (sent once, not once per missed run).
    """
    calendar = index_of(calendar)
    now_local = now.astimezone(SHANGHAI)
    since_local = since.astimezone(SHANGHAI) if since else None
    through = now_local.date()
    window = [p for p in plan(anchor, ladder, calendar, audience=audience, through=through,
                              since_day=since_local.date() if since_local else None)
              if p.at <= now_local and (since_local is None or p.at > since_local)]
    latest: dict[tuple[str, str], PlannedReminder] = {}
    for p in window:  # plan() is in time order: later ones win
        latest[(p.recipient, p.channel)] = p
    return sorted(latest.values(), key=lambda p: (p.at, p.offset, p.recipient, p.channel))


@dataclass(frozen=True)
class Queued:
    """A reminder the sweep should write to the outbox now."""

    planned: PlannedReminder
    #: when delivery may send it: now, or (SMS at night, on a holiday) the next allowed time
    not_before: datetime

    def unique_key(self, object_key: str) -> tuple[str, str, str, str, date]:
        """(object, recipient role, channel, kind, local day): the outbox's UNIQUE key."""
        p = self.planned
        return (object_key, p.recipient, p.channel, p.kind, p.day)


@dataclass(frozen=True)
class SweepResult:
    queue: list[Queued]
    #: what to store in the next-reminder table (None: nothing left to chase)
    next_at: datetime | None


def sweep_deadline(anchor: date, ladder: Ladder, calendar: Workdays, *, now: datetime,
                   since: datetime | None = None, audience: Iterable[str] | None = None,
                   quiet: QuietHours = QuietHours()) -> SweepResult:
    """One open deadline's share of ``sweep(now)``: what to queue, and the next time to look.

    ``since`` is the previous sweep's ``now`` for this deadline (from the
    next-reminder table); quiet channels get a ``not_before`` outside quiet
    hours, measured from the later of the planned time and ``now``.
    """
    calendar = index_of(calendar)
    queue = [Queued(p, next_allowed_time(max(p.at, now.astimezone(SHANGHAI)), calendar, quiet, p.channel))
             for p in due(anchor, ladder, calendar, now=now, since=since, audience=audience)]
    return SweepResult(queue, next_due(anchor, ladder, calendar, after=now, audience=audience))


# -- quiet hours ---------------------------------------------------------------
def next_allowed_time(when: datetime, calendar: Workdays, quiet: QuietHours = QuietHours(),
                      channel: str = "sms") -> datetime:
    """``when`` itself if ``channel`` may go then, else the next moment it may
    (``quiet.end`` on the next working day). Returned in Asia/Shanghai."""
    local = when.astimezone(SHANGHAI)
    if channel not in quiet.channels:
        return local
    clock = local.timetz().replace(tzinfo=None)
    if calendar.is_workday(local.date()) and quiet.end <= clock < quiet.start:
        return local
    day = local.date()
    if not (clock < quiet.end and calendar.is_workday(day)):
        day = next_workday_on_or_after(calendar, day + timedelta(days=1))
    return datetime.combine(day, quiet.end, tzinfo=SHANGHAI)


def is_digest_time(now: datetime, calendar: Workdays, digest: Digest = Digest()) -> bool:
    """True on a working day once the digest's time has come (the scheduler's
    cron fires at that time; this guards the non-working days)."""
    local = now.astimezone(SHANGHAI)
    return calendar.is_workday(local.date()) and local.timetz().replace(tzinfo=None) >= digest.at


# -- the shipped defaults (issue 9, issue 13) -------------------------------------
def _r(key: str, offset: int, recipients: str, channels: str, every: int | None = None) -> Rung:
    return Rung(key, offset, tuple(recipients.split()), tuple(channels.split()), every)


UNIT_CHANNELS = "email sms in_app"
DEFAULT_LADDERS: dict[str, Ladder] = {
    "rectification": Ladder("rectification", "整改事项时限", (
        _r("before_5", -5, "liaison", UNIT_CHANNELS),
        _r("before_2", -2, "liaison", UNIT_CHANNELS),
        _r("before_1", -1, "liaison", UNIT_CHANNELS),
        _r("due", 0, "liaison", UNIT_CHANNELS),
        _r("overdue", 2, "liaison", UNIT_CHANNELS, every=2),
        _r("escalate_leader", 3, "leader", UNIT_CHANNELS, every=2),
        _r("escalate_principal", 10, "principal office", "email sms in_app", every=5),
    )),
    # counted from the day the unit submitted its fix
    "rectification_unverified": Ladder("rectification_unverified", "整改已报送未核验", (
        _r("unverified", 3, "office", "email in_app", every=3),
    ), anchor="submitted"),
    "cycle_phase": Ladder("cycle_phase", "考评阶段报送时限", (
        _r("before_5", -5, "liaison", UNIT_CHANNELS),
        _r("before_2", -2, "liaison", UNIT_CHANNELS),
        _r("before_1", -1, "liaison", UNIT_CHANNELS),
        _r("overdue", 1, "liaison", UNIT_CHANNELS, every=1),
    )),
    "cycle_review": Ladder("cycle_review", "评估与评分待办时限", (
        _r("before_5", -5, "evaluator panel", "email in_app"),
        _r("before_2", -2, "evaluator panel", "email in_app"),
        _r("before_1", -1, "evaluator panel", "email sms in_app"),
        _r("overdue", 1, "evaluator panel", "email sms in_app", every=1),
    )),
    "filing": Ladder("filing", "年度报备时限", (
        _r("before_10", -10, "liaison", "email in_app"),
        _r("before_5", -5, "liaison", UNIT_CHANNELS),
        _r("before_1", -1, "liaison", UNIT_CHANNELS),
        _r("overdue", 5, "liaison", UNIT_CHANNELS, every=5),
    )),
}
DEFAULT_POLICY = Policy(ladders=DEFAULT_LADDERS)


# -- (de)serialisation helpers ----------------------------------------------------
def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def _ladder_to_dict(ladder: Ladder) -> dict:
    return {
        "label": ladder.label, "anchor": ladder.anchor, "send_at": _hhmm(ladder.send_at),
        "rungs": [{"key": r.key, "offset": r.offset, "recipients": list(r.recipients),
                   "channels": list(r.channels), **({"every": r.every} if r.every else {})}
                  for r in ladder.rungs],
    }


def _bad(errors: list[str], message: str, fallback):
    errors.append(message)
    return fallback


def _time(value, what: str, errors: list[str]) -> time:
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        errors.append(f"{what}格式不正确：{value}（应为 HH:MM，如 08:30）")
        return time(0, 0)


def _names(values, allowed: Mapping[str, str], what: str, errors: list[str], allow_empty=False) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        errors.append(f"{what}应为列表")
        return ()
    values = tuple(str(v) for v in values)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        errors.append(f"{what}不正确：{'、'.join(unknown)}（可选：{'、'.join(allowed)}）")
    if not values and not allow_empty:
        errors.append(f"{what}不能为空")
    if len(set(values)) != len(values):
        errors.append(f"{what}有重复")
    return values


def _int(value, what: str, errors: list[str], low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.append(f"{what}应为 {low} 到 {high} 之间的整数：{value}")
        return low
    return value


def _ladder_from_dict(kind: str, raw, errors: list[str]) -> Ladder | None:
    name = f"提醒阶梯“{kind}”"
    if not isinstance(raw, Mapping):
        errors.append(f"{name}应为一个对象")
        return None
    anchor = raw.get("anchor", "deadline")
    if anchor not in ANCHORS:
        errors.append(f"{name}的起算日不正确：{anchor}（可选：{'、'.join(ANCHORS)}）")
    raw_rungs = raw.get("rungs")
    if not isinstance(raw_rungs, list) or not raw_rungs:
        errors.append(f"{name}至少需要一级提醒")
        raw_rungs = []
    rungs, keys = [], set()
    for i, r in enumerate(raw_rungs, 1):
        where = f"{name}第 {i} 级"
        if not isinstance(r, Mapping):
            errors.append(f"{where}应为一个对象")
            continue
        key = str(r.get("key", "")).strip()
        if not key or not key.replace("_", "").isalnum() or not key.isascii():
            errors.append(f"{where}的标识（key）应为英文字母、数字或下划线：{key!r}")
        elif key in keys:
            errors.append(f"{where}的标识重复：{key}")
        keys.add(key)
        every = r.get("every")
        rungs.append(Rung(
            key=key,
            offset=_int(r.get("offset"), f"{where}的工作日偏移", errors, -MAX_OFFSET, MAX_OFFSET),
            recipients=_names(r.get("recipients", []), ROLES, f"{where}的接收人", errors),
            channels=_names(r.get("channels", []), CHANNELS, f"{where}的渠道", errors),
            every=None if every in (None, 0) else _int(every, f"{where}的重复间隔", errors, 1, MAX_OFFSET),
        ))
    return Ladder(kind=kind, label=str(raw.get("label") or kind), rungs=tuple(rungs), anchor=str(anchor),
                  send_at=_time(raw.get("send_at", "09:00"), f"{name}的发送时间", errors))
