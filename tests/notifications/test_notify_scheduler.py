"""The scheduler: its jobs, and one active copy across real processes."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifications.calendar import ChineseCalendarWorkdays
from notifications.locks import FileLock, PostgresAdvisoryLock, advisory_key, lock_for
from notifications.policy import SHANGHAI
from notifications.scheduler import DELIVER, DIGEST, SWEEP, build_scheduler

CHILD = Path(__file__).with_name("scheduler_child.py")
PG_URL = os.environ.get("PUFA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def test_jobs_intervals_and_misfire_settings():
    sched = build_scheduler(sweep=lambda now: None, deliver=lambda now: None, digest=lambda now: None,
                            calendar=ChineseCalendarWorkdays(), sweep_every=timedelta(minutes=5))
    assert isinstance(sched, BlockingScheduler) and str(sched.timezone) == "Asia/Shanghai"
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {SWEEP, DELIVER, DIGEST}
    assert isinstance(jobs[SWEEP].trigger, IntervalTrigger) and jobs[SWEEP].trigger.interval == timedelta(minutes=5)
    assert jobs[DELIVER].trigger.interval == timedelta(minutes=1)
    assert isinstance(jobs[DIGEST].trigger, CronTrigger)
    assert str(jobs[DIGEST].trigger) == "cron[hour='8', minute='30']"
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 60


def test_digest_runs_only_on_working_days_and_jobs_get_shanghai_now():
    calls = []
    clock = {"now": datetime(2026, 10, 10, 8, 30, tzinfo=SHANGHAI)}  # the make-up Saturday
    sched = build_scheduler(sweep=lambda now: calls.append(("sweep", now)), deliver=lambda now: None,
                            digest=lambda now: calls.append(("digest", now)), calendar=ChineseCalendarWorkdays(),
                            clock=lambda: clock["now"])
    digest, sweep = sched.get_job(DIGEST).func, sched.get_job(SWEEP).func
    digest()
    clock["now"] = datetime(2026, 10, 11, 8, 30, tzinfo=SHANGHAI)  # Sunday
    digest()
    clock["now"] = datetime(2026, 10, 3, 8, 30, tzinfo=SHANGHAI)  # National Day
    digest()
    sweep()
    clock["now"] = datetime(2026, 10, 12, 2, 0, tzinfo=SHANGHAI)  # started at night: not yet
    digest()
    clock["now"] = datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI)  # started mid-morning: today's digest
    digest()
    assert calls == [("digest", datetime(2026, 10, 10, 8, 30, tzinfo=SHANGHAI)),
                     ("sweep", datetime(2026, 10, 3, 8, 30, tzinfo=SHANGHAI)),
                     ("digest", datetime(2026, 10, 12, 10, 0, tzinfo=SHANGHAI))]
    assert sched.get_job(DIGEST).next_run_time is not None  # the catch-up run at start
    with pytest.raises(ValueError):
        build_scheduler(sweep=print, deliver=print, digest=print)


def test_file_lock_is_exclusive_and_released(tmp_path):
    a, b = FileLock(tmp_path / "s.lock"), FileLock(tmp_path / "s.lock")
    assert a.try_acquire() and a.is_held() and a.holder_pid() == os.getpid()
    assert not b.try_acquire()
    a.release()
    assert b.try_acquire()
    b.release()


def test_lock_for_picks_by_database(tmp_path):
    assert isinstance(lock_for("sqlite:///x.db", tmp_path), FileLock)
    assert isinstance(lock_for("postgresql://u@h/db", tmp_path), PostgresAdvisoryLock)
    assert advisory_key() == advisory_key("pufa-flow scheduler") and -2**63 <= advisory_key() < 2**63


# -- real processes -----------------------------------------------------------------------------
def spawn(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, timeout=5.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {predicate.__doc__ or predicate}")


def tick_pids(ticks: Path) -> list[int]:
    return [int(line) for line in ticks.read_text().split()] if ticks.exists() else []


def one_works_then_the_other_takes_over(procs, ticks: Path):
    """Two copies at once: ticks from one pid only; SIGKILL it → the other ticks; SIGTERM → exit 0."""
    try:
        wait_for(lambda: len(tick_pids(ticks)) >= 5, timeout=8)
        time.sleep(0.5)
        pids = set(tick_pids(ticks))
        assert len(pids) == 1, pids
        [first] = [p for p in procs if p.pid in pids]
        [second] = [p for p in procs if p is not first]
        assert second.poll() is None  # waiting, not dead
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=5)
        wait_for(lambda: second.pid in tick_pids(ticks), timeout=5)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
        err = second.stderr.read()
        assert "等待调度器锁" in err and "已取得调度器锁" in err and "收到信号 SIGTERM" in err
        assert "调度器已停止" in err
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=5)
            p.stdout.close()
            p.stderr.close()


def test_two_copies_file_lock(tmp_path):
    ticks = tmp_path / "ticks"
    procs = [spawn("file", tmp_path / "scheduler.lock", ticks) for _ in range(2)]
    one_works_then_the_other_takes_over(procs, ticks)


def postgres_or_skip():
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")


@pytest.mark.postgres_only
def test_two_copies_postgres_advisory_lock(tmp_path):
    postgres_or_skip()
    key = random.randrange(-2**63, 2**63)  # never the real key: other runs share the server
    ticks = tmp_path / "ticks"
    procs = [spawn("pg", PG_URL, ticks, key) for _ in range(2)]
    one_works_then_the_other_takes_over(procs, ticks)


@pytest.mark.postgres_only
def test_losing_the_advisory_lock_stops_the_scheduler(tmp_path):
    postgres_or_skip()
    key = random.randrange(-2**63, 2**63)
    ticks = tmp_path / "ticks"
    proc = spawn("pg", PG_URL, ticks, key)
    try:
        wait_for(lambda: tick_pids(ticks), timeout=8)
        probe = PostgresAdvisoryLock(PG_URL, key)
        assert not probe.try_acquire()  # held by the child
        engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:  # an administrator kills the child's session
            killed = conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                " AND classid::bigint = ((:k >> 32) & 4294967295) AND objid::bigint = (:k & 4294967295)"),
                {"k": key}).scalars().all()
        engine.dispose()
        assert killed == [True]
        code = proc.wait(timeout=5)
        err = proc.stderr.read()
        assert code == 3, err
        assert "调度器锁已丢失" in err
        assert probe.try_acquire()
        probe.release()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


def test_sigterm_while_waiting_for_the_lock_exits_cleanly(tmp_path):
    holder = FileLock(tmp_path / "scheduler.lock")
    assert holder.try_acquire()
    proc = spawn("file", tmp_path / "scheduler.lock", tmp_path / "ticks")
    try:
        # waiting means its signal handlers are in place (a fixed sleep was not enough on a busy machine)
        seen = []
        while not any("等待调度器锁" in line for line in seen):
            line = proc.stderr.readline()
            assert line, "".join(seen)
            seen.append(line)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not (tmp_path / "ticks").exists()
        assert "未取得锁即停止" in proc.stderr.read()
    finally:
        holder.release()
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()


def test_sigterm_lets_the_batch_in_flight_finish(tmp_path):
    ticks = tmp_path / "ticks"
    log = tmp_path / "ticks.deliver"
    proc = subprocess.Popen([sys.executable, str(CHILD), "file", str(tmp_path / "scheduler.lock"), str(ticks)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PUFA_CHILD_SLOW": "1.0"})
    try:
        wait_for(lambda: log.exists() and "start" in log.read_text(), timeout=8)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=8) == 0
        assert log.read_text().split() == ["start", "end"]
        after = FileLock(tmp_path / "scheduler.lock")
        assert after.try_acquire()  # released on the way out
        after.release()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
