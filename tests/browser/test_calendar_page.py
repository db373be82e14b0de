"""The office enters a new year's holidays on the calendar page, in a real browser.

Uses 2031, a year no other browser test touches: the live server is shared.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import follow_nav

pytestmark = pytest.mark.browser

NOTICE = "国务院办公厅关于2031年部分节假日安排的通知"


def test_office_enters_and_confirms_a_year_and_the_warning_goes(page, live_server, sign_in, screenshot):
    sign_in(page, live_server.users["office"][0])
    follow_nav(page, "工作日历")
    assert page.url.startswith(f"{live_server.url}/calendar/")
    page.goto("/calendar/?year=2031")
    warning = page.locator(".calendar-warning")
    assert "2031" in warning.inner_text() and "系统尚未录入" in warning.inner_text()
    assert page.locator(".calendar-coverage tr.uncovered", has_text="2031 年").count() == 1

    page.fill("#start", "2031-01-01")
    page.fill("#end", "2031-01-03")
    page.select_option("#kind", "holiday")
    page.fill("#note", NOTICE)
    page.click(".calendar-range button[type=submit]")
    page.wait_for_url("**/calendar/?year=2031")
    assert "共 3 天设为放假" in page.locator(".flash-success").inner_text()
    january = page.locator(".calendar-month", has=page.locator("caption", has_text="1 月")).first
    assert january.locator("td.entry-rest").count() == 3
    screenshot(page, "entered")

    page.fill("#source-2031", NOTICE)
    page.click(".confirm-year button[type=submit]")
    page.wait_for_url("**/calendar/?year=2031")
    assert page.locator(".calendar-warning").count() == 0
    assert "普法办录入" in page.locator(".calendar-coverage tr", has_text="2031 年").inner_text()
    screenshot(page, "confirmed")


def test_a_unit_user_reads_the_calendar_without_the_forms(page, live_server, sign_in, screenshot):
    sign_in(page, live_server.users["unit"][0])
    page.goto("/calendar/?year=2032")
    assert page.locator(".calendar-months table").count() == 12
    assert page.locator(".calendar-range").count() == 0
    assert "请联系普法办录入" in page.locator(".calendar-warning").inner_text()
    screenshot(page)
