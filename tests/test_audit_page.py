"""The audit log page reads as Chinese (issue 7): labels not codes, changes as
"字段：旧值 → 新值", forced steps flagged; times in Asia/Shanghai."""
from __future__ import annotations

from datetime import datetime

from pufa_flow.clock import frozen
from pufa_flow.extensions import db
from pufa_flow.services import users as user_service
from pufa_flow.services.workflow import fire

from tests.helpers import new_cycle, new_notice, walk_item


def test_transitions_read_as_labels_with_changes_and_forced_flag(client, login, office_user, make_unit, make_user):
    unit = make_unit("区司法局")
    unit_user = make_user("unit", unit=unit, username="sifaju")
    notice = new_notice(office_user, unit, n_items=1)
    item = walk_item(notice.items[0], unit_user, office_user, "submitted")
    db.session.commit()
    login(office_user)
    html = client.get("/audit/").get_data(as_text=True)
    assert "issued → in_progress" not in html and "(acknowledge)" not in html
    assert '{"changes"' not in html and "&#34;changes&#34;" not in html
    assert "待签收" in html or "已下发" in html
    assert "整改措施：— → 已建立档案" in html
    assert item.status == "submitted"


def test_a_forced_step_is_flagged(client, login, office_user, make_unit):
    unit = make_unit("区司法局")
    cycle = new_cycle(office_user, [unit])
    fire(cycle, "start", actor=office_user)
    allowed = cycle.allowed_triggers("office")
    from pufa_flow.services.workflow import guarded_transitions

    forced = guarded_transitions(cycle, "office", allowed)
    assert forced, "a cycle in 自评 with a unit not submitted can only be forced on"
    trigger = forced[0].trigger if hasattr(forced[0], "trigger") else forced[0]
    fire(cycle, trigger, actor=office_user, force=True, comment="逾期单位已书面说明")
    db.session.commit()
    login(office_user)
    html = client.get("/audit/").get_data(as_text=True)
    assert ">强制</span>" in html and "逾期单位已书面说明" in html
    assert "自评 → 实地调研" in html or "自评" in html and "实地调研" in html


def test_user_changes_read_with_labels(client, login, office_user, make_user):
    reader = make_user("viewer", username="reader")
    make_user("office", username="office2")
    user_service.update_user(reader, {"role": "evaluator", "display_name": "张评委"}, actor=office_user)
    login(office_user)
    html = client.get("/audit/").get_data(as_text=True)
    assert "角色：领导查阅 → 评委会成员" in html
    assert "姓名：— → 张评委" in html
    assert "修改用户" in html


def test_times_are_shown_in_asia_shanghai(client, login, office_user, make_unit):
    """A notice issued at 00:10 in Beijing (16:10 UTC the day before) shows 00:10, that day."""
    unit = make_unit("区司法局")
    with frozen(datetime(2026, 11, 4, 16, 10)):
        notice = new_notice(office_user, unit, n_items=1)
        db.session.commit()
    login(office_user)
    assert "2026-11-05 00:10" in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    audit = client.get("/audit/").get_data(as_text=True)
    assert "2026-11-05 00:10" in audit and "2026-11-04 16:10" not in audit


def test_an_unlock_shows_the_lock_time_in_asia_shanghai(client, login, office_user, make_user):
    from datetime import datetime

    reader = make_user("viewer", username="reader")
    reader.locked_until = datetime(2026, 11, 4, 16, 25)  # UTC
    db.session.commit()
    user_service.unlock(reader, actor=office_user)
    login(office_user)
    html = client.get("/audit/").get_data(as_text=True)
    assert "锁定至：2026-11-05 00:25" in html
