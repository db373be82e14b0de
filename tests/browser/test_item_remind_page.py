"""The office's bulk 催办 in the browser: the first click queues messages to the unit, the second the same
day says it adds nothing."""
from __future__ import annotations

import re


def test_bulk_remind_then_again_the_same_day(page, live_server, sign_in, screenshot):
    sign_in(page, "office")
    page.goto("/items/?open=1")
    first = page.locator("#bulk-form input[name=ids]").last
    first.check()
    page.select_option("select[name=action]", "remind")
    page.locator("#bulk-form button[type=submit]").first.click()
    flash = page.locator(".flash").first
    assert re.search(r"已向 1 条整改事项的责任单位发出催办（\d+ 条消息）", flash.inner_text())
    page.goto("/items/?open=1")
    page.locator("#bulk-form input[name=ids]").last.check()
    page.select_option("select[name=action]", "remind")
    page.locator("#bulk-form button[type=submit]").first.click()
    assert "今天已催办过，未重复发送" in page.locator(".flash").first.inner_text()
    screenshot(page)
