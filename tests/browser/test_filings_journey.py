"""Issue 13's "done when", in a real browser: the office sets the year's filings, the unit files its
plan late and its list on time, the plan is returned once and filed again, the board's cells say so,
and the record pre-selects "未及时报备的，扣2分" with its evidence linked, on the filings page and in the
unit's 自测得分表 (a 2026 cycle in 自评, set up through the services).

The application clock is process-wide, so freezing it here moves the live server's "today" too.
Uses 2026's filings, which no other browser test touches.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from pufa_flow import clock

pytestmark = pytest.mark.browser


def shanghai_10am(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0)  # 10:00 in Shanghai, as UTC


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "2026年普法工作计划.pdf"
    path.write_bytes(b"%PDF-1.4\n% plan\n%%EOF\n")
    return path


def _sign_out(page):
    page.context.clear_cookies()


@pytest.fixture
def forget_2026_filings(live_server):
    """Afterwards the shared server forgets 2026's filings: the record would pre-select deductions in
    the other journeys' 2026 score sheets."""
    yield
    import sqlalchemy as sa

    from pufa_flow.extensions import db
    from pufa_flow.models import Filing, FilingType, FilingTypeUnit, ReminderSchedule

    with live_server.app.app_context():
        ids = sa.select(FilingType.id).where(FilingType.year == 2026)
        db.session.execute(sa.delete(ReminderSchedule).where(ReminderSchedule.object_type == "filing_type",
                                                             ReminderSchedule.object_id.in_(ids)))
        db.session.execute(sa.delete(Filing).where(Filing.year == 2026))
        db.session.execute(sa.delete(FilingTypeUnit).where(FilingTypeUnit.filing_type_id.in_(ids)))
        db.session.execute(sa.delete(FilingType).where(FilingType.year == 2026))
        db.session.commit()


def _cycle_in_self_assessment(live_server) -> int:
    """A 2026 cycle in 自评 with the journey's unit; returns the unit's assessment id."""
    import sqlalchemy as sa
    from tests.helpers import new_cycle

    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, UnitAssessment, User
    from pufa_flow.services import workflow

    with live_server.app.app_context():
        office = db.session.scalars(sa.select(User).where(User.role == "office")).first()
        unit = db.session.scalars(sa.select(Unit).where(Unit.name == live_server.unit_name)).one()
        cycle = new_cycle(office, [unit], name="报备记录浏览器周期")
        workflow.fire(cycle, "start", actor=office)
        db.session.commit()
        return db.session.scalars(sa.select(UnitAssessment.id).where(UnitAssessment.cycle_id == cycle.id)).one()


