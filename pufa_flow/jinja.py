"""Template filters and globals: dates in Asia/Shanghai, labels, navigation."""
from __future__ import annotations

from flask import current_app

from .clock import format_date_cn, format_local

# (endpoint, label, roles that see it; empty = every signed-in user)
NAV = [
    ("cycles.index", "考评周期", ()),
    ("panel.worklist", "我的工作清单", ("evaluator", "panel")),
    ("items.index", "整改事项", ()),
    ("notices.index", "整改通知书", ("office", "viewer", "unit")),
    ("inspections.index", "督查", ("office", "viewer")),
    ("board.index", "督办看板", ("office", "viewer")),
    ("items.deadlines", "整改时限", ("unit",)),
    ("units.index", "责任单位", ()),
    ("users.index", "用户", ("office",)),
    ("audit.index", "审计日志", ("office",)),
    ("workflows.index", "流程图", ()),
    ("calendar.index", "工作日历", ("office", "viewer")),
    ("filings.index", "年度报备", ()),
]

OBJECT_TYPES = {"unit": "单位", "user": "用户", "cycle": "考评周期", "assessment": "单位考评",
                "item": "整改事项", "notice": "整改通知书", "import": "导入",
                "calendar": "工作日历", "framework": "指标体系", "filing": "报备事项", "filing_type": "报备类型",
                "inspection": "督查", "reminder_policy": "提醒规则"}


def _home_tiles(summary: dict) -> list[tuple]:
    tiles = [
        ("cycles.index", {}, summary["active_cycles"], "进行中的考评周期", ""),
        ("items.index", {"open": 1}, summary["items_open"], "未销号整改事项", ""),
        ("items.index", {"overdue": 1}, summary["items_overdue"], "已逾期整改事项",
         "alert" if summary["items_overdue"] else ""),
        ("items.index", {"status": "submitted"}, summary["items_submitted"], "待验收整改事项", ""),
    ]
    return [t for t in tiles if t[0] in current_app.view_functions]


def register_filters(app) -> None:
    from .views.audit_entries import ACTIONS, describe

    app.jinja_env.globals["describe_audit"] = describe  # an audit row as a person reads it
    zone = app.config["PUFA_TIMEZONE"]
    app.add_template_filter(lambda v: format_local(v, zone), "local_time")
    app.add_template_filter(format_date_cn, "date_cn")
    app.add_template_filter(lambda v: v.isoformat() if v else "", "iso_date")

    from .models import CONTACT_ROLES, GRADES, ROLES
    from .services.calendar import (item_days_overdue, item_waiting_working_days, item_working_days_overdue,
                                    uncovered_years)
    from .services.workflow import guarded_transitions

    app.jinja_env.globals.update(
        home_tiles=_home_tiles, contact_roles=CONTACT_ROLES, object_type_labels=OBJECT_TYPES,
        action_labels=ACTIONS, grades=GRADES, role_labels=ROLES,
        item_days_overdue=item_days_overdue, guarded_transitions=guarded_transitions, describe_audit=describe,
        uncovered_calendar_years=uncovered_years,
        item_working_days_overdue=item_working_days_overdue, item_waiting_working_days=item_waiting_working_days,
    )

    @app.context_processor
    def navigation():
        return {"nav_items": [n for n in NAV if n[0] in current_app.view_functions], "inbox_unread": _inbox_unread}


def _inbox_unread() -> int:
    """The header's unread count (one COUNT, only on pages that show the header)."""
    from flask_login import current_user

    from .services.reminders.inbox import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0
