"""Plain stand-ins for the app's models: a `status`, guards and effects that record their calls.

Session-scoped so hypothesis tests can use the factory too; the factory
itself keeps no state, each object carries its own.
"""

import pytest

from workflows import WORKFLOWS


class Double:
    def __init__(self, status, *, guards=None, raising=None, id=1, workflow_label=None):
        self.status = status
        self.id = id
        if workflow_label is not None:
            self.workflow_label = workflow_label
        self.guard_values = dict(guards or {})
        self.raising = dict(raising or {})
        self.guard_calls = []
        self.effect_calls = []


def _guard(name):
    def guard(self):
        self.guard_calls.append(name)
        return self.guard_values.get(name, True)

    return guard


def _effect(name):
    def effect(self, event):
        self.effect_calls.append((name, event, self.status))
        if name in self.raising:
            raise self.raising[name]

    return effect


def double_class(workflow):
    methods = {}
    for t in workflow.definition.transitions:
        methods.update({g.method: _guard(g.name) for g in t.guards})
        methods.update({e: _effect(e) for e in t.effects})
    return type(f"{workflow.name.title()}Double", (Double,), methods)


DOUBLE_CLASSES = {name: double_class(wf) for name, wf in WORKFLOWS.items()}


@pytest.fixture(scope="session")
def make_obj():
    def make(workflow, status=None, **kwargs):
        return DOUBLE_CLASSES[workflow.name](status or workflow.definition.initial, **kwargs)

    return make
