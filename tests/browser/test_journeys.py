"""What a person sees in a real browser: sign-in per role, sign-out, errors, offline, phone."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import follow_nav

pytestmark = pytest.mark.browser

ROLE_LABELS = {"office": "普法办", "unit": "责任单位", "evaluator": "评委会成员",
               "panel": "评议团成员", "viewer": "领导查阅"}
OFFICE_ONLY_LINKS = ("用户", "审计日志")
ROLES = list(ROLE_LABELS)


def nav_labels(page) -> list[str]:
    return [t.strip() for t in page.locator("nav.nav a").all_text_contents()]


@pytest.mark.parametrize("role", ROLES)
def test_sign_in_lands_on_the_roles_home_page(page, live_server, sign_in, screenshot, role):
    username, name = live_server.users[role]
    sign_in(page, username)

    assert page.url == f"{live_server.url}/home"
    assert page.locator("main h1").inner_text().strip() == f"{ROLE_LABELS[role]}工作台"
    who = page.locator("header .who").inner_text()
    assert name in who
    assert ROLE_LABELS[role] in who
    links = nav_labels(page)
    assert "首页" in links
    for label in OFFICE_ONLY_LINKS:
        assert (label in links) == (role == "office"), (role, links)
    if role == "unit":
        assert live_server.unit_name in who
        assert live_server.unit_name in page.locator("main").inner_text()
    screenshot(page)


def test_sign_out_returns_to_the_login_page(page, live_server, sign_in, screenshot):
    sign_in(page, "office")
    page.get_by_role("button", name="退出").click()

    page.wait_for_url(f"{live_server.url}/login")
    assert page.locator(".flash").inner_text().strip() == "您已安全退出"
    assert page.locator("#username").is_visible()
    assert page.locator("header .who").count() == 0
    screenshot(page)

    # the session is really gone: the home page asks for a sign-in again
    page.goto("/home")
    assert page.url.startswith(f"{live_server.url}/login")


def test_wrong_password_is_refused_in_chinese(page, live_server, sign_in, screenshot):
    sign_in(page, live_server.spare_username, "not-" + live_server.password, expect_home=False)

    page.wait_for_selector(".flash-error")
    assert page.locator(".flash-error").inner_text().strip() == "用户名或密码错误"
    assert page.url.startswith(f"{live_server.url}/login")
    assert page.locator("#password").is_visible()
    assert page.locator("header .who").count() == 0
    screenshot(page)


def test_unit_user_gets_the_chinese_403_page_for_users(page, sign_in, screenshot):
    sign_in(page, "unit")
    response = page.goto("/users/")

    assert response.status == 403
    main = page.locator("main").inner_text()
    assert "没有权限" in main
    assert "您的账户没有访问该页面的权限" in main
    assert "Forbidden" not in page.content()
    screenshot(page)


def test_unknown_url_shows_the_chinese_404_page(page, sign_in, screenshot):
    sign_in(page, "office")
    response = page.goto("/no/such/page")

    assert response.status == 404
    assert "页面不存在" in page.locator("main h1").inner_text()
    html = page.content()
    for leak in ("Traceback", "werkzeug", "Not Found", 'File "'):
        assert leak not in html
    assert page.get_by_role("link", name="返回首页").is_visible()
    screenshot(page)


def test_pages_load_nothing_from_outside_the_app(page, live_server, sign_in, screenshot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/login")
    sign_in(page, "office")
    for number, link in enumerate(nav_labels(page)):
        follow_nav(page, link)
        page.wait_for_load_state("load")
        screenshot(page, f"{number}-{urlsplit(page.url).path.strip('/').split('/')[0]}")
    page.goto("/no/such/page")

    assert requested, "the page made no requests at all?"
    foreign = [url for url in requested if not url.startswith(live_server.url + "/")]
    assert foreign == []
    assert any(url.endswith("/static/css/app.css") for url in requested)


@pytest.mark.parametrize("role", ["unit", "office"])
def test_home_page_fits_a_phone_screen(phone_page, live_server, sign_in, screenshot, role):
    sign_in(phone_page, live_server.users[role][0])

    width = phone_page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert width["scroll"] <= width["inner"], width
    assert phone_page.locator("main h1").is_visible()
    screenshot(phone_page)


def test_login_page_fits_a_phone_screen(phone_page, screenshot):
    phone_page.goto("/login")

    width = phone_page.evaluate("() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert width["scroll"] <= width["inner"], width
    screenshot(phone_page)