def test_filing_year_late_plan_returned_refiled_board_and_deduction(page, live_server, sign_in, screenshot, pdf,
                                                                    forget_2026_filings):
    office, unit = live_server.users["office"][0], live_server.users["unit"][0]

    with clock.frozen(shanghai_10am(1, 5)):
        sign_in(page, office)
        page.click("nav >> text=年度报备")
        page.goto("/filings/types/2026")
        page.click("button[data-action=defaults]")
        assert "已添加 5 个默认报备事项" in page.locator(".flash-success").inner_text()
        page.fill("#ft-name", "普法宣传月活动总结")
        page.fill("#ft-due", "2026-06-30")
        page.click("section.card button[type=submit]")
        assert "已新增报备事项：普法宣传月活动总结" in page.locator(".flash-success").inner_text()
        table = page.locator("table.filing-types")
        assert table.locator("tr", has_text="年度普法工作计划").locator("td").nth(2).inner_text() == "2026年3月31日"
        screenshot(page, "types")
        _sign_out(page)

    with clock.frozen(shanghai_10am(3, 20)):
        sign_in(page, unit)
        page.click("nav >> text=年度报备")
        page.click("details.filing-form-wrap[data-type=duty_list] > summary")  # not due yet: folded
        duty = page.locator("form.filing-form[data-type=duty_list]")
        duty.locator("input[name=url]").fill("https://www.example.gov.cn/pfzrqd.html")
        duty.locator("button[type=submit]").click()
        assert "已报送：普法责任清单" in page.locator(".flash-success").inner_text()
        assert page.locator("form.filing-form[data-type=duty_list]").count() == 0  # filed once, not twice

    with clock.frozen(shanghai_10am(4, 2)):  # 3-31 was a Tuesday: Wednesday and Thursday late
        page.goto("/filings/")
        assert page.locator("details.filing-form-wrap[data-type=plan]").get_attribute("open") is not None  # overdue
        plan = page.locator("form.filing-form[data-type=plan]")
        plan.locator("input[name=files]").set_input_files(str(pdf))
        plan.locator("textarea[name=note]").fill("经党组会研究通过")
        plan.locator("button[type=submit]").click()
        assert "逾期 2 个工作日" in page.locator(".flash-success").inner_text()
        _sign_out(page)

    with clock.frozen(shanghai_10am(4, 3)):
        sign_in(page, office)
        page.goto("/filings/board/2026")
        cell = page.locator(f"td[data-unit='{live_server.unit_name}'][data-type=plan]")
        assert cell.get_attribute("data-state") == "late"
        cell.locator("a").click()
        assert "2026年普法工作计划.pdf" in page.locator("dl.facts").inner_text()
        form = page.locator("form.transition-form", has=page.locator("button[data-trigger=return_for_revision]"))
        form.locator("textarea[name=comment]").fill("计划未明确责任分工，请补充后重新报送")
        form.locator("button[data-trigger=return_for_revision]").click()
        assert "现为「退回修改」" in page.locator(".flash-success").inner_text()
        page.goto("/filings/board/2026")
        assert page.locator(f"td[data-unit='{live_server.unit_name}'][data-type=plan]").get_attribute(
            "data-state") == "returned"
        _sign_out(page)

    with clock.frozen(shanghai_10am(4, 7)):
        sign_in(page, unit)
        page.goto("/filings/")
        section = page.locator("section.filing-type", has=page.locator("h2", has_text="年度普法工作计划"))
        assert "计划未明确责任分工" in section.locator(".returned-reason").inner_text()
        screenshot(page, "returned")
        form = section.locator("form.filing-form")
        assert form.locator("button[type=submit]").inner_text() == "重新报送"
        form.locator("input[name=files]").set_input_files(str(pdf))
        form.locator("button[type=submit]").click()
        assert "已报送：年度普法工作计划" in page.locator(".flash-success").inner_text()
        _sign_out(page)

    with clock.frozen(shanghai_10am(4, 20)):
        sign_in(page, office)
        page.goto("/filings/board/2026")
        row = {t: page.locator(f"td[data-unit='{live_server.unit_name}'][data-type={t}]").get_attribute("data-state")
               for t in ("plan", "duty_list", "contacts", "info")}
        assert row == {"plan": "late", "duty_list": "on_time", "contacts": "missing", "info": "due"}
        assert page.locator(f"td[data-unit='{live_server.unit_name}'][data-type=plan]").inner_text() == "逾期2个工作日"
        counts = page.locator("table.filing-counts tr", has_text="年度普法工作计划").locator("td")
        assert [counts.nth(i).inner_text() for i in range(2, 6)] == ["0", "1", "0", "0"]
        screenshot(page, "board")
        with page.expect_download() as download:
            page.click("text=导出 Excel")
        assert download.value.suggested_filename == "2026年度报备情况.xlsx"
        _sign_out(page)

        sign_in(page, unit)
        page.goto("/filings/")
        late = page.locator(".filing-deductions .deduction[data-rule=n23-03-c]")
        assert "未及时报备的，扣2分" in late.inner_text() and late.locator("input[type=checkbox]").is_checked()
        assert "逾期 2 个工作日" in late.inner_text()
        assert page.locator(".deduction[data-rule=n23-03-a]").count() == 0  # the plan was filed
        screenshot(page, "deductions")
        late.locator("a").click()
        page.wait_for_url("**/filings/*")
        assert "逾期 2 个工作日" in page.locator(".page-head").inner_text()
        screenshot(page, "evidence")
        _sign_out(page)

    # the 自测得分表 opens with the record's deductions ticked, each with its evidence
    with clock.frozen(shanghai_10am(10, 20)):
        assessment_id = _cycle_in_self_assessment(live_server)
        sign_in(page, unit)
        page.goto(f"/cycles/assessments/{assessment_id}#sheet")
        assert "已按本单位2026年度报备记录预选" in page.locator(".record-preselected").inner_text()
        late = page.locator("tr.rule", has=page.locator("input[name=use_n23-03-c]"))
        assert "未及时报备的，扣2分" in late.inner_text()
        assert late.locator("input[name=use_n23-03-c]").is_checked()
        evidence = late.locator(".record-suggestion[data-record-rule=n23-03-c]")
        assert "逾期 2 个工作日" in evidence.inner_text()
        assert not page.locator("input[name=use_n23-03-a]").is_checked()  # the plan was filed
        # 0 工作信息 of 5 by October: count 5, pre-filled
        assert page.locator("input[name=use_n23-04-a]").is_checked()
        assert page.locator("input[name=count_n23-04-a]").input_value() == "5"
        screenshot(page, "score-sheet")
        from tests.browser.conftest import SCREENSHOTS
        page.locator("tbody.category").first.screenshot(path=str(SCREENSHOTS / "filings-record-in-score-sheet.png"))
        # leaving the late filing out without a note is refused beside the rule
        page.uncheck("input[name=use_n23-03-c]")
        page.click("[data-action=save-sheet]")
        assert "未选择须填写说明" in page.locator(".record-suggestion[data-record-rule=n23-03-c] .field-error").inner_text()
        screenshot(page, "score-sheet-refused")
        late.screenshot(path=str(SCREENSHOTS / "filings-record-refused-without-note.png"))
        page.goto(f"/cycles/assessments/{assessment_id}#sheet")
        page.locator(".record-suggestion[data-record-rule=n23-03-c] a").first.click()
        page.wait_for_url("**/filings/*")
        assert "逾期 2 个工作日" in page.locator(".page-head").inner_text()
