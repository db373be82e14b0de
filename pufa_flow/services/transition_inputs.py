"""What a trigger may carry besides its comment, and how it is checked.

Inputs are validated before the machine fires (422 on bad input). Column
inputs are set on the object first, inside the transaction, so the guards see
them and a refusal rolls them back; engine inputs travel in the event's data
for the effects to apply (e.g. the new deadline of an extension request).
"""
from __future__ import annotations

from decimal import Decimal

from ..errors import ValidationFailed
from ..models import GRADES
from .calendar import today
from .filing_inputs import submission as _filing_submission
from .validation import MAX_LEN, clean_choice, clean_date, clean_decimal, clean_text

MAX_SCORE = Decimal("115")  # 100 points plus up to 15 bonus points (南昌 附件2)
# the 自测得分 has no cleaner: it is computed from the 自测得分表 at submit, never typed (issue 11)


def _score(value, field, label, errors):
    return clean_decimal(value, field, label, errors, minimum=Decimal(0), maximum=MAX_SCORE)


def _review_score(obj, data, errors):
    score = _score(data.get("review_score"), "review_score", "评议得分", errors)
    return ({"review_score": score} if score is not None else {}), {}


def _grade(obj, data, errors):
    grade = clean_choice(data.get("grade"), "grade", "等次", GRADES, errors)
    return {"grade": grade}, {}


def _measures(obj, data, errors):
    text = clean_text(data.get("measures"), "measures", "整改措施", errors, max_len=MAX_LEN["long_text"],
                      multiline=True)
    return {"measures": text}, {}


def _new_due_date(obj, data, errors):
    new = clean_date(data.get("new_due_date"), "new_due_date", "延期后的时限", errors)
    if new is not None and new <= obj.due_date:
        errors["new_due_date"] = f"延期后的时限应晚于当前时限 {obj.due_date.isoformat()}"
    elif new is not None and new < today():
        errors["new_due_date"] = "延期后的时限不能早于今天"
    return {}, {"new_due_date": new}


def _approved_due_date(obj, data, errors):
    """The office may approve another date than asked; never one earlier than the current deadline."""
    new = clean_date(data.get("approved_due_date"), "approved_due_date", "批准的时限", errors, required=False)
    if new is not None and new <= obj.due_date:
        errors["approved_due_date"] = f"批准的时限应晚于当前时限 {obj.due_date.isoformat()}"
    elif new is not None and new < today():
        errors["approved_due_date"] = "批准的时限不能早于今天"
    return {}, ({"approved_due_date": new} if new else {})


def _notice_issue(obj, data, errors):
    from .notices import clean_issue

    return {}, clean_issue(obj, data, errors)


#: cleaner names used by ``Transition.cleaner`` -> the function that checks them
CLEANERS = {
    "review_score": _review_score,
    "grade": _grade,
    "measures": _measures,
    "new_due_date": _new_due_date,
    "filing_submission": _filing_submission,
    "approved_due_date": _approved_due_date,
    "notice_issue": _notice_issue,
}


def clean_inputs(obj, trigger: str, data: dict) -> tuple[dict, dict]:
    """(column values to set now, data for the engine) or ValidationFailed."""
    t = obj.workflow.transition(trigger)
    unknown = sorted(set(data) - set(t.inputs))
    errors: dict[str, str] = {k: "该操作不接受此字段" for k in unknown}
    columns, engine_data = CLEANERS[t.cleaner](obj, data, errors) if t.cleaner else ({}, {})
    if errors:
        raise ValidationFailed(errors)
    return columns, engine_data
