"""The whole 自评 in a browser, with the clock frozen inside the 自评 phase:
the office creates the cycle from the 003 template and starts it; the unit
fills its score sheet (the total moves as it ticks), report, problem list and
case, and submits; the office returns it with a reason; the unit sees the
reason, fixes and resubmits; the office accepts."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from pufa_flow import clock

# 2026-10-20 10:00 in Shanghai: inside the template's 自评 phase (10-16 … 11-05)
IN_PHASE = datetime(2026, 10, 20, 2, 0, tzinfo=timezone.utc)
BODY = "本单位普法宣传形式较为单一，全年开展的集中宣传活动以发放资料为主，群众参与度不高。" * 6


@pytest.fixture
def frozen():
    with clock.frozen(IN_PHASE):
        yield


def _only_the_journeys_department(live_server) -> None:
    """The live server is shared: other journeys add departments; this one counts its own alone."""
    import sqlalchemy as sa

    from pufa_flow.extensions import db
    from pufa_flow.models import Unit

    with live_server.app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.kind == "city_department", Unit.name != live_server.unit_name)
                           .values(is_active=False))
        db.session.commit()


def test_unit_fills_is_returned_fixes_and_office_accepts(browser, live_server, sign_in, screenshot, frozen):
    from playwright.sync_api import expect

    _only_the_journeys_department(live_server)

    from tests.browser.conftest import DESKTOP, _new_page

    office_ctx, office = _new_page(browser, live_server, DESKTOP)
    unit_ctx, unit = _new_page(browser, live_server, DESKTOP)
    try:
        # -- the office: a cycle from the template, departments by kind, started
        sign_in(office, live_server.users["office"][0])
        office.goto("/cycles/new")
        office.fill("#name", "2026年度普法责任制考评")
        office.fill("#year", "2026")
        office.select_option("#template", "nanchang-003")
        office.click("button[value=prefill]")
        expect(office.locator("input[name=self_assessment_due]")).to_have_value("2026-11-05")
        expect(office.locator("input[name=self_assessment_start]")).to_have_value("2026-10-16")
        office.check("input[name=unit_kinds][value=city_department]")
        office.click("button[value=create]")
        expect(office.locator(".flash-success")).to_contain_text("共1个参评单位")
        office.click("button[data-trigger=start]")
        expect(office.locator(".page-head .badge")).to_have_text("自评")
        expect(office.locator(".timeline li.current .today")).to_contain_text("今天 2026年10月20日")
        expect(office.locator("[data-count=pending]")).to_have_text("待自评 1")
        expect(office.locator(".blockers")).to_contain_text("还有1个单位未提交自评材料")
        board_url = office.url

        # -- the unit fills its sheet: the total follows its ticks before saving
        sign_in(unit, live_server.users["unit"][0])
        unit.goto(board_url)
        unit.click(f"table a:has-text(\"{live_server.unit_name}\")")
        expect(unit.locator("#sheet-total")).to_have_text("100")
        unit.check("input[name='use_n23-03-a']")
        expect(unit.locator("#sheet-total")).to_have_text("96")
        unit.check("input[name='use_n23-04-a']")
        unit.fill("input[name='count_n23-04-a']", "2")
        unit.fill("input[name='note_n23-04-a']", "全年报送工作信息3条")
        expect(unit.locator("#sheet-total")).to_have_text("94")
        expect(unit.locator("[data-category-score=organisation]")).to_have_text("19")
        # n23-10-b needs 执法权限, which 区司法局 here has not: not offered
        expect(unit.locator("input[name='use_n23-10-b']")).to_have_count(0)
        unit.click("button[data-action=save-sheet]")
        expect(unit.locator(".flash-success")).to_contain_text("得分表草稿已保存")
        expect(unit.locator("#sheet-total")).to_have_text("94")
        expect(unit.locator(".missing")).to_have_text("还缺：自评报告、问题清单")
        unit.click("button[data-trigger=submit]")
        expect(unit.locator(".flash-error")).to_contain_text("还缺：自评报告、问题清单")

        unit.fill("textarea[name=text]", "一、基本情况\n本单位认真落实普法责任制。")
        unit.click("button[data-action=save-report]")
        unit.locator("input[name=problem_title]").first.fill("普法形式单一，群众参与度不高")
        body = unit.locator("textarea[name=problem_body]").first
        body.fill(BODY)
        expect(unit.locator("fieldset.problem small.counter").first).to_contain_text(f"已写{len(BODY)}字")
        unit.click("button[data-action=save-problems]")
        expect(unit.locator(".flash-info")).to_contain_text("问题清单只有1个问题")
        unit.fill("input[name=case_title]", "“法治夜市”让普法进烟火气")
        unit.fill("textarea[name=case_background]", "背景" * 200)
        unit.fill("textarea[name=case_practice]", "做法" * 1300)
        unit.fill("textarea[name=case_lessons]", "启示" * 200)
        unit.click("button[data-action=save-cases]")
        expect(unit.locator(".case-checks li.ok")).to_have_count(4)
        expect(unit.locator(".complete")).to_contain_text("材料齐全")
        screenshot(unit, "filled")
        unit.click("button[data-trigger=submit]")
        expect(unit.locator(".flash-success")).to_contain_text("自测得分 94.00")
        expect(unit.locator(".page-head .badge")).to_have_text("已提交")

        # -- the office returns it with a reason
        office.goto(board_url)
        expect(office.locator("[data-count=submitted]")).to_have_text("已提交 1")
        office.click(f"table a:has-text(\"{live_server.unit_name}\")")
        office.fill("form:has(button[data-trigger=return_for_revision]) textarea[name=comment]",
                    "第4项缺少佐证材料，请补充工作信息报送记录")
        office.click("button[data-trigger=return_for_revision]")
        expect(office.locator(".page-head .badge")).to_have_text("退回修改")

        # -- the unit sees the reason at the top, fixes and resubmits
        unit.reload()
        expect(unit.locator(".returned-reason")).to_contain_text("第4项缺少佐证材料")
        screenshot(unit, "returned")
        unit.fill("input[name='count_n23-04-a']", "1")
        expect(unit.locator("#sheet-total")).to_have_text("95")
        unit.click("button[data-action=save-sheet]")
        unit.click("button[data-trigger=submit]")
        expect(unit.locator(".flash-success")).to_contain_text("自测得分 95.00")

        # -- the office accepts; the board counts it
        office.reload()
        office.click("button[data-trigger=accept]")
        expect(office.locator(".page-head .badge")).to_have_text("已受理")
        office.goto(board_url)
        expect(office.locator("[data-count=accepted]")).to_have_text("已受理 1")
        expect(office.locator(".blockers")).to_have_count(0)
        screenshot(office, "board")
        row = office.locator("table.table tbody tr").first
        assert re.search(r"95(\.00)?", row.inner_text())
    finally:
        office_ctx.close()
        unit_ctx.close()
