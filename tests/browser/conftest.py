"""Browser fixtures: the real app on a loopback port, driven by Debian's Chromium.

The server runs once per session on SQLite in a temporary directory, with real
CSRF protection, and holds one user of every role. These tests are not run per
database backend: they exercise pages, not SQL.

Playwright cannot download browsers here; scripts/ensure-chromium.sh installs
Debian's chromium. Without it the tests skip and say why.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "Secret123"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# role -> (username, display name); the unit user works for 区司法局
USERS = {
    "office": ("office", "王普法"),
    "unit": ("unit", "李联络"),
    "evaluator": ("evaluator", "张评委"),
    "panel": ("panel", "赵评议"),
    "viewer": ("viewer", "刘领导"),
}
#: a spare viewer for the wrong-password test, so no account above collects failures
SPARE_USER = ("viewer", "spare", "周查阅")
UNIT_NAME = "区司法局"


@dataclass
class LiveServer:
    url: str
    #: role -> (username, display name)
    users: dict = field(default_factory=lambda: dict(USERS))
    spare_username: str = SPARE_USER[1]
    unit_name: str = UNIT_NAME
    password: str = PASSWORD
    #: the served application, for fixtures that add data through the services
    app: object = None


def _seed(app) -> None:
    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, User

    unit = Unit(name=UNIT_NAME, kind="city_department")
    db.session.add(unit)
    db.session.flush()
    accounts = [(role, username, name) for role, (username, name) in USERS.items()] + [SPARE_USER]
    for role, username, name in accounts:
        user = User(username=username, display_name=name, role=role,
                    unit_id=unit.id if role == "unit" else None)
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    _seed_notice(unit)


def _seed_notice(unit) -> None:
    """One notice with two items for the unit, issued through the service as the office."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from pufa_flow.extensions import db
    from pufa_flow.models import User
    from pufa_flow.services.notices import create_notice

    office = db.session.scalar(sa.select(User).where(User.role == "office"))
    create_notice({"unit_id": unit.id, "source": "inspection", "title": "关于普法档案问题的整改通知书",
                   "items": [{"problem": "普法工作档案资料不完整，学法记录未归档。", "category": "archives",
                              "requirement": "按年度建立普法台账。",
                              "due_date": (date.today() + timedelta(days=20)).isoformat()},
                             # never moved by a journey: a page that always offers the office "cancel"
                             {"problem": "普法宣传栏内容长期未更新。", "category": "other",
                              "requirement": "每季度更新宣传栏。",
                              "due_date": (date.today() + timedelta(days=30)).isoformat()}]}, actor=office)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from werkzeug.serving import make_server

    from pufa_flow import create_app
    from pufa_flow.extensions import db

    tmp = tmp_path_factory.mktemp("browser")
    app = create_app({
        "SECRET_KEY": "browser-test-secret-not-for-production",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'browser.sqlite3'}",
        "WTF_CSRF_ENABLED": True,
        "PUFA_UPLOAD_FOLDER": str(tmp / "uploads"),
    })
    with app.app_context():
        db.create_all()
        _seed(app)
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian chromium not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def _new_page(browser, live_server, viewport: dict, **options):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", viewport=viewport, **options)
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop-sized page (1366×768) with its own cookies."""
    context, page = _new_page(browser, live_server, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh phone-sized page (390×844)."""
    context, page = _new_page(browser, live_server, PHONE, is_mobile=True, has_touch=True,
                              device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def screenshot(request):
    """screenshot(page) saves test-artifacts/screenshots/<test>.png, full page."""
    def take(page, suffix: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name + (f"-{suffix}" if suffix else "")
        name = "".join(c if c.isalnum() or c in "-_[]." else "_" for c in name)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username) fills the real login form; by default waits for the home page."""
    def do(page, username: str, password: str = PASSWORD, *, expect_home: bool = True):
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        if expect_home:
            page.wait_for_url(f"{live_server.url}/home")
        return page
    return do


def follow_nav(page, label: str) -> None:
    """Click the top bar's link called `label`, opening the menu that holds it first."""
    nav = page.locator("nav.nav")
    group = nav.locator("details.nav-group").filter(has=page.locator(f"a:text-is('{label}')"))
    if group.count() and not group.first.evaluate("d => d.open"):
        group.first.locator("summary").click()
    nav.get_by_role("link", name=label, exact=True).click()
