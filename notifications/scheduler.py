"""The scheduler process: APScheduler 3.x, one active copy, clean shutdown.

The app hands in plain callables that each take the job's ``now`` (aware,
Asia/Shanghai) and do their own unit of work (push an app context, call the
service, commit): the same functions its CLI commands call. Reminders are
rows, not jobs: the jobs here are only the periodic sweep, the delivery and
the office's digest, kept in memory (nothing to share between processes).

Misfires are coalesced (a scheduler that was stopped or busy runs a job once,
not once per missed run); each job runs one instance at a time. A second
copy of the process waits on the lock (``run_scheduler``) and takes over when
the first dies.
"""
from __future__ import annotations

import logging
import signal
import threading
import time as _time
from collections.abc import Callable
from datetime import datetime, time, timedelta

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notifications.calendar import Workdays
from notifications.locks import SchedulerLock
from notifications.policy import SHANGHAI, Digest, is_digest_time

log = logging.getLogger(__name__)

Job = Callable[[datetime], object]

#: job ids, for the app's status page
SWEEP, DELIVER, DIGEST, LOCK_CHECK = "reminders.sweep", "reminders.deliver", "reminders.digest", "scheduler.lock"


def _now() -> datetime:
    return datetime.now(SHANGHAI)


def _call(name: str, job: Job, clock: Callable[[], datetime]) -> Callable[[], None]:
    def run() -> None:
        now = clock()
        log.debug("%s at %s", name, now.isoformat())
        job(now)
    run.__name__ = run.__qualname__ = name
    return run


def build_scheduler(*, sweep: Job, deliver: Job, digest: Job | None = None, calendar: Workdays | None = None,
                    sweep_every: timedelta = timedelta(minutes=5), deliver_every: timedelta = timedelta(minutes=1),
                    digest_at: time = time(8, 30), clock: Callable[[], datetime] = _now) -> BlockingScheduler:
    """A BlockingScheduler (Asia/Shanghai, not started) with the three jobs.

    ``digest`` runs at ``digest_at`` every day and once at start, but only
    calls the app's function on working days of ``calendar`` (the cron
    cannot know 调休) once ``digest_at`` has come; the app's digest must be
    idempotent per local day (its outbox key does that).
    Grace times: a job that could not start on time (the process was busy or
    the machine asleep) still runs within one period, once.
    """
    scheduler = BlockingScheduler(timezone=SHANGHAI, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 60})
    scheduler.add_job(_call(SWEEP, sweep, clock), IntervalTrigger(seconds=sweep_every.total_seconds(),
                                                                 timezone=SHANGHAI),
                      id=SWEEP, name="提醒扫描", next_run_time=clock(), coalesce=True, max_instances=1,
                      misfire_grace_time=max(1, int(sweep_every.total_seconds())))
    scheduler.add_job(_call(DELIVER, deliver, clock), IntervalTrigger(seconds=deliver_every.total_seconds(),
                                                                     timezone=SHANGHAI),
                      id=DELIVER, name="消息投递", next_run_time=clock(), coalesce=True, max_instances=1,
                      misfire_grace_time=max(1, int(deliver_every.total_seconds())))
    if digest is not None:
        if calendar is None:
            raise ValueError("the digest needs the working-day calendar")

        def digest_on_workdays(now: datetime) -> None:
            if is_digest_time(now, calendar, Digest(at=digest_at)):
                digest(now)
            else:
                log.info("每日汇总：%s 不是工作日或未到 %s，跳过", now.isoformat(), digest_at.strftime("%H:%M"))

        # also once at start: a scheduler started at 10:00 on a working day still
        # sends today's digest (the app's outbox key, by local day, keeps it to one)
        scheduler.add_job(_call(DIGEST, digest_on_workdays, clock),
                          CronTrigger(hour=digest_at.hour, minute=digest_at.minute, timezone=SHANGHAI),
                          id=DIGEST, name="每日汇总", next_run_time=clock(), misfire_grace_time=3 * 3600,
                          coalesce=True, max_instances=1)
    return scheduler


