"""The vocabulary a workflow is written in.

Definitions are plain frozen data so that the machine, the buttons, the
refusal messages and the diagram are all derived from one table and cannot
drift apart. They are validated when built, so a typo in a state id fails at
import time rather than on the first click in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: the one vocabulary of roles: user accounts, pages, refusals and diagrams
#: all read these ids and labels (pufa_flow.models.users re-exports them)
ROLES: dict[str, str] = {
    "office": "普法办",
    "unit": "责任单位",
    "evaluator": "评委会成员",
    "panel": "评议团成员",
    "viewer": "领导查阅",
}


@dataclass(frozen=True)
class Guard:
    """A named, side-effect-free condition.

    `name` resolves to `guard_<name>(self) -> bool` on the bound object, so the
    rule lives with the data it inspects while the label stays here, where the
    refusal message and the diagram can read it.
    """

    name: str
    label: str

    @property
    def method(self) -> str:
        return f"guard_{self.name}"


#: who hears about a transition; the service layer resolves each name to
#: inboxes and addresses (services/transition_notices.py)
AUDIENCES: dict[str, str] = {
    "unit": "责任单位（单位收件箱及联络员邮箱）",
    "office": "普法办（收件箱）",
}


@dataclass(frozen=True)
class Transition:
    """Everything about one trigger, in one row.

    ``inputs``: the fields a caller may send with it besides the comment;
    ``cleaner``: the name of the function (in the service layer) that checks
    them; ``audience``: who is told when it happens (names in AUDIENCES).
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label: str
    guards: tuple[Guard, ...] = ()
    effects: tuple[str, ...] = ()
    requires_comment: bool = False
    inputs: tuple[str, ...] = ()
    cleaner: str | None = None
    audience: tuple[str, ...] = ()
    #: a step that undoes or refuses someone's work: shown as a warning button,
    #: its comment asked for as a reason (理由) rather than an opinion (意见)
    adverse: bool = False
    comment_label: str = "意见"
    #: where this step is taken instead of the generic transition form/API (its
    #: inputs are computed by its own service, never typed), e.g. "评估验收页面"
    dedicated: str | None = None

    def __post_init__(self) -> None:
        # Accept lists/sets from hand-written tables but store immutable values.
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "guards", tuple(self.guards))
        object.__setattr__(self, "effects", tuple(self.effects))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "audience", tuple(self.audience))
        if bool(self.inputs) != bool(self.cleaner):
            raise ValueError(f"transition {self.trigger!r}: inputs and their cleaner go together")
        if set(self.audience) - AUDIENCES.keys():
            raise ValueError(f"transition {self.trigger!r} names unknown audiences "
                             f"{sorted(set(self.audience) - AUDIENCES.keys())}")
        if not self.sources:
            raise ValueError(f"transition {self.trigger!r} has no source state")
        if not self.roles:
            raise ValueError(f"transition {self.trigger!r} allows no role")
        unknown = self.roles - ROLES.keys()
        if unknown:
            raise ValueError(f"transition {self.trigger!r} names unknown roles {sorted(unknown)}")


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    label: str
    states: dict[str, str]
    initial: str
    transitions: tuple[Transition, ...]
    open_states: frozenset[str]
    forcible_by: frozenset[str] = field(default_factory=frozenset)
    #: columns whose before/after values the audit row records
    watched: tuple[str, ...] = ()
    #: named sets of states other workflows' guards ask about, so no state id
    #: is spelled outside its workflow (e.g. a cycle counting assessments
    #: still "awaiting_submission")
    groups: dict[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", tuple(self.transitions))
        object.__setattr__(self, "watched", tuple(self.watched))
        object.__setattr__(self, "groups", {k: frozenset(v) for k, v in self.groups.items()})
        object.__setattr__(self, "open_states", frozenset(self.open_states))
        object.__setattr__(self, "forcible_by", frozenset(self.forcible_by))
        _check_definition(self)


def _check_definition(d: WorkflowDefinition) -> None:
    problems = []
    states = d.states.keys()
    if d.initial not in states:
        problems.append(f"initial state {d.initial!r} is not a state")
    seen: set[str] = set()
    for t in d.transitions:
        if t.trigger in seen:
            problems.append(f"trigger {t.trigger!r} is defined twice")
        seen.add(t.trigger)
        for s in (*t.sources, t.dest):
            if s not in states:
                problems.append(f"trigger {t.trigger!r} names unknown state {s!r}")
    if not d.open_states <= states:
        problems.append(f"open_states names unknown states {sorted(d.open_states - states)}")
    for name, group in d.groups.items():
        if not group <= states:
            problems.append(f"group {name!r} names unknown states {sorted(group - states)}")
    if not d.forcible_by <= ROLES.keys():
        problems.append(f"forcible_by names unknown roles {sorted(d.forcible_by - ROLES.keys())}")
    if problems:
        raise ValueError(f"workflow {d.name!r}: " + "; ".join(problems))


def states_where(d: WorkflowDefinition, *, open_: bool | None = None) -> tuple[str, ...]:
    """State ids in definition order, filtered by openness (None: all)."""
    return tuple(s for s in d.states if open_ is None or (s in d.open_states) == open_)
