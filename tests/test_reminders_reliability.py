"""Issue 9's reliability list, on the database half: real SMTP down then up, an
SMS gateway that fails then answers, a scheduler SIGKILLed mid-batch, and two
schedulers at once. (Two days down and National Day are in test_reminders_sweep.)"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from reminders_support import add_contacts, issue_item, local, rows

from pufa_flow.clock import utcnow_naive
from pufa_flow.extensions import db
from pufa_flow.models import OutboxAttempt, OutboxMessage
from pufa_flow.services.reminders import deliver, sweep

sys.path.insert(0, str(Path(__file__).parent / "notifications"))
from notify_servers import FakeHttp, SmtpServer, free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PUFA = str(ROOT / ".venv" / "bin" / "pufa-flow")
DUE = date(2026, 11, 20)
SWEPT = local(2026, 11, 13, 9, 5)  # five working days before: a reminder on every channel


@pytest.fixture
def item(app, make_unit, office_user):
    unit = make_unit("区司法局")
    add_contacts(unit, leader=False, principal=False)
    return issue_item(office_user, unit, DUE, local(2026, 11, 2, 10))


def _attempts(message_id):
    return db.session.scalars(sa.select(OutboxAttempt).where(OutboxAttempt.message_id == message_id)
                              .order_by(OutboxAttempt.id)).all()


def _use_channels(app, **settings):
    app.config.update(settings)
    app.extensions.pop("pufa_channels", None)


def test_real_smtp_down_then_up_delivers_once(app, item):
    server = SmtpServer()  # its port, nobody listening yet
    _use_channels(app, PUFA_SMTP_HOST="127.0.0.1", PUFA_SMTP_PORT=str(server.port),
                  PUFA_MAIL_FROM="普法办 <pufaban@example.cn>")
    sweep(SWEPT)
    report = deliver(SWEPT + timedelta(minutes=1))
    mail = rows(OutboxMessage.channel == "email")[0]
    assert report.retried == 1 and mail.status == "pending" and mail.attempts == 1
    server.start()
    try:
        deliver(SWEPT + timedelta(minutes=1, seconds=30))  # the retry is not due yet
        assert server.handler.envelopes == []
        deliver(SWEPT + timedelta(minutes=3))
        deliver(SWEPT + timedelta(minutes=30))
    finally:
        server.stop()
    db.session.refresh(mail)
    assert mail.status == "sent" and len(server.handler.envelopes) == 1
    envelope = server.handler.envelopes[0]
    assert envelope.rcpt_tos == ["wangmin@example.cn"]
    assert mail.provider_message_id and mail.provider_message_id.encode() in envelope.content
    assert [a.status for a in _attempts(mail.id)] == ["retry", "sent"]
    assert "无法连接" in _attempts(mail.id)[0].error or "连接" in _attempts(mail.id)[0].error


def test_sms_gateway_500_then_timeout_then_success(app, item):
    gateway = FakeHttp()
    try:
        _use_channels(app, PUFA_SMS_BACKEND="http", PUFA_SMS_HTTP_URL=gateway.url + "/sms",
                      PUFA_SMS_HTTP_SECRET="s3cret", PUFA_SMS_HTTP_TIMEOUT="0.5")
        gateway.script = [500, ("sleep", 1.2)]
        sweep(SWEPT)
        sms = rows(OutboxMessage.channel == "sms")[0]
        deliver(SWEPT + timedelta(minutes=1))
        deliver(SWEPT + timedelta(minutes=3))
        deliver(SWEPT + timedelta(minutes=10))
        deliver(SWEPT + timedelta(minutes=40))
        db.session.refresh(sms)
        log = _attempts(sms.id)
        assert sms.status == "sent" and sms.provider_message_id == "gw-1"
        assert [a.status for a in log] == ["retry", "retry", "sent"]
        assert "HTTP 500" in log[0].error and "超时" in log[1].error
        bodies = [json.loads(r["body"]) for r in gateway.requests]
        assert len(bodies) == 3 and {b["request_id"] for b in bodies} == {f"outbox-{sms.id}"}
        assert bodies[0]["phone"] == "13800138000" and bodies[0]["template"] == "rectification_due"
    finally:
        gateway.close()


# -- the scheduler process ----------------------------------------------------------
def _env(app, tmp_path, **extra):
    env = dict(os.environ, PUFA_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], PUFA_SECRET_KEY="x",
               PUFA_SCHEDULER_LOCK_DIR=str(tmp_path / "locks"), PUFA_ENV="production")
    env.pop("PUFA_SMTP_HOST", None)
    env.update(extra)
    return env


def _start(env, log):
    return subprocess.Popen([PUFA, "scheduler", "--deliver-seconds", "1", "--sweep-minutes", "60"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)


def _wait(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _queue_robot_messages(url, n):
    now = utcnow_naive() - timedelta(minutes=1)
    db.session.execute(sa.insert(OutboxMessage.__table__), [
        {"key": f"robot:{i}", "channel": "wecom", "recipient": url, "recipient_role": "liaison", "kind": "test",
         "local_day": date(2026, 11, 21), "subject": f"消息{i}", "body": "整改提醒", "object_type": "item",
         "object_id": i, "status": "pending", "created_at": now, "send_after": now, "attempts": 0}
        for i in range(n)])
    db.session.commit()


@pytest.mark.usefixtures("app")
def test_sigkill_mid_batch_then_restart_delivers_each_once(app, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("one process test is enough; the PostgreSQL lock is the engine's test")
    gateway = FakeHttp()
    gateway.script = [("sleep", 0.4)] * 30
    try:
        _queue_robot_messages(gateway.url + "/robot", 8)
        env = _env(app, tmp_path, PUFA_DELIVERY_LEASE_SECONDS="2")
        with open(tmp_path / "first.log", "wb") as log:
            first = _start(env, log)
            assert _wait(lambda: len(gateway.requests) >= 3), (tmp_path / "first.log").read_text()
            first.send_signal(signal.SIGKILL)
            first.wait()
        with open(tmp_path / "second.log", "wb") as log:
            second = _start(env, log)
            try:
                def all_sent():
                    db.session.expire_all()
                    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                             .where(OutboxMessage.status == "sent")) == 8
                assert _wait(all_sent), (tmp_path / "second.log").read_text()
            finally:
                second.send_signal(signal.SIGTERM)
                assert second.wait(timeout=20) == 0
    finally:
        gateway.close()
    subjects = [json.loads(r["body"])["markdown"]["content"].splitlines()[0] for r in gateway.requests]
    twice = {s for s in subjects if subjects.count(s) > 1}
    assert set(subjects) == {f"### 消息{i}" for i in range(8)}
    assert len(twice) <= 1 and len(subjects) - 8 <= 1  # at most the one in flight went again
    expired = db.session.scalars(sa.select(OutboxAttempt).where(OutboxAttempt.status == "expired")).all()
    assert len(expired) == len(twice)  # ...and the log says so
    if twice:
        message = db.session.get(OutboxMessage, expired[0].message_id)
        assert f"### {message.subject}" in twice


@pytest.mark.usefixtures("app")
def test_two_schedulers_one_works_the_other_takes_over(app, backend, tmp_path):
    if backend != "sqlite":
        pytest.skip("the file lock is SQLite's; the advisory lock is tested in tests/notifications")
    env = _env(app, tmp_path)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    handles = [open(p, "wb") for p in logs]
    procs = [_start(env, handles[0]), _start(env, handles[1])]
    try:
        got = lambda p: "已取得调度器锁" in p.read_text()  # noqa: E731
        assert _wait(lambda: any(got(p) for p in logs))
        time.sleep(1.5)
        holders = [i for i, p in enumerate(logs) if got(p)]
        assert len(holders) == 1, [p.read_text() for p in logs]
        first, other = holders[0], 1 - holders[0]
        assert "等待调度器锁" in logs[other].read_text()
        procs[first].send_signal(signal.SIGKILL)
        procs[first].wait()
        assert _wait(lambda: got(logs[other]), seconds=20), logs[other].read_text()
        assert procs[other].poll() is None
        procs[other].send_signal(signal.SIGTERM)
        assert procs[other].wait(timeout=20) == 0
        assert "调度器已停止，锁已释放" in logs[other].read_text()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for h in handles:
            h.close()
