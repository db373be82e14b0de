"""Accounts in a real browser (issue 7): the office creates an account; its owner
changes the password; the owner locks themselves out; the office unlocks the
account and resets the password; an ended session is told so. No page breaks
the Content-Security-Policy."""
from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP

pytestmark = pytest.mark.browser

NEWBIE = "xinren"
FIRST, CHANGED, RESET = "Start1234", "Changed5678", "Reset9012"


def context_page(browser, live_server, violations):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return context, page


def sign_in(page, username, password):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def flash(page) -> str:
    """The page's messages, once the page after a submit has shown one (no reading the old page)."""
    page.locator(".flash").first.wait_for()
    return " ".join(page.locator(".flash").all_inner_texts())


def test_password_change_lockout_unlock_and_reset(browser, live_server, screenshot):
    violations: list[str] = []
    office_ctx, office = context_page(browser, live_server, violations)
    newbie_ctx, newbie = context_page(browser, live_server, violations)
    try:
        # the office creates the account
        sign_in(office, live_server.users["office"][0], live_server.password)
        office.wait_for_url(f"{live_server.url}/home")
        office.goto("/users/new")
        office.fill("#username", NEWBIE)
        office.fill("#display_name", "陈新人")
        office.fill("#password", FIRST)
        office.select_option("#role", "viewer")
        office.click("main button[type=submit]")
        assert "已创建用户" in flash(office)

        # its owner signs in and changes the password from the name at the top
        sign_in(newbie, NEWBIE, FIRST)
        newbie.wait_for_url(f"{live_server.url}/home")
        newbie.click("header .who-name")
        newbie.wait_for_url(f"{live_server.url}/account/password")
        newbie.fill("#current_password", FIRST)
        newbie.fill("#new_password", CHANGED)
        newbie.fill("#confirm_password", CHANGED)
        screenshot(newbie, "change-password")
        newbie.click("main button[type=submit]")
        assert "密码已修改" in flash(newbie)
        newbie.goto("/home")
        assert newbie.url.endswith("/home")  # this browser stays signed in

        # the other browser session (a second context with a copied cookie) has ended
        cookies = newbie_ctx.cookies()
        stale_ctx, stale = context_page(browser, live_server, violations)
        try:
            newbie.click("header button.logout")
            newbie.wait_for_url(f"{live_server.url}/login")
            stale_ctx.add_cookies(cookies)
            response = stale.goto("/home")
            assert response.status == 401 and "登录已失效" in flash(stale)
        finally:
            stale_ctx.close()

        # five wrong passwords lock the account; the right one is refused too
        for _ in range(5):
            sign_in(newbie, NEWBIE, "wrong-password-1")
        assert "锁定" in flash(newbie)
        sign_in(newbie, NEWBIE, CHANGED)
        assert "锁定" in flash(newbie) and newbie.url.endswith("/login")

        # the office finds it locked, unlocks it and resets the password
        office.goto("/users/")
        row = office.locator("tr", has_text=NEWBIE)
        assert "已锁定" in row.inner_text()
        row.get_by_role("link", name="管理").click()
        assert "已锁定至" in office.locator("#user-status").inner_text()
        screenshot(office, "locked-user")
        office.click("#unlock")
        assert "已解除" in flash(office)
        office.fill("#reset_password", RESET)
        office.locator("form", has=office.locator("#reset_password")).locator("button").click()
        assert "已重置" in flash(office)
        screenshot(office, "after-reset")

        sign_in(newbie, NEWBIE, CHANGED)
        assert newbie.url.endswith("/login") and "用户名或密码错误" in flash(newbie)
        sign_in(newbie, NEWBIE, RESET)
        newbie.wait_for_url(f"{live_server.url}/home")

        # on a phone: issue an API token, see it once, revoke it
        newbie.set_viewport_size({"width": 390, "height": 844})
        newbie.goto("/account/tokens")
        newbie.fill("#name", "数据对接")
        newbie.locator("form", has=newbie.locator("#name")).locator("button").click()
        token = newbie.locator("#new-token").inner_text()
        assert token.startswith("pf_")
        assert newbie.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(newbie, "tokens-phone")
        newbie.locator("tr", has_text="数据对接").get_by_role("button", name="撤销").click()
        assert "已撤销" in newbie.locator("tr", has_text="数据对接").inner_text()
        assert newbie.locator("#new-token").count() == 0

        # the audit log tells the story in words
        office.goto("/audit/?object_type=user")
        log = office.locator("main table").inner_text()
        for words in ("修改本人密码", "账户锁定", "解除锁定", "重置密码", "新建用户"):
            assert words in log, words
        screenshot(office, "audit")
    finally:
        office_ctx.close()
        newbie_ctx.close()
    assert not violations, violations
