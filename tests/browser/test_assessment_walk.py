"""Issue 12's "Done when": 003's timetable walked in a browser with a frozen clock, from the sample to the archive.

The office draws a seeded sample (two departments and one other unit, the
rest 书面考核), forms two teams and assigns them, gives two panel members
every unit; each team's evaluator uploads a 评估报告; both panel members score
every unit on its score sheet; the office confirms the means, sets a quota of
one 优秀, adjusts a grade with a reason, confirms, writes an opinion with a
problem, publishes (an item per problem), commends, writes the bulletin and
archives; then the bulletin downloads and opens in python-docx with the
counts and annex the grades give.

Panel deductions (n23-04-a, 1 point per missing 工作信息), member A / B:
  甲局 0 / 0 → 100;  乙局 2 / 4 → 97;  丙局 4 / 5 → 95.5;  丁办 1 / 3 → 98
Ranking 甲 100, 丁 98, 乙 97, 丙 95.5; quota 1: 甲 优秀, the rest 良好 by the
quota; the office adjusts 丙 to 合格. So 1 优秀, 2 良好, 1 合格.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pufa_flow import clock

pytestmark = pytest.mark.browser

UNITS = [("甲局", "city_department"), ("乙局", "city_department"), ("丙局", "city_department"), ("丁办", "other")]
DEDUCTIONS = {"A": {"甲局": 0, "乙局": 2, "丙局": 4, "丁办": 1}, "B": {"甲局": 0, "乙局": 4, "丙局": 5, "丁办": 3}}
PREFIX = "走查"


def at(month: int, day: int, year: int = 2026) -> datetime:
    """10:00 in Shanghai on that day."""
    return datetime(year, month, day, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def walk_world(live_server):
    """The cycle (003's timetable) with every 自评 submitted and accepted, in 实地调研; its people."""
    import sqlalchemy as sa
    from helpers import fill_self_assessment, new_cycle

    from pufa_flow.extensions import db
    from pufa_flow.models import Unit, UnitAssessment, User
    from pufa_flow.services import self_assessment, workflow

    app = live_server.app
    with app.app_context(), clock.frozen(at(10, 20)):
        office = db.session.query(User).filter_by(role="office").first()
        units = [Unit(name=PREFIX + n, kind=k, has_enforcement_power=True) for n, k in UNITS]
        db.session.add_all(units)
        db.session.flush()
        people = {}
        for username, role, name in (("walk-e1", "evaluator", "走查评委一"), ("walk-e2", "evaluator", "走查评委二"),
                                     ("walk-pa", "panel", "走查评议甲"), ("walk-pb", "panel", "走查评议乙")):
            people[username] = User(username=username, display_name=name, role=role)
            people[username].set_password(live_server.password)
        unit_users = [User(username=f"walk-unit-{i}", display_name="走查联络员", role="unit", unit_id=u.id)
                      for i, u in enumerate(units)]
        for u in unit_users:
            u.set_password(live_server.password)
        db.session.add_all([*people.values(), *unit_users])
        db.session.commit()
        cycle = new_cycle(office, units, name="走查2026年度普法责任制考评")
        workflow.fire(cycle, "start", actor=office)
        by = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment).where(
            UnitAssessment.cycle_id == cycle.id))}
        for u, user in zip(units, unit_users):
            fill_self_assessment(by[u.id], user)
            self_assessment.submit(by[u.id], actor=user)
            workflow.fire(by[u.id], "accept", actor=office)
        workflow.fire(cycle, "begin_field_research", actor=office)
        world = {"cycle_id": cycle.id, "units": {u.name[len(PREFIX):]: u.id for u in units},
                 "assessments": {u.name[len(PREFIX):]: by[u.id].id for u in units}}
        ids = [u.id for u in units]
    yield world
    import sqlalchemy as sa  # noqa: F811 - the live server is shared: retire this walk's units
    with app.app_context():
        db.session.execute(sa.update(Unit).where(Unit.id.in_(ids)).values(is_active=False))
        db.session.commit()


def _sign_out(page):
    page.context.clear_cookies()


