"""Rectification in a real browser (issue 10's "Done when"): an inspection drafted, reviewed and
issued in the pages, its items run through every path, and the board's numbers checked by hand
and clicked through to their list."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser

PATHS = ["按期销号", "退回后逾期销号", "延期另定日期", "延期被驳回", "撤销事项", "改派事项"]


def _logout(page):
    page.click("button.logout")


def _item(page, problem: str):
    page.goto("/items/?sort=id")
    page.click(f"text={problem}")
    page.wait_for_selector(".page-head")


def _fire(page, trigger: str, comment: str | None = None, **fields):
    form = page.locator(f"form:has([data-trigger={trigger}])")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    if comment is not None:
        form.locator("textarea[name=comment]").fill(comment)
    form.locator(f"[data-trigger={trigger}]").click()
    page.wait_for_selector(".flash-success")


def test_items_through_every_path_and_the_board_by_hand(page, sign_in, live_server, screenshot):
    office, unit = live_server.users["office"][0], live_server.users["unit"][0]
    today = date.today()
    dues = [today + timedelta(days=20), today - timedelta(days=5), today - timedelta(days=3),
            today - timedelta(days=10), today + timedelta(days=10), today + timedelta(days=15)]

    # the office: another unit (for the reassignment), the inspection, the notice drafted, reviewed, issued
    sign_in(page, office)
    page.goto("/units/new")
    page.fill("#name", "区城管局")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.goto("/inspections/new")
    page.fill("#name", "全区法治建设工作督查")
    page.fill("#starts_on", (today - timedelta(days=33)).isoformat())
    page.fill("#ends_on", (today - timedelta(days=31)).isoformat())
    page.fill("#bodies", "区委依法治区办、区委督查室")
    page.check(f"label:has-text('{live_server.unit_name}') input")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.click("button:has-text('起草')")
    for n, (problem, due) in enumerate(zip(PATHS, dues), start=1):
        page.fill(f"[aria-label=第{n}条问题]", problem)
        page.fill(f"[aria-label=第{n}条整改要求]", f"{problem}的整改要求")
        page.fill(f"[aria-label=第{n}条整改时限]", due.isoformat())
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector(".flash-success")
    assert "下发时编号" in page.inner_text("#doc-number")
    _fire(page, "review")
    _fire(page, "issue", issued_on=(today - timedelta(days=30)).isoformat())
    number = page.inner_text("#doc-number")
    assert number.startswith(f"〔{today.year}〕") and number.endswith("号")
    screenshot(page, "notice-issued")

    # the office cancels one and reassigns one
    _item(page, "撤销事项")
    _fire(page, "cancel", "该问题已另行下发")
    _item(page, "改派事项")
    page.select_option("select[name=unit_id]", label="区城管局")
    page.fill("form:has(button:has-text('改派')) textarea[name=comment]", "职责调整")
    page.click("button:has-text('改派')")
    page.wait_for_selector(".flash-success")
    _logout(page)

    # the unit: acknowledge, evidence, submit; ask for two extensions
    sign_in(page, unit)
    page.goto("/items/?sort=id")
    assert "改派事项" not in page.inner_text("#item-list")  # it belongs to 区城管局 now
    for problem in PATHS[:4]:
        _item(page, problem)
        _fire(page, "acknowledge")
    for problem in ("按期销号", "退回后逾期销号"):
        _item(page, problem)
        page.set_input_files("input[name=files]", [
            {"name": "整改照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 64}])
        page.click("button:has-text('上传佐证材料')")
        page.wait_for_selector(".flash-success")
        assert "整改照片.png" in page.inner_text("#evidence")
        _fire(page, "submit", measures=f"{problem}：已按要求整改")
    _item(page, "延期另定日期")
    _fire(page, "request_extension", "需党组会议研究", new_due_date=(today + timedelta(days=40)).isoformat())
    _item(page, "延期被驳回")
    _fire(page, "request_extension", "人员不足", new_due_date=(today + timedelta(days=20)).isoformat())
    _logout(page)

    # the office: verify, send back, rule on the extensions (one approved with another date)
    sign_in(page, office)
    _item(page, "按期销号")
    _fire(page, "verify")
    _item(page, "退回后逾期销号")
    _fire(page, "send_back", "缺少党组会议记录")
    _item(page, "延期另定日期")
    _fire(page, "approve_extension", approved_due_date=(today + timedelta(days=30)).isoformat())
    assert "已批准" in page.inner_text("#extensions")
    _item(page, "延期被驳回")
    _fire(page, "deny_extension", "理由不充分")
    _logout(page)

    # the unit sees why it was sent back, its measures kept, and resubmits
    sign_in(page, unit)
    _item(page, "退回后逾期销号")
    assert "缺少党组会议记录" in page.inner_text("#office-word")
    measures = page.locator("form:has([data-trigger=submit]) textarea[name=measures]")
    assert measures.input_value() == "退回后逾期销号：已按要求整改"
    measures.fill("退回后逾期销号：已补充党组会议记录")
    page.click("[data-trigger=submit]")
    page.wait_for_selector(".flash-success")
    _item(page, "延期被驳回")
    assert "理由不充分" in page.inner_text("#office-word") and "已驳回" in page.inner_text("#extensions")
    _logout(page)

    sign_in(page, office)
    _item(page, "退回后逾期销号")
    _fire(page, "verify")

    # the board: the inspection's row by hand — open: 延期另定日期, 延期被驳回, 改派事项; overdue: 延期被驳回
    page.goto("/board/")
    page.locator("#chart-trend canvas, #chart-trend svg").first.wait_for()
    row = page.locator("#board-inspections tr", has_text="全区法治建设工作督查")
    open_link, overdue_link = row.locator("a").nth(0), row.locator("a").nth(1)
    assert (open_link.inner_text(), overdue_link.inner_text()) == ("3", "1")
    closed_late = int(page.inner_text("[data-figure=closed_late] strong"))
    assert closed_late >= 1
    screenshot(page, "board")
    overdue_link.click()
    page.wait_for_selector("#item-list")
    listed = page.locator("#item-list tbody tr").all_inner_texts()
    assert len(listed) == 1 and "延期被驳回" in listed[0]
    page.goto("/board/")
    page.click("[data-figure=closed_late]")
    assert "退回后逾期销号" in page.inner_text("#item-list") and "按期销号" not in page.inner_text("#item-list").replace("退回后逾期销号", "")
    _item(page, "延期另定日期")
    assert (today + timedelta(days=30)).strftime("%Y年%-m月%-d日") in page.inner_text("#due-date")
    screenshot(page, "extension-approved")
