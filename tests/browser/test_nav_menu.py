"""The grouped top bar: one line at 1366×768 for every role, menus that open from the keyboard."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLES = ["office", "unit", "evaluator", "panel", "viewer"]


def nav_height(page) -> float:
    return page.locator("nav.nav").bounding_box()["height"]


@pytest.mark.parametrize("role", ROLES)
def test_the_nav_stays_on_one_line_at_1366(page, live_server, sign_in, role):
    sign_in(page, live_server.users[role][0])
    assert page.viewport_size == {"width": 1366, "height": 768}
    first = page.locator("nav.nav > a").first.bounding_box()
    # one row: the bar is exactly as tall as one entry, and the header is not taller than that row
    assert nav_height(page) < 1.5 * first["height"], role
    assert page.locator("header.topbar").bounding_box()["height"] < 2 * first["height"]
    tops = page.locator("nav.nav > a, nav.nav > details > summary").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, (role, tops)


def test_keyboard_opens_a_menu_and_follows_a_link(page, live_server, sign_in, screenshot):
    sign_in(page, live_server.users["office"][0])
    system = page.locator("details.nav-group", has=page.locator("summary", has_text="系统"))
    summary = system.locator("summary")
    calendar = system.get_by_role("link", name="工作日历", exact=True)
    assert summary.get_attribute("aria-expanded") == "false"
    expect(calendar).to_be_hidden()

    # Tab along the bar until the 系统 menu has the focus, then open it with Enter
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()").startswith("系统"):
            break
    else:
        pytest.fail("Tab never reached the 系统 menu")
    page.keyboard.press("Enter")
    expect(summary).to_have_attribute("aria-expanded", "true")
    expect(calendar).to_be_visible()
    screenshot(page, "open")

    # Escape closes it and gives the focus back; arrow down opens it again on its first link
    page.keyboard.press("Escape")
    expect(summary).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("ArrowDown")
    expect(summary).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "责任单位"
    while page.evaluate("() => document.activeElement.textContent.trim()") != "工作日历":
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/calendar/**")

    # the page's section is lit: the 系统 menu and, inside it, 工作日历
    system = page.locator("details.nav-group", has=page.locator("summary", has_text="系统"))
    assert "active" in system.get_attribute("class")
    assert system.locator("a[aria-current=page]").text_content().strip() == "工作日历"
    assert page.locator("nav.nav [aria-current=page]").count() == 1
    assert nav_height(page) < 60


def test_opening_one_menu_closes_the_other(page, live_server, sign_in):
    sign_in(page, live_server.users["office"][0])
    groups = page.locator("details.nav-group")
    assert groups.count() >= 2
    groups.nth(0).locator("summary").click()
    groups.nth(1).locator("summary").click()
    assert groups.nth(0).evaluate("d => d.open") is False
    assert groups.nth(1).evaluate("d => d.open") is True
    page.locator("main h1").click()
    assert groups.nth(1).evaluate("d => d.open") is False
