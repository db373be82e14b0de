"""Workflow pages in a real browser: the diagram draws, a button moves an item."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_diagram_page_renders_every_machine_as_svg(page, sign_in, live_server, screenshot):
    sign_in(page, live_server.users["viewer"][0])
    page.goto("/workflows/")
    # a locator wait, not wait_for_function: the CSP forbids the eval that a string predicate needs
    expect(page.locator(".diagram svg")).to_have_count(5, timeout=20_000)
    svg_text = page.locator(".diagram svg").evaluate_all("els => els.map(e => e.textContent)")
    assert "已销号" in svg_text[2] and "申请延期" in svg_text[2]
    assert "实地调研" in svg_text[0] and "已定等" in svg_text[1]
    assert "已下发" in svg_text[3]  # the notice machine (issue 10)
    assert "已接收" in svg_text[4] and "退回修改" in svg_text[4]  # the filing machine (issue 13)
    screenshot(page)


def test_item_moves_through_its_buttons_from_unit_to_office(page, sign_in, live_server, screenshot):
    unit_user, office = live_server.users["unit"][0], live_server.users["office"][0]
    sign_in(page, unit_user)
    page.goto("/items/")
    page.click("text=普法工作档案资料不完整")
    assert page.locator("[data-trigger]").evaluate_all("els => els.map(e => e.dataset.trigger)") == ["acknowledge"]
    page.click("[data-trigger=acknowledge]")
    page.wait_for_selector(".flash-success")
    assert "整改中" in page.inner_text(".page-head")
    page.fill("textarea[name=measures]", "已按年度建立普法台账，补齐学法记录。")
    page.click("[data-trigger=submit]")
    page.wait_for_selector(".flash-success")
    assert "待验收" in page.inner_text(".page-head")
    screenshot(page, "unit-submitted")
    item_url = page.url

    page.click("button.logout")
    sign_in(page, office)
    page.goto(item_url)
    page.click("[data-trigger=verify]")
    page.wait_for_selector(".flash-success")
    assert "已销号" in page.inner_text(".page-head")
    page.click("text=查看状态变更记录")
    history = page.inner_text("table")
    assert history.index("签收") < history.index("提交整改") < history.index("验收销号")
    screenshot(page, "history")


def test_a_required_reason_is_enforced_by_the_form(page, sign_in, live_server):
    """The cancel form will not submit without a reason (required field), so no refusal round-trip."""
    sign_in(page, live_server.users["office"][0])
    page.goto("/items/")
    page.click("text=普法宣传栏内容长期未更新")  # an item no journey moves: its cancel button is always there
    page.click("[data-trigger=cancel]")
    assert page.locator("form:has([data-trigger=cancel]) textarea[name=comment]").evaluate(
        "el => el.validity.valueMissing")
    assert "已下发" in page.inner_text(".page-head")  # the browser kept the form: nothing was cancelled