class _StopRequest:
    """Set by the signal handler, read by a watcher thread.

    A signal handler runs in the main thread between two bytecodes, maybe
    while that thread holds one of APScheduler's or logging's locks: it must
    not log, wait or take a lock, so it only sets this attribute.
    """

    def __init__(self, event: threading.Event | None):
        self.signum: int | None = None
        self.event = event

    def __call__(self, signum, frame) -> None:
        self.signum = signum

    @property
    def requested(self) -> bool:
        return self.signum is not None or (self.event is not None and self.event.is_set())

    def sleep(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as a stop is requested."""
        deadline = _time.monotonic() + seconds
        while not self.requested:
            left = deadline - _time.monotonic()
            if left <= 0:
                return False
            _time.sleep(min(left, 0.05))
        return True


def run_scheduler(scheduler: BlockingScheduler, lock: SchedulerLock, *, poll_seconds: float = 5.0,
                  lock_check_seconds: float = 30.0, install_signals: bool = True,
                  stop: threading.Event | None = None) -> int:
    """Wait for the lock (polling), then run ``scheduler`` until SIGTERM/SIGINT
    (or ``stop`` is set), or until the lock is lost. Returns the process exit
    code: 0 after a clean stop, 3 when the lock was lost (a supervisor should
    start it again).

    On a stop, the jobs in flight finish first (a delivery batch is not cut
    in the middle), then the lock is released.
    """
    request = _StopRequest(stop)
    lost = threading.Event()
    if install_signals:
        signal.signal(signal.SIGTERM, request)
        signal.signal(signal.SIGINT, request)

    log.info("等待调度器锁：%s", lock.description)
    while not lock.try_acquire():
        if request.sleep(poll_seconds):
            log.info("未取得锁即停止")
            return 0
    log.info("已取得调度器锁，开始运行")
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            if request.requested:
                if request.signum is not None:
                    log.info("收到信号 %s，停止调度器", signal.Signals(request.signum).name)
                if scheduler.running:
                    scheduler.shutdown(wait=True)  # waits for the jobs in flight, then ends start()
                return
            finished.wait(0.05)

    def check_lock() -> None:
        if not lock.is_held():
            log.error("调度器锁已丢失（%s），停止运行", lock.description)
            lost.set()
            scheduler.shutdown(wait=False)

    def stopped_before_start(event) -> None:  # a stop requested between the lock and start()
        if request.requested:
            scheduler.shutdown(wait=False)

    watcher = threading.Thread(target=watch, name="scheduler-stop-watcher", daemon=True)
    try:
        scheduler.add_job(check_lock, IntervalTrigger(seconds=lock_check_seconds, timezone=SHANGHAI),
                          id=LOCK_CHECK, name="检查调度器锁", replace_existing=True)
        scheduler.add_listener(stopped_before_start, EVENT_SCHEDULER_STARTED)
        if not request.requested:
            watcher.start()
            scheduler.start()  # blocks until shutdown
    finally:
        finished.set()
        if watcher.is_alive():
            watcher.join()
        lock.release()
        log.info("调度器已停止，锁已释放")
    return 3 if lost.is_set() else 0


def serve(database_url: str, lock_dir, *, lock_key: int | None = None, poll_seconds: float = 5.0,
          lock_check_seconds: float = 30.0, **jobs) -> int:
    """What ``pufa-flow scheduler`` runs: the right lock for the database
    (``locks.lock_for``), the scheduler from ``jobs`` (``build_scheduler``'s
    keywords), and ``run_scheduler``; returns the exit code."""
    from notifications.locks import lock_for

    return run_scheduler(build_scheduler(**jobs), lock_for(database_url, lock_dir, lock_key),
                         poll_seconds=poll_seconds, lock_check_seconds=lock_check_seconds)
