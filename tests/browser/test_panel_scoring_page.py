"""A panel member scores a unit beside its self-score sheet, in a real browser."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scoring_world(live_server):
    """One department, its 自评 submitted and accepted, the cycle in 实地调研, the panel user assigned."""
    import sqlalchemy as sa
    from helpers import IN_SELF_ASSESSMENT, assign, fill_self_assessment, new_cycle

    from pufa_flow import clock
    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, UnitAssessment, User
    from pufa_flow.services import self_assessment, workflow

    app = live_server.app
    with app.app_context(), clock.frozen(IN_SELF_ASSESSMENT):
        office = db.session.query(User).filter_by(role="office").first()
        panel = db.session.query(User).filter_by(role="panel").first()
        unit = Unit(name="浏览器评分局", kind="city_department", has_enforcement_power=True)
        db.session.add(unit)
        db.session.flush()
        unit_user = User(username="unit-scoring", display_name="钱填报", role="unit", unit_id=unit.id)
        unit_user.set_password(live_server.password)
        db.session.add(unit_user)
        db.session.commit()
        cycle = new_cycle(office, [unit], name="浏览器评议周期")
        workflow.fire(cycle, "start", actor=office)
        a = db.session.scalars(sa.select(UnitAssessment).where(UnitAssessment.cycle_id == cycle.id)).one()
        fill_self_assessment(a, unit_user, entries=({"rule_id": "n23-03-c"},))
        self_assessment.submit(a, actor=unit_user)
        workflow.fire(a, "accept", actor=office)
        workflow.fire(cycle, "begin_field_research", actor=office)
        assign(panel, cycle, [unit])
        yield {"assessment_id": a.id}


def test_panel_member_scores_beside_the_self_score_and_submits(page, live_server, sign_in, screenshot,
                                                                scoring_world):
    sign_in(page, live_server.users["panel"][0])
    page.goto("/worklist")
    row = page.locator(f"tr[data-assessment='{scoring_world['assessment_id']}']")
    assert "浏览器评分局" in row.inner_text()
    row.get_by_role("link", name="开始评分").click()
    page.wait_for_url("**/score")
    assert page.locator("#self-total").inner_text() == "98"
    assert page.locator("tr[data-rule='n23-03-c'] .self-choice").inner_text().strip() == "✓"
    page.check("input[name='use_n23-04-a']")
    page.fill("input[name='count_n23-04-a']", "2")
    page.fill("input[name='note_n23-04-a']", "工作信息缺两期")
    page.click("[data-action=save-panel-sheet]")
    page.wait_for_url("**/score")
    assert page.locator("#my-total").inner_text() == "98"
    assert page.locator("[data-my-score='4']").inner_text() == "3"
    assert page.locator("[data-self-score='3']").inner_text() == "8"
    screenshot(page)
    page.click("[data-action=submit-panel-sheet]")
    page.wait_for_url("**/score")
    assert "已提交" in page.locator("#my-status").inner_text()
    assert page.locator("[data-action=save-panel-sheet]").count() == 0
