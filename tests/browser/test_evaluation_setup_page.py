"""The office draws the 实地调研 sample and forms a team on the page, in a real browser."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def field_cycle(live_server):
    """A cycle of five counties and an evaluator, made through the services on the live server's database."""
    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, User

    app = live_server.app
    with app.app_context():
        office = db.session.query(User).filter_by(role="office").first()
        units = [Unit(name=f"浏览器县{i}", kind="county") for i in range(1, 6)]
        db.session.add_all(units)
        evaluator = User(username="eval-browser", display_name="孙调研", role="evaluator")
        evaluator.set_password(live_server.password)
        db.session.add(evaluator)
        db.session.commit()
        from helpers import new_cycle
        cycle = new_cycle(office, units, name="浏览器实地调研周期")
        ids = {"cycle": cycle.id, "units": [u.id for u in units], "user": evaluator.id}
    yield {"cycle_id": ids["cycle"], "unit_names": [f"浏览器县{i}" for i in range(1, 6)]}
    # the live server is shared: its other journeys count active units, so retire these
    import sqlalchemy as sa
    with app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.id.in_(ids["units"])).values(is_active=False))
        db.session.execute(sa.update(User).where(User.id == ids["user"]).values(is_active_account=False))
        db.session.commit()


def test_office_draws_the_sample_and_forms_a_team(page, live_server, sign_in, screenshot, field_cycle):
    sign_in(page, live_server.users["office"][0])
    page.goto(f"/cycles/{field_cycle['cycle_id']}/evaluation")
    page.fill("#quota_county", "3")
    page.fill("#seed", "2026")
    page.click(".sample-form button[type=submit]")
    page.wait_for_url("**/evaluation#sample")
    assert "已抽取 3 个单位" in page.locator(".flash-success").inner_text()
    assert page.locator(".sample-list tbody tr").count() == 3
    assert page.locator("strong.seed").inner_text() == "2026"

    page.fill("#new-team-name", "第一调研评估小组")
    page.select_option("#new-team-leader", label="孙调研")
    page.click(".new-team button[type=submit]")
    page.wait_for_url("**/evaluation#teams")
    for select in page.locator(".assign-form select").all():
        select.select_option(label="第一调研评估小组")
    page.locator(".assign-form input[type=date]").first.fill("2026-11-12")
    page.click(".assign-form button[type=submit]")
    page.wait_for_url("**/evaluation#assignments")
    assert page.locator(".sample-list td", has_text="第一调研评估小组").count() == 3
    screenshot(page)
