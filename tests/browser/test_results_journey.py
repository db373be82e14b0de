"""The office's 评分定等 → 结果运用 path in a real browser: ranking, quota, an adjustment with a
reason, confirm, an opinion with a problem, publish, a commendation, archive."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def results_world(live_server):
    """Three units in 评估验收 with final scores 96 / 93 / 70 (designated through the acceptance service)."""
    import sqlalchemy as sa
    from helpers import IN_SELF_ASSESSMENT, new_cycle

    from pufa_flow import clock
    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, UnitAssessment, User
    from pufa_flow.services import panel, workflow

    app = live_server.app
    with app.app_context(), clock.frozen(IN_SELF_ASSESSMENT):
        office = db.session.query(User).filter_by(role="office").first()
        units = [Unit(name=n, kind=k, has_enforcement_power=True)
                 for n, k in (("结果甲局", "city_department"), ("结果乙局", "city_department"), ("结果丙县", "county"))]
        db.session.add_all(units)
        db.session.flush()
        users = []
        for i, u in enumerate(units):
            user = User(username=f"unit-results-{i}", display_name="结果填报", role="unit", unit_id=u.id)
            user.set_password(live_server.password)
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        cycle = new_cycle(office, units, name="浏览器结果周期")
        workflow.fire(cycle, "start", actor=office)
        by = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment).where(
            UnitAssessment.cycle_id == cycle.id))}
        for u, user in zip(units, users):
            workflow.fire(by[u.id], "submit", actor=user)
            workflow.fire(by[u.id], "accept", actor=office)
        workflow.fire(cycle, "begin_field_research", actor=office)
        workflow.fire(cycle, "begin_acceptance", actor=office)
        for u, score in zip(units, (96, 93, 70)):
            panel.finalize(by[u.id], actor=office, score=score, reason="书面评分汇总")
        world = {"cycle_id": cycle.id, "assessment_ids": [by[u.id].id for u in units], "unit_ids": [u.id for u in units]}
    yield world  # the journey itself runs on today's clock


def test_rank_adjust_confirm_opine_publish_commend_archive(page, live_server, sign_in, screenshot, results_world):
    cycle_id = results_world["cycle_id"]
    sign_in(page, live_server.users["office"][0])
    page.goto(f"/cycles/{cycle_id}/ranking")
    row = lambda name: page.locator(f"tr[data-unit='{name}']")  # noqa: E731
    assert row("结果乙局").get_attribute("data-grade") == "excellent"
    # a quota of one 优秀: 乙 drops to 良好 by rule
    page.fill("input[name=excellent_quota]", "1")
    page.select_option("select[name=quota_kind]", "count")
    page.click("[data-action=save-rules]")
    page.wait_for_url(f"**/cycles/{cycle_id}/ranking")
    assert row("结果乙局").get_attribute("data-grade") == "good"
    assert "超出名额" in row("结果乙局").inner_text()
    # the adjustment's select never defaults to a grade, and a reason is required
    丙 = row("结果丙县")
    丙.locator("summary").click()
    assert 丙.locator("select[name=grade]").input_value() == ""
    丙.locator("select[name=grade]").select_option("good")
    丙.locator("textarea[name=reason]").fill("实地调研中整改已见成效")
    丙.locator("[data-action=adjust]").click()
    page.wait_for_url(f"**/cycles/{cycle_id}/ranking*")
    assert row("结果丙县").get_attribute("data-grade") == "good"
    assert "实地调研中整改已见成效" in row("结果丙县").locator(".reason").inner_text()
    screenshot(page, "ranking")
    page.click("[data-action=confirm-grades]")
    page.wait_for_url(f"**/cycles/{cycle_id}/ranking")
    assert "等次已于" in page.locator(".lead").inner_text()
    assert page.locator("[data-action=adjust]").count() == 0

    # 评估意见 with one problem for 乙
    page.goto(f"/assessments/{results_world['assessment_ids'][1]}/opinion")
    page.fill("textarea[name=text]", "普法工作总体扎实，档案管理仍需加强。")
    page.fill("textarea[name=problem_0]", "普法台账不完整")
    page.fill("textarea[name=requirement_0]", "补齐2026年度普法台账并归档")
    page.select_option("select[name=category_0]", "archives")
    page.click("[data-action=save-opinion]")
    page.wait_for_url("**/opinion")
    assert page.locator("textarea[name=problem_0]").input_value() == "普法台账不完整"
    screenshot(page, "opinion")

    # publish: 乙 gets a notice; then a commendation and the archive
    page.goto(f"/cycles/{cycle_id}/results")
    page.click("[data-action=publish]")
    page.wait_for_url(f"**/cycles/{cycle_id}/results")
    assert "下发整改通知书 1 份" in page.locator(".flash-success").inner_text()
    assert page.locator("tr[data-unit='结果乙局'] a[href*='/notices/']").count() == 1
    page.select_option("select[name=kind]", "model_county")
    page.select_option("select[name=unit_id]", str(results_world["unit_ids"][0]))
    page.click("[data-action=commend]")
    assert "县（市、区）" in page.locator("[data-error=unit_id]").inner_text()  # a department is no 示范县
    page.select_option("select[name=kind]", "collective")
    page.click("[data-action=commend]")
    page.wait_for_url(f"**/cycles/{cycle_id}/results*")
    assert "结果甲局" in page.locator("#commendations tr[data-kind=collective]").inner_text()
    screenshot(page, "results")
    page.click("[data-action=archive]")
    page.wait_for_url(f"**/cycles/{cycle_id}/results")
    assert "已归档" in page.locator("#archived-note").inner_text()
    assert page.locator("[data-action=commend]").count() == 0
    page.goto(f"/assessments/{results_world['assessment_ids'][1]}/opinion")
    assert page.locator("[data-action=save-opinion]").count() == 0
    screenshot(page, "archived-opinion")
