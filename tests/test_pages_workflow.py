"""The workflow pages: buttons from the machine, forms through the service."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from helpers import IN_SELF_ASSESSMENT, fill_self_assessment, new_cycle, new_notice, walk_item

from pufa_flow import clock

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Cycle, RectificationItem
from pufa_flow.services import notices
from workflows import WORKFLOWS

BUTTON = re.compile(r'data-trigger="([a-z_-]+)"')


@pytest.fixture
def world(make_unit, make_user, office_user):
    unit, other = make_unit("区司法局"), make_unit("区财政局")
    unit_user = make_user("unit", unit)
    notice = new_notice(office_user, unit, n_items=2)
    return {"unit": unit, "other": other, "unit_user": unit_user, "office": office_user,
            "item": notice.items[0], "notice": notice}


def buttons(html: str) -> list[str]:
    return BUTTON.findall(html)


def test_item_page_shows_exactly_the_allowed_buttons(client, login, world):
    item = world["item"]
    login(world["unit_user"])
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert buttons(html) == item.allowed_triggers("unit") == ["acknowledge"]
    assert "已下发" in html and "问题1" in html


def test_pressing_a_button_fires_the_trigger(client, login, world):
    item = world["item"]
    login(world["unit_user"])
    r = client.post(f"/transitions/item/{item.id}", data={"trigger": "acknowledge", "version": item.version},
                    follow_redirects=True)
    assert "已签收" in r.get_data(as_text=True) and "整改中" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "in_progress"
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert buttons(html) == ["submit", "request_extension"]


def test_a_refused_button_explains_in_chinese_and_changes_nothing(client, login, world):
    item = world["item"]
    login(world["unit_user"])
    r = client.post(f"/transitions/item/{item.id}", data={"trigger": "verify"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "不能执行「验收销号」" in html or "无权执行「验收销号」" in html
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "issued"


def test_submit_without_measures_is_refused_with_a_field_message(client, login, world):
    item = world["item"]
    walk_item(item, world["unit_user"], world["office"], "in_progress")
    login(world["unit_user"])
    r = client.post(f"/transitions/item/{item.id}", data={"trigger": "submit"}, follow_redirects=True)
    assert "整改措施不能为空" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "in_progress"


def test_stale_form_is_a_conflict_not_an_overwrite(client, login, world):
    item = world["item"]
    login(world["unit_user"])
    stale = item.version
    walk_item(item, world["unit_user"], world["office"], "in_progress")
    r = client.post(f"/transitions/item/{item.id}", data={"trigger": "request_extension", "version": stale,
                                                           "comment": "x", "new_due_date": "2099-01-01"},
                    follow_redirects=True)
    assert "已被他人修改" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "in_progress"


def test_other_units_items_are_404_on_pages_and_forms(client, login, world, make_user):
    login(make_user("unit", world["other"]))
    item = world["item"]
    assert client.get(f"/items/{item.id}").status_code == 404
    assert client.post(f"/transitions/item/{item.id}", data={"trigger": "acknowledge"}).status_code == 404
    assert client.get(f"/history/item/{item.id}").status_code == 404
    assert client.get(f"/notices/{world['notice'].id}").status_code == 404
    assert "区司法局" not in client.get("/items/").get_data(as_text=True)


def test_office_can_force_a_guarded_phase_change_with_a_reason(client, login, world):
    cycle = new_cycle(world["office"], [])
    login(world["office"])
    html = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert buttons(html) == ["start-force"] and "已纳入考评单位" in html
    r = client.post(f"/transitions/cycle/{cycle.id}", data={"trigger": "start", "force": "1"}, follow_redirects=True)
    assert "须填写" in r.get_data(as_text=True)
    client.post(f"/transitions/cycle/{cycle.id}", data={"trigger": "start", "force": "1", "comment": "名单待补"})
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).status == "self_assessment"
    html = client.get(f"/history/cycle/{cycle.id}").get_data(as_text=True)
    assert "名单待补" in html and "强制" in html and "草拟 → 自评" in html


def test_history_page_lists_moves_with_labels(client, login, world):
    item = world["item"]
    walk_item(item, world["unit_user"], world["office"], "closed")
    login(world["unit_user"])
    html = client.get(f"/history/item/{item.id}").get_data(as_text=True)
    assert html.index("签收") < html.index("提交整改") < html.index("验收销号")
    assert "待验收 → 已销号" in html


FRIDAY, MONDAY = date(2026, 11, 20), date(2026, 11, 23)  # working days with a weekend between


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0)  # 12:00 in Shanghai


def _notice_due(office, unit, *dues):
    """A notice issued on 2 November whose items are due on ``dues``, in that order."""
    items = [{"problem": f"问题{i}", "requirement": "要求", "due_date": due.isoformat(), "category": "archives"}
             for i, due in enumerate(dues, start=1)]
    with clock.frozen(_noon(date(2026, 11, 2))):
        return notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                      "items": items}, actor=office)


def test_overdue_filter_and_badge(client, login, world):
    """Due Friday: not overdue on Friday, 3 days overdue on Monday; due Monday: not overdue on Monday."""
    late, on_time = _notice_due(world["office"], world["unit"], FRIDAY, MONDAY).items
    login(world["office"])
    with clock.frozen(_noon(FRIDAY)):
        assert f"/items/{late.id}\"" not in client.get("/items/?overdue=1").get_data(as_text=True)
        assert "badge overdue" not in client.get(f"/items/{late.id}").get_data(as_text=True)
    with clock.frozen(_noon(MONDAY)):
        html = client.get("/items/?overdue=1").get_data(as_text=True)
        assert f"/items/{late.id}\"" in html and f"/items/{on_time.id}\"" not in html
        # the badge counts working days (issue 10): Friday's deadline is 1 working day late on Monday
        assert "逾期 1 个工作日" in client.get(f"/items/{late.id}").get_data(as_text=True)
        assert "badge overdue" not in client.get(f"/items/{on_time.id}").get_data(as_text=True)
        home = client.get("/home").get_data(as_text=True)
    tile = re.search(r'<a class="tile alert"[^>]*overdue=1"><span class="figure">(\d+)</span>', home)
    assert tile and tile.group(1) == "1"  # the alert tile counts the one overdue item


def test_diagram_page_is_drawn_from_the_definitions(client, login, world):
    login(world["unit_user"])
    html = client.get("/workflows/").get_data(as_text=True)
    for wf in WORKFLOWS.values():
        for label in wf.definition.states.values():
            assert label in html
        for t in wf.definition.transitions:
            assert t.label in html
    assert "/static/vendor/mermaid/mermaid.min.js" in html and "stateDiagram" in html
    with client.get("/static/vendor/mermaid/mermaid.min.js") as script:
        assert script.status_code == 200 and b"mermaid" in script.data[:5000]


def test_diagram_page_names_the_comment_as_each_transition_labels_it(client, login, world):
    import html as html_lib

    login(world["office"])
    page = client.get("/workflows/").get_data(as_text=True)
    seen = set()
    for name, wf in WORKFLOWS.items():
        section = page.split(f'id="wf-{name}"')[1].split("</section>")[0]
        rows = {html_lib.unescape(row.split("</td>")[0]): row for row in section.split("<tr><td>")[1:]}
        for t in wf.definition.transitions:
            row = rows[f'{t.label} <code class="trigger-id" title="接口与命令行中的操作名">{t.trigger}</code>']
            conditions = row.split("<td>")[-1]
            if t.requires_comment:
                assert f"须填写{t.comment_label}" in conditions, (name, t.trigger, conditions)
                seen.add(t.comment_label)
            else:
                assert "须填写" not in conditions, (name, t.trigger)
    assert {"意见", "理由"} <= seen  # both wordings occur, so the test would see a fixed word


def test_assessment_page_buttons_follow_the_role(client, login, world, make_user):
    cycle = new_cycle(world["office"], [world["unit"]])
    from pufa_flow.services import workflow
    workflow.fire(cycle, "start", actor=world["office"])
    a = cycle.assessments.first()
    login(world["unit_user"])
    assert buttons(client.get(f"/cycles/assessments/{a.id}").get_data(as_text=True)) == ["submit"]
    with clock.frozen(IN_SELF_ASSESSMENT):
        r = client.post(f"/transitions/assessment/{a.id}", data={"trigger": "submit"}, follow_redirects=True)
        assert "还缺：自测得分表、自评报告、问题清单" in r.get_data(as_text=True)
        fill_self_assessment(a, world["unit_user"])
        r = client.post(f"/transitions/assessment/{a.id}", data={"trigger": "submit"}, follow_redirects=True)
    assert "已提交" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.trigger == "submit")) == 1


def test_unit_home_lists_its_own_deadlines_and_the_office_sees_overdue_by_unit(client, login, world, make_user):
    late, soon = _notice_due(world["office"], world["unit"], FRIDAY, MONDAY).items
    new_notice(world["office"], world["other"], n_items=1)  # another unit's item must not show
    login(world["unit_user"])
    with clock.frozen(_noon(MONDAY)):
        html = client.get("/home").get_data(as_text=True)
    assert html.index(f"/items/{late.id}") < html.index(f"/items/{soon.id}\"") < html.index(
        f"/items/{world['item'].id}\"")  # nearest deadline first
    assert html.count('class="overdue-row"') == 1 and "逾期 1 个工作日" in html  # only the item due Friday (working days, issue 10)
    own = {late.id, soon.id, *(i.id for i in world["notice"].items)}
    assert set(re.findall(r'href="/items/(\d+)"', html)) == {str(i) for i in own}
    client.post("/logout")
    login(world["office"])
    with clock.frozen(_noon(FRIDAY)):
        assert "逾期事项最多的单位" not in client.get("/home").get_data(as_text=True)  # nothing overdue yet
    with clock.frozen(_noon(MONDAY)):
        html = client.get("/home").get_data(as_text=True)
    assert "逾期事项最多的单位" in html and f"unit_id={world['unit'].id}" in html and "1 项" in html
    assert f"/items/{late.id}" in html and f"/items/{soon.id}\"" not in html
