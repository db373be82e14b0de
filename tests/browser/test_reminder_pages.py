"""Reminders in the browser: the header's unread count and the inbox, an item's
planned timeline beside what was sent, the office's delivery log with its
resend button, and a unit's reminder preferences."""
from __future__ import annotations

import sys
import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, PASSWORD  # noqa: F401 - the shared browser settings

SH = ZoneInfo("Asia/Shanghai")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@pytest.fixture(scope="module")
def reminder_server(tmp_path_factory):
    """Its own app: a unit with contacts, an item whose reminders were swept and delivered."""
    from werkzeug.serving import make_server

    from notifications.channels import DeliveryError
    from pufa_flow import create_app
    from pufa_flow.extensions import db
    from pufa_flow.models import User
    from pufa_flow.services.reminders import deliver, sweep
    from reminders_support import add_contacts, issue_item, recorders

    tmp = tmp_path_factory.mktemp("reminder_browser")
    app = create_app({"SECRET_KEY": "browser-test-secret-not-for-production",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'b.sqlite3'}", "WTF_CSRF_ENABLED": True,
                      "PUFA_UPLOAD_FOLDER": str(tmp / "uploads")})
    with app.app_context():
        from pufa_flow.models import Unit
        db.create_all()
        unit = Unit(name="区司法局", kind="city_department")
        db.session.add(unit)
        db.session.flush()
        for role, username in (("office", "office"), ("unit", "unit")):
            user = User(username=username, display_name=username, role=role,
                        unit_id=unit.id if role == "unit" else None)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
        add_contacts(unit, principal=False)
        office = db.session.query(User).filter_by(role="office").one()
        item = issue_item(office, unit, date(2026, 11, 20), datetime(2026, 11, 2, 10, tzinfo=SH))
        recorders(app, sms=[DeliveryError("短信平台拒绝：模板未审核", retryable=False)])
        sweep(datetime(2026, 11, 13, 9, 5, tzinfo=SH))
        deliver(datetime(2026, 11, 13, 9, 6, tzinfo=SH))
        item_id = item.id
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", item_id
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def rpage(browser, reminder_server):
    context = browser.new_context(base_url=reminder_server[0], locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport=DESKTOP)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, username):
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/home")


def test_unit_reads_its_inbox_and_sees_the_items_timeline(rpage, reminder_server, screenshot):
    _, item_id = reminder_server
    _sign_in(rpage, "unit")
    badge = rpage.locator(".unread-count")
    assert badge.inner_text() == "1"
    rpage.click("a.inbox-link")
    rpage.wait_for_url("**/inbox/")
    assert "整改事项提醒" in rpage.locator("table.inbox").inner_text()
    screenshot(rpage, "inbox")
    rpage.click("table.inbox button:has-text('标为已读')")
    rpage.wait_for_url("**/inbox/")
    assert rpage.locator(".unread-count").count() == 0
    assert "已读" in rpage.locator("table.inbox").inner_text()

    rpage.goto(f"/items/{item_id}")
    planned = rpage.locator("table.timeline-planned").inner_text()
    assert "2026-11-19 09:00" in planned and "联络员 王敏" in planned and "短信（13800138000）" in planned
    sent = rpage.locator("table.timeline-sent").inner_text()
    assert "整改事项时限 · 截止前 5 个工作日" in sent and "发送失败" in sent
    rpage.locator("#reminders").scroll_into_view_if_needed()
    screenshot(rpage, "timeline")


def test_office_filters_the_delivery_log_and_resends(rpage, screenshot):
    _sign_in(rpage, "office")
    rpage.click("text=发送失败的提醒")
    assert rpage.locator("select[name=status]").input_value() == "failed"  # the tile's filter
    rpage.select_option("select[name=channel]", "sms")
    rpage.click("form.filters button[type=submit]")
    rows = rpage.locator("table.table tbody tr")
    assert rows.count() == 1 and "模板未审核" in rows.first.inner_text()
    screenshot(rpage, "log")
    rows.first.locator("button:has-text('重新发送')").click()
    assert "已重新加入发送队列" in rpage.locator(".flash").first.inner_text()
    assert rpage.locator("table.table tbody tr td.empty").count() == 1  # no failed message left
    rpage.click("text=调度运行状态")
    assert "待发送队列" in rpage.locator("dl.facts").inner_text()
    screenshot(rpage, "status")


def test_unit_sets_a_contact_to_the_daily_digest(rpage, screenshot):
    _sign_in(rpage, "unit")
    rpage.goto("/units/1")
    rpage.click("text=提醒设置")
    rpage.select_option("select[aria-label='王敏的发送方式']", "digest")
    rpage.click("form button[type=submit]:has-text('保存')")
    assert "提醒设置已保存" in rpage.locator(".flash").first.inner_text()
    assert rpage.locator("select[aria-label='王敏的发送方式']").input_value() == "digest"
    screenshot(rpage, "preferences")


def test_office_edits_the_reminder_policy_and_restores_the_defaults(rpage, screenshot):
    _sign_in(rpage, "office")
    rpage.goto("/reminders/status")
    rpage.click("text=提醒规则")
    rpage.wait_for_url("**/reminders/policy")
    assert "当前使用默认规则" in rpage.locator("p.muted").first.inner_text()
    screenshot(rpage, "policy")
    rpage.fill("input[name='rectification.send_at']", "23:30")  # at night: refused
    rpage.click("button:has-text('保存提醒规则')")
    assert "在免打扰时段内" in rpage.locator(".policy-errors").inner_text()
    assert rpage.locator("input[name='rectification.send_at']").input_value() == "23:30"  # kept for fixing
    screenshot(rpage, "policy-refused")
    rpage.fill("input[name='rectification.send_at']", "10:00")
    rpage.fill("input[name='rectification.0.days']", "8")
    rpage.click("button:has-text('保存提醒规则')")
    assert "提醒规则已保存" in rpage.locator(".flash").first.inner_text()
    assert rpage.locator("input[name='rectification.0.days']").input_value() == "8"
    rpage.once("dialog", lambda dialog: dialog.accept())
    asked = []
    rpage.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    rpage.click("button:has-text('恢复默认规则')")
    assert "已恢复默认提醒规则" in rpage.locator(".flash").first.inner_text()
    assert asked == ["恢复默认提醒规则？当前修改将被替换。"]  # asked first (confirm.js: the CSP forbids onsubmit)
    assert rpage.locator("input[name='rectification.0.days']").input_value() == "5"


def test_unit_sets_its_work_group_robot(rpage, screenshot):
    _sign_in(rpage, "unit")
    rpage.goto("/units/1")
    rpage.click("text=工作群机器人")
    rpage.fill("#wecom-url", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    rpage.click("form.robots-form button[type=submit]")
    assert "须以 https:// 开头" in rpage.locator(".field-error").first.inner_text()
    rpage.fill("#wecom-url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6")
    rpage.fill("#dingtalk-url", "https://oapi.dingtalk.com/robot/send?access_token=abc123")
    rpage.fill("#dingtalk-secret", "SEC" + "0123456789abcdef" * 3)
    rpage.click("form.robots-form button[type=submit]")
    assert "群机器人设置已保存" in rpage.locator(".flash").first.inner_text()
    assert "SEC…cdef" in rpage.locator("form.robots-form").inner_text()
    assert rpage.locator("#dingtalk-secret").input_value() == ""  # never shown back
    screenshot(rpage, "robots")
