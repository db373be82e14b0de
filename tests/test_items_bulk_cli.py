"""`pufa-flow items bulk ACTION --ids 1,2,3 [--due-date …] [--comment/--reason …] --as USERNAME`.

The page's and the API's bulk service from the shell, as a named office account: exit 0 with the
result line; a refusal lists every refused item on stderr and exits 1 with nothing written; a
usage mistake exits 2.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.cli import main
from pufa_flow.commands import items as items_commands
from pufa_flow.converters import MAX_ID
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, OutboxMessage, RectificationItem
from pufa_flow.services import items as item_service, notices, workflow

NOON = datetime(2026, 11, 10, 4, 0)  # Tuesday 10 Nov 2026, 12:00 in Shanghai


@pytest.fixture
def world(app, make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    unit_user = make_user("unit", unit)
    with clock.frozen(datetime(2026, 11, 2, 4, 0)):
        notice = notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                        "items": [{"problem": f"问题{k}", "due_date": "2026-11-30"}
                                                  for k in range(3)]}, actor=office_user)
    first, second, issued = notice.items
    for item in (first, second):
        workflow.fire(item, "acknowledge", actor=unit_user)
        workflow.fire(item, "submit", actor=unit_user, data={"measures": "已整改"})
    return {"office": office_user, "unit_user": unit_user, "first": first, "second": second, "issued": issued}


def invoke(app, *args):
    with clock.frozen(NOON):
        return app.test_cli_runner().invoke(main, ["items", "bulk", *args])


def state() -> tuple:
    db.session.expire_all()
    table = RectificationItem.__table__
    return ([tuple(r) for r in db.session.execute(sa.select(table).order_by(table.c.id))],
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
            db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)))


def test_the_actions_match_the_service():
    assert items_commands.BULK_ACTIONS == tuple(item_service.BULK_ACTIONS)


def test_verify_as_the_named_office_account(app, world):
    first, second = world["first"], world["second"]
    result = invoke(app, "verify", "--ids", f"{first.id}, {second.id}", "--comment", "材料齐全", "--as", "office")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已对 2 条整改事项验收销号\n"
    db.session.expire_all()
    assert {db.session.get(RectificationItem, i).status for i in (first.id, second.id)} == {"closed"}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.trigger == "verify")).all()
    assert {(e.actor_id, e.comment) for e in events} == {(world["office"].id, "材料齐全")} and len(events) == 2


def test_extend_with_due_date_and_reason(app, world):
    issued = world["issued"]
    result = invoke(app, "extend", "--ids", str(issued.id), "--ids", f"{issued.id},", "--due-date", "2026-12-31",
                    "--reason", "汛期顺延", "--as", "office")
    assert result.exit_code == 0, result.output
    assert result.stdout == "已对 1 条整改事项统一延期\n"
    db.session.expire_all()
    item = db.session.get(RectificationItem, issued.id)
    assert item.due_date == date(2026, 12, 31) and item.extensions[0].reason == "汛期顺延"


def test_remind_says_what_was_sent_and_what_was_not_repeated(app, world):
    issued = world["issued"]
    first = invoke(app, "remind", "--ids", str(issued.id), "--as", "office")
    assert first.exit_code == 0 and first.stdout == "已向 1 条整改事项的责任单位发出催办（1 条消息）\n"
    again = invoke(app, "remind", "--ids", str(issued.id), "--as", "office")
    assert again.exit_code == 0 and again.stdout == f"1 条事项今天已催办过，未重复发送（#{issued.id}）\n"


def test_a_refusal_lists_each_item_on_stderr_exits_1_and_writes_nothing(app, world):
    first, issued = world["first"], world["issued"]
    before = state()
    result = invoke(app, "verify", "--ids", f"{first.id},{issued.id},{MAX_ID}", "--as", "office")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"整改事项#{issued.id} 当前状态为「已下发」，不能执行「验收销号」")
    assert lines[1] == f"整改事项#{MAX_ID}不存在"
    assert lines[2] == "Error: 2 条整改事项不能验收销号，未作任何修改"
    assert state() == before


@pytest.mark.parametrize("args,message", [
    (["verify", "--ids", "1", "--as", "nobody"], "用户不存在：nobody"),
    (["verify", "--ids", "abc", "--as", "office"], "整改事项编号应为 1 到 2147483647 之间的整数：abc"),
    (["verify", "--ids", str(MAX_ID + 1), "--as", "office"], "整改事项编号应为 1 到 2147483647 之间的整数"),
    (["verify", "--ids", ",", "--as", "office"], "请至少选择一条整改事项"),
    (["verify", "--ids", ",".join(["1"] * (item_service.MAX_BULK + 1)), "--as", "office"],
     f"一次最多选择 {item_service.MAX_BULK} 条整改事项"),
    (["extend", "--ids", "1", "--due-date", "2026-02-30", "--as", "office"], "延期后的时限不是有效日期"),
])
def test_mistakes_exit_1_with_the_reason(app, world, args, message):
    before = state()
    result = invoke(app, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert state() == before


@pytest.mark.parametrize("role", ["unit", "viewer"])
def test_only_an_office_account_may_act(app, world, make_user, role):
    user = world["unit_user"] if role == "unit" else make_user("viewer")
    before = state()
    result = invoke(app, "remind", "--ids", str(world["issued"].id), "--as", user.username)
    assert result.exit_code == 1 and "只有普法办可以批量办理整改事项" in result.stderr
    assert state() == before


def test_a_deactivated_account_may_not_act(app, world):
    world["office"].is_active_account = False
    db.session.commit()
    result = invoke(app, "remind", "--ids", str(world["issued"].id), "--as", "office")
    assert result.exit_code == 1 and "用户已停用：office" in result.stderr


@pytest.mark.parametrize("args,message", [
    (["delete", "--ids", "1", "--as", "office"], "Invalid value for '{verify|remind|extend}'"),
    (["verify", "--as", "office"], "Missing option '--ids'"),
    (["verify", "--ids", "1"], "Missing option '--as'"),
    (["extend", "--ids", "1", "--as", "office"], "extend 需要 --due-date"),
    (["verify", "--ids", "1", "--due-date", "2026-12-31", "--as", "office"], "--due-date 只用于 extend"),
])
def test_usage_mistakes_exit_2(app, world, args, message):
    result = invoke(app, *args)
    assert result.exit_code == 2 and message in result.stderr
