"""Errors that say who is at fault.

A user's mistake is an AppError subclass: shown plainly (Chinese message on a
page, the JSON envelope in the API) with a 4xx status and never reported as a
defect. Anything else is a 500 that leaks no internals.
"""
from __future__ import annotations


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class ValidationFailed(AppError):
    """Input that is well-formed but wrong; ``fields`` maps field → Chinese message."""

    status, code = 422, "validation_failed"

    def __init__(self, fields: dict[str, str], message: str | None = None):
        self.fields = fields
        super().__init__(message or "；".join(f"{msg}" for msg in fields.values()), details={"fields": fields})


#: a workflow's refusal is a conflict with the object's state (409), unless the actor or the input is at fault
REFUSAL_STATUS = {"forbidden_role": 403, "force_not_allowed": 403, "comment_required": 422}


def refusal_status(reason: str) -> int:
    """The HTTP status of a ``workflows.TransitionRefused`` with this reason."""
    return REFUSAL_STATUS.get(reason, 409)


def stale_object_conflict(label: str = "该记录") -> Conflict:
    return Conflict(f"{label}已被他人修改，请刷新后重试", details={"reason": "stale"})
