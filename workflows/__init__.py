"""Workflow engine: each state machine as data, bound to any object with a status.

Plain Python on top of `transitions`; never imports pufa_flow or Flask.
"""
from .definitions import Guard, Transition, WorkflowDefinition
from .engine import TransitionEvent, Workflow
from .refusals import TransitionRefused
from .assessment import WORKFLOW as ASSESSMENT
from .cycle import WORKFLOW as CYCLE
from .notice import WORKFLOW as NOTICE
from .rectification import WORKFLOW as ITEM
from .filing import WORKFLOW as FILING

WORKFLOWS = {"cycle": CYCLE, "assessment": ASSESSMENT, "item": ITEM, "notice": NOTICE, "filing": FILING}

__all__ = [
    "ASSESSMENT", "CYCLE", "FILING", "Guard", "ITEM", "NOTICE", "Transition", "TransitionEvent",
    "TransitionRefused", "Workflow", "WorkflowDefinition", "WORKFLOWS",
]
