"""The top bar's groups: every entry a role may see is in exactly one place, the current page is lit."""
import pytest

from pufa_flow.jinja import NAV, NAV_GROUPS, nav_menu

ROLES = ["office", "unit", "evaluator", "panel", "viewer"]


def links(menu):
    return [link for group in menu for link in group["links"]]


@pytest.mark.parametrize("role", ROLES)
def test_every_nav_entry_of_a_role_is_reachable_once(app, role):
    with app.app_context():
        menu = nav_menu(role, "main.home", app.view_functions)
    expected = [e for e, _, roles in NAV if (not roles or role in roles) and e in app.view_functions]
    assert sorted(link["endpoint"] for link in links(menu)) == sorted(expected)
    # a handful of top-level places, so the bar fits one line at 1366 px
    assert len(menu) <= 6
    assert not any(link["active"] for link in links(menu)) and not any(g["active"] for g in menu)


def test_the_office_sees_the_groups_in_order():
    menu = nav_menu("office", None)
    # a group the role sees one entry of is that entry, a plain link
    shown = [g["links"][0]["label"] if len(g["links"]) == 1 else g["label"] + "▾" for g in menu]
    assert shown == ["整改▾", "考评周期", "年度报备", "提醒▾", "系统▾"]
    assert [x["label"] for x in menu[0]["links"]] == ["督查", "整改通知书", "整改事项", "督办看板"]
    assert [x["label"] for x in menu[-1]["links"]] == ["责任单位", "用户", "工作日历", "审计日志", "流程图"]


@pytest.mark.parametrize("endpoint,lit", [
    ("items.deadlines", "items.deadlines"),     # its own entry, not 整改事项 of the same blueprint
    ("items.show", "items.index"),              # a page under an entry lights the entry
    ("notices.show", "notices.index"),
    ("reminders.inbox_page", None),             # the header's 消息, no menu
    ("reminders.preferences_page", "units.index"),
])
def test_the_current_section_is_lit(endpoint, lit):
    menu = nav_menu("unit", endpoint)
    active = [x["endpoint"] for x in links(menu) if x["active"]]
    assert active == ([lit] if lit else [])
    assert [g["key"] for g in menu if g["active"]] == [g["key"] for g in menu if any(x["active"] for x in g["links"])]


def test_an_entry_of_no_group_joins_its_blueprints_group_or_stands_alone(monkeypatch):
    monkeypatch.setattr("pufa_flow.jinja.NAV", NAV + [("reminders.rules", "提醒规则", ("office",)),
                                                       ("results.index", "考评结果", ())])
    menu = nav_menu("office", "results.index")
    reminders = next(g for g in menu if g["key"] == "reminders")
    assert [x["label"] for x in reminders["links"]][-1] == "提醒规则"
    assert menu[-1]["label"] == "考评结果" and menu[-1]["active"]
    assert {key for key, _, _ in NAV_GROUPS} >= {g["key"] for g in menu[:-1]}
