"""Mermaid diagrams drawn by transitions' own mermaid engine from a definition.

The engine needs no system package (unlike graphviz), and feeding it the same
definition the firing machine is built from keeps the picture honest. It only
knows state *ids*, so a State subclass carries the Chinese label through to
the `state "草拟" as draft` lines; transition labels are supported natively.
"""

from __future__ import annotations

from transitions import State
from transitions.extensions.diagrams import GraphMachine

from .definitions import WorkflowDefinition


class _LabelledState(State):
    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.label = label


class _LabelledGraphMachine(GraphMachine):
    state_cls = _LabelledState


def mermaid(definition: WorkflowDefinition) -> str:
    machine = _LabelledGraphMachine(
        model=None,
        states=[{"name": s, "label": label} for s, label in definition.states.items()],
        transitions=[_edge(t) for t in definition.transitions],
        initial=definition.initial,
        auto_transitions=False,
        graph_engine="mermaid",
    )
    # A fresh graph with no model: nothing is styled "active", so the drawing
    # shows the workflow itself rather than some object's current state.
    graph = machine.graph_cls(machine)
    return graph.get_graph(title=f"title: {definition.label}").source


def _edge(t) -> dict:
    return {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest, "label": t.label}
