"""The vocabulary a workflow is written in.

Definitions are plain frozen data so that the machine, the buttons, the
refusal messages and the diagram are all derived from one table and cannot
drift apart. They are validated when built, so a typo in a state id fails at
import time rather than on the first click in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES: dict[str, str] = {
    "office": "普法办",
    "unit": "责任单位",
    "evaluator": "评估小组",
    "panel": "评议团",
    "viewer": "只读用户",
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


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label: str
    guards: tuple[Guard, ...] = ()
    effects: tuple[str, ...] = ()
    requires_comment: bool = False

    def __post_init__(self) -> None:
        # Accept lists/sets from hand-written tables but store immutable values.
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "roles", frozenset(self.roles))
        object.__setattr__(self, "guards", tuple(self.guards))
        object.__setattr__(self, "effects", tuple(self.effects))
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", tuple(self.transitions))
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
    if not d.forcible_by <= ROLES.keys():
        problems.append(f"forcible_by names unknown roles {sorted(d.forcible_by - ROLES.keys())}")
    if problems:
        raise ValueError(f"workflow {d.name!r}: " + "; ".join(problems))
