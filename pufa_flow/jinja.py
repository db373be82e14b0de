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
    ("reminders.delivery_log", "发送记录", ("office",)),
    ("reminders.status_page", "调度状态", ("office",)),
]

# Pages whose section is not their blueprint's: the inbox is the header's 消息 (no menu entry),
# a unit's reminder settings belong to 责任单位.
NAV_SECTION_OF = {"reminders.inbox_page": None, "reminders.preferences_page": "units.index"}

# The top bar groups NAV into menus, in this order: (key, label, endpoints). A group that a role
# sees one entry of shows that entry as a plain link. An entry of no group joins the group holding
# another endpoint of its blueprint, else it stands alone after the groups.
NAV_GROUPS = [
    ("rectification", "整改", ("inspections.index", "notices.index", "items.index", "items.deadlines",
                              "board.index")),
    ("assessment", "考评", ("cycles.index", "panel.worklist")),
    ("filings", "报备", ("filings.index",)),
    ("reminders", "提醒", ("reminders.delivery_log", "reminders.status_page")),
    ("system", "系统", ("units.index", "users.index", "calendar.index", "audit.index", "workflows.index")),
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
    from .models.org import UNIT_KINDS
    from .services.calendar import (item_days_overdue, item_waiting_working_days, item_working_days_overdue,
                                    uncovered_years)
    from .services.workflow import guarded_transitions

    app.jinja_env.globals.update(
        home_tiles=_home_tiles, contact_roles=CONTACT_ROLES, object_type_labels=OBJECT_TYPES,
        action_labels=ACTIONS, grades=GRADES, role_labels=ROLES,
        item_days_overdue=item_days_overdue, guarded_transitions=guarded_transitions, describe_audit=describe,
        uncovered_calendar_years=uncovered_years, unit_kind_labels=UNIT_KINDS,
        item_working_days_overdue=item_working_days_overdue, item_waiting_working_days=item_waiting_working_days,
    )

    @app.context_processor
    def navigation():
        return {"nav_items": [n for n in NAV if n[0] in current_app.view_functions], "nav_menu": _nav_menu,
                "inbox_unread": _inbox_unread}


def _blueprint(endpoint: str | None) -> str:
    return (endpoint or "").split(".")[0]


def nav_menu(role: str, endpoint: str | None, available=None) -> list[dict]:
    """The top bar for one role on one page: groups of {endpoint, label, active}, in NAV_GROUPS order.

    The current page's entry is the one with its endpoint, else the first with its blueprint
    (a notice's page lights 整改通知书); its group is active too.
    """
    entries = [(e, label) for e, label, roles in NAV
               if (not roles or role in roles) and (available is None or e in available)]
    blueprints = {}
    for key, _, endpoints in NAV_GROUPS:
        for e in endpoints:
            blueprints.setdefault(_blueprint(e), key)
    members: dict[str, list] = {key: [] for key, _, _ in NAV_GROUPS}
    loose = []
    grouped = {e: key for key, _, endpoints in NAV_GROUPS for e in endpoints}
    for e, label in entries:
        key = grouped.get(e) or blueprints.get(_blueprint(e))
        (members[key] if key else loose).append((e, label))
    visible = [e for e, _ in entries]
    if endpoint in NAV_SECTION_OF:
        current = NAV_SECTION_OF[endpoint]
    else:
        current = endpoint if endpoint in visible else next(
            (e for e in visible if endpoint and _blueprint(e) == _blueprint(endpoint)), None)
    menu = []
    for key, label, endpoints in NAV_GROUPS:
        ordered = sorted(members[key], key=lambda m: endpoints.index(m[0]) if m[0] in endpoints else len(endpoints))
        links = [{"endpoint": e, "label": text, "active": e == current} for e, text in ordered]
        if links:
            menu.append({"key": key, "label": label, "links": links, "active": any(x["active"] for x in links)})
    for e, text in loose:
        menu.append({"key": e, "label": text, "links": [{"endpoint": e, "label": text, "active": e == current}],
                     "active": e == current})
    return menu


def _nav_menu() -> list[dict]:
    from flask import request
    from flask_login import current_user

    if not current_user.is_authenticated:
        return []
    return nav_menu(current_user.role, request.endpoint, current_app.view_functions)


def _inbox_unread() -> int:
    """The header's unread count (one COUNT, only on pages that show the header)."""
    from flask_login import current_user

    from .services.reminders.inbox import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0