def test_sample_to_archive_and_the_bulletin_opens(page, live_server, sign_in, screenshot, walk_world, tmp_path):
    from docx_reading import body_texts, open_docx

    cycle_id, office = walk_world["cycle_id"], live_server.users["office"][0]
    report = tmp_path / "评估报告.pdf"
    report.write_bytes(b"%PDF-1.4\n% report\n%%EOF\n")

    with clock.frozen(at(11, 9)):  # 实地调研 (11-06 … 11-25)
        sign_in(page, office)
        page.goto(f"/cycles/{cycle_id}/evaluation")
        page.fill("#quota_city_department", "2")
        page.fill("#quota_other", "1")
        page.fill("#seed", "2026")
        page.click(".sample-form button[type=submit]")
        page.wait_for_url("**/evaluation#sample")
        assert page.locator("strong.seed").inner_text() == "2026"
        sampled = [t.strip() for t in page.locator(".sample-list tbody tr td:first-child").all_inner_texts()]
        assert len(sampled) == 3 and PREFIX + "丁办" in " ".join(sampled)
        for name, leader in (("第一调研评估小组", "走查评委一"), ("第二调研评估小组", "走查评委二")):
            page.fill("#new-team-name", name)
            page.select_option("#new-team-leader", label=leader)
            page.click(".new-team button[type=submit]")
            page.wait_for_url("**/evaluation#teams")
        selects = page.locator(".assign-form select").all()
        for i, select in enumerate(selects):
            select.select_option(label="第一调研评估小组" if i % 2 == 0 else "第二调研评估小组")
        page.locator(".assign-form input[type=date]").first.fill("2026-11-12")
        page.click(".assign-form button[type=submit]")
        page.wait_for_url("**/evaluation#assignments")
        for member in ("走查评议甲", "走查评议乙"):
            for name, _ in UNITS:
                page.check(f"input[aria-label='{member}评议{PREFIX}{name}']")
        page.click(".panel-form button[type=submit]")
        page.wait_for_url("**/evaluation#panel")
        screenshot(page, "evaluation")
        _sign_out(page)

        for evaluator in ("walk-e1", "walk-e2"):
            sign_in(page, evaluator)
            page.goto("/worklist")
            page.get_by_role("link", name="发现的问题与评估报告").first.click()
            page.wait_for_url("**/field")
            page.set_input_files("input[type=file][name=file]", str(report))
            page.click(".inline-upload button[type=submit]")
            page.wait_for_url("**/field*")
            assert "评估报告.pdf" in page.content()
            _sign_out(page)

        for member, username in (("A", "walk-pa"), ("B", "walk-pb")):
            sign_in(page, username)
            for name, count in DEDUCTIONS[member].items():
                page.goto(f"/worklist/assessments/{walk_world['assessments'][name]}/score")
                if count:
                    page.check("input[name='use_n23-04-a']")
                    page.fill("input[name='count_n23-04-a']", str(count))
                page.click("[data-action=save-panel-sheet]")
                page.wait_for_url("**/score")
                assert page.locator("#my-total").inner_text() == str(100 - count)
                page.click("[data-action=submit-panel-sheet]")
                page.wait_for_url("**/score")
            screenshot(page, f"panel-{member}")
            _sign_out(page)

    with clock.frozen(at(11, 30)):  # 评估验收
        sign_in(page, office)
        page.goto(f"/cycles/{cycle_id}")
        page.click("button[data-trigger=begin_acceptance]")
        page.wait_for_load_state()
        for name in walk_world["assessments"]:
            page.goto(f"/acceptance/assessments/{walk_world['assessments'][name]}")
            page.click("[data-action=finalize]")
            page.wait_for_load_state()
        page.goto(f"/cycles/{cycle_id}/ranking")
        row = lambda name: page.locator(f"tr[data-unit='{PREFIX}{name}']")  # noqa: E731
        assert row("乙局").get_attribute("data-grade") == "excellent"
        page.fill("input[name=excellent_quota]", "1")
        page.select_option("select[name=quota_kind]", "count")
        page.click("[data-action=save-rules]")
        page.wait_for_url(f"**/cycles/{cycle_id}/ranking")
        assert [row(n).get_attribute("data-grade") for n in ("甲局", "丁办", "乙局", "丙局")] == [
            "excellent", "good", "good", "good"]
        丙 = row("丙局")
        丙.locator("summary").click()
        丙.locator("select[name=grade]").select_option("pass")
        丙.locator("textarea[name=reason]").fill("实地调研发现执法公示缺失")
        丙.locator("[data-action=adjust]").click()
        page.wait_for_url(f"**/cycles/{cycle_id}/ranking*")
        assert row("丙局").get_attribute("data-grade") == "pass"
        page.click("[data-action=confirm-grades]")
        page.wait_for_url(f"**/cycles/{cycle_id}/ranking")
        with page.expect_download() as ranking:
            page.click("#download-ranking")
        import io

        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(ranking.value.path().read_bytes())).active
        assert [(r[1], r[-2]) for r in ws.iter_rows(min_row=2, values_only=True)] == [
            (PREFIX + "甲局", "优秀"), (PREFIX + "丁办", "良好"), (PREFIX + "乙局", "良好"), (PREFIX + "丙局", "合格")]
        screenshot(page, "ranking")

        page.goto(f"/assessments/{walk_world['assessments']['丙局']}/opinion")
        page.fill("textarea[name=text]", "执法公示不全，普法台账不完整。")
        for i, (problem, requirement) in enumerate((("执法公示信息不全", "补齐执法公示信息"),)):
            page.fill(f"textarea[name=problem_{i}]", problem)
            page.fill(f"textarea[name=requirement_{i}]", requirement)
        page.click("[data-action=save-opinion]")
        page.wait_for_url("**/opinion")
        _sign_out(page)

    with clock.frozen(at(12, 28)):  # 结果运用
        sign_in(page, office)
        page.goto(f"/cycles/{cycle_id}/results")
        page.click("[data-action=publish]")
        page.wait_for_url(f"**/cycles/{cycle_id}/results")
        assert page.locator(f"tr[data-unit='{PREFIX}丙局'] a[href*='/notices/']").count() == 1
        page.select_option("select[name=kind]", "collective")
        page.select_option("select[name=unit_id]", str(walk_world["units"]["甲局"]))
        page.click("[data-action=commend]")
        page.wait_for_url(f"**/cycles/{cycle_id}/results*")
        page.click("#bulletin-text")
        page.fill("#method", "区守法普法协调小组组成督查考核组，于11月9日至13日，采取实地察看、听取汇报等方式")
        page.fill("#achievements", "（一）普法责任制工作保障不断强化。")
        page.fill("#problems", "一是少数单位执法公示不全。")
        page.fill("#next_steps", "（一）要进一步强化普法意识。")
        page.click("#bulletin-form button[type=submit]")
        assert "通报内容已保存" in page.locator(".flash-success").inner_text()
        screenshot(page, "bulletin")
        page.goto(f"/cycles/{cycle_id}/results")
        page.click("[data-action=archive]")
        page.wait_for_url(f"**/cycles/{cycle_id}/results")
        assert "已归档" in page.locator("#archived-note").inner_text()
        with page.expect_download() as download:
            page.click("#download-bulletin")
        texts = body_texts(open_docx(download.value.path().read_bytes()))
        page.goto(f"/cycles/{cycle_id}/bulletin/text")
        assert page.locator("#bulletin-form button[type=submit]").count() == 0  # archived: read-only

    opening = next(t for t in texts if "进行了督查考评" in t)
    assert opening.startswith("区守法普法协调小组组成督查考核组")
    assert ("对4个普法责任单位进行了督查考评，有1个单位评为优秀等次，有2个单位评为良好等次，有1个单位评为合格等次（见附件）"
            in opening)
    at_ = texts.index("一、优秀等次单位（1个）")
    assert texts[at_:at_ + 8] == ["一、优秀等次单位（1个）", PREFIX + "甲局", "二、良好等次单位（2个）", PREFIX + "丁办",
                                  PREFIX + "乙局", "三、合格等次单位（1个）", PREFIX + "丙局", "四、不合格等次单位（0个）"]
    assert "先进集体（1个）：" + PREFIX + "甲局。" in texts
