"""`pufa-flow reminders run/deliver/preview` with a chosen clock."""
from __future__ import annotations

from datetime import date

import pytest
from reminders_support import add_contacts, issue_item, local, recorders, rows

from pufa_flow.cli import main
from pufa_flow.models import OutboxMessage


@pytest.fixture
def runner(app):
    """The real `pufa-flow` group, in the test's app."""
    base = app.test_cli_runner()

    class Runner:
        def invoke(self, args):
            return base.invoke(main, args)
    return Runner()


@pytest.fixture
def item(app, make_unit, office_user):
    unit = make_unit("区司法局")
    add_contacts(unit, leader=False, principal=False)
    return issue_item(office_user, unit, date(2026, 10, 12), local(2026, 9, 25, 10))


def test_run_dry_run_prints_lines_and_writes_nothing(runner, item):
    result = runner.invoke(args=["reminders", "run", "--now", "2026-09-29T09:30", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("将加入发送队列 3 条")
    assert len(lines) == 4 and all("before_5" in line and f"整改事项#{item.id}" in line for line in lines[:3])
    assert rows() == []
    result = runner.invoke(args=["reminders", "run", "--now", "2026-09-29T09:30"])
    assert result.output.strip().splitlines()[-1].startswith("已加入发送队列 3 条")
    assert len(rows()) == 3
    again = runner.invoke(args=["reminders", "run", "--now", "2026-09-29T09:31"])
    assert again.output.strip().splitlines() == ["已加入发送队列 0 条（查看了 0 个到期时限）"]


def test_deliver_sends_what_is_due(app, runner, item):
    channels = recorders(app)
    runner.invoke(args=["reminders", "run", "--now", "2026-09-29T09:30"])
    result = runner.invoke(args=["reminders", "deliver", "--now", "2026-09-29T09:31"])
    assert result.exit_code == 0 and "已发送 3 条" in result.output
    assert [m.recipient for m in channels["sms"].sent] == ["13800138000"]
    assert {m.status for m in rows(OutboxMessage.object_id == item.id)} == {"sent"}


def test_preview_prints_the_timeline(runner, item):
    result = runner.invoke(args=["reminders", "preview", str(item.id), "--now", "2026-09-28T12:00"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "计划 2026-09-29 09:00 截止前 5 个工作日 → 联络员 王敏 短信 13800138000" in out
    assert "计划 2026-10-10 09:00 截止前 1 个工作日" in out  # the Saturday make-up day
    assert "分管领导（未登记联系人）" in out


def test_bad_input_is_a_clear_message(runner, item):
    result = runner.invoke(args=["reminders", "run", "--now", "昨天"])
    assert result.exit_code == 2 and "时间格式不正确" in result.output
    result = runner.invoke(args=["reminders", "preview", "999999"])
    assert result.exit_code == 1 and "整改事项不存在" in result.output
