"""The words of a reminder: subject, text and HTML (templates/messages/),
and the SMS template key with its short variables."""
from __future__ import annotations

from datetime import date

from flask import current_app

from notifications.channels.sms import short
from notifications.policy import PlannedReminder

from ...clock import format_date_cn
from ..transition_notices import object_link


def render(name: str, context: dict) -> str:
    """A message template with ``context`` only: no app globals copied into each
    render (the sweep renders thousands; message templates use none)."""
    template = current_app.jinja_env.get_template(name)
    return template.environment.concat(template.root_render_func(template.new_context(context, shared=True)))


def stage_label(offset: int) -> str:
    if offset < 0:
        return f"截止前 {-offset} 个工作日"
    if offset == 0:
        return "截止当日"
    return f"逾期 {offset} 个工作日"


def words(obj, planned: PlannedReminder, ladder_label: str, effective_deadline: date) -> dict:
    """The outbox columns for one planned reminder of an item or a self-assessment."""
    if obj.object_type == "assessment":
        return for_assessment(obj, planned, ladder_label, effective_deadline)
    return for_item(obj, planned, ladder_label, effective_deadline)


def for_assessment(assessment, planned: PlannedReminder, ladder_label: str, effective_deadline: date) -> dict:
    overdue = planned.offset > 0
    cycle = assessment.cycle
    link = object_link(assessment)
    context = {"assessment": assessment, "cycle": cycle, "unit": assessment.unit, "stage": stage_label(planned.offset),
               "deadline": format_date_cn(effective_deadline), "link": link, "overdue": overdue}
    return {
        "subject": f"【普法考评】{'自评材料逾期未报送' if overdue else '自评材料报送提醒'}：{short(cycle.name)}"[:200],
        "body": render("messages/assessment_reminder.txt", context),
        "html": render("messages/assessment_reminder.html", context),
        "template": "cycle_phase_overdue" if overdue else "cycle_phase_due",
        "variables": {"unit": short(assessment.unit.name), "cycle": short(cycle.name),
                      "date": f"{effective_deadline.month}月{effective_deadline.day}日"},
        "link": link,
    }


def for_item(item, planned: PlannedReminder, ladder_label: str, effective_deadline: date) -> dict:
    """Columns of an outbox row for one planned reminder of a rectification item."""
    overdue = planned.offset > 0
    unverified = planned.kind.startswith("rectification_unverified")
    stage = f"已报送 {planned.offset} 个工作日未验收" if unverified else stage_label(planned.offset)
    subject = f"【普法考评】整改事项{'逾期' if overdue and not unverified else '提醒'}：{short(item.problem)}"
    link = object_link(item)
    context = {"item": item, "stage": stage, "ladder": ladder_label, "deadline": format_date_cn(effective_deadline),
               "link": link, "unit": item.unit, "unverified": unverified, "overdue": overdue}
    return {
        "subject": subject[:200],
        "body": render("messages/reminder.txt", context),
        "html": render("messages/reminder.html", context),
        "template": "rectification_unverified" if unverified else
                    ("rectification_overdue" if overdue else "rectification_due"),
        "variables": {"unit": short(item.unit.name if item.unit else ""), "item": short(item.problem),
                      "date": f"{effective_deadline.month}月{effective_deadline.day}日"},
        "link": link,
    }


def kind_label(kind: str) -> str:
    """"rectification.before_5" → "整改事项时限 · 截止前 5 个工作日"; transitions and digests by name."""
    from notifications.policy import DEFAULT_LADDERS

    ladder_kind, _, rung_key = kind.partition(".")
    if ladder_kind == "transition":
        return "状态变更通知"
    if ladder_kind == "digest":
        return "每日汇总"
    if ladder_kind == "manual":
        return "普法办催办"
    ladder = DEFAULT_LADDERS.get(ladder_kind)
    rung = next((r for r in ladder.rungs if r.key == rung_key), None) if ladder else None
    if rung is None:
        return kind
    stage = f"报送后 {rung.offset} 个工作日" if ladder.anchor == "submitted" else stage_label(rung.offset)
    return f"{ladder.label} · {stage}" + ("起" if rung.every else "")
