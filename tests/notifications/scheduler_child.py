"""A scheduler process for the lock tests: ``python scheduler_child.py file|pg TARGET TICKS [KEY]``.

Its sweep appends "<pid>" to TICKS every 0.1 s; it waits for the lock every 0.1 s.
With PUFA_CHILD_SLOW=<seconds> the delivery job instead writes "start", sleeps,
then writes "end" to TICKS + ".deliver" (a batch in flight at SIGTERM).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from notifications.scheduler import serve  # noqa: E402


def main() -> int:
    kind, target, ticks = sys.argv[1:4]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=f"{os.getpid()} %(message)s")
    # file: TARGET is <dir>/scheduler.lock, as lock_for() names it; pg: TARGET is the URL
    url, lock_dir = ("sqlite:///unused.db", Path(target).parent) if kind == "file" else (target, None)
    key = int(sys.argv[4]) if kind == "pg" else None

    def sweep(now):
        with open(ticks, "a") as f:
            f.write(f"{os.getpid()}\n")

    slow = float(os.environ.get("PUFA_CHILD_SLOW", 0))

    def deliver(now):
        if slow:
            with open(ticks + ".deliver", "a") as f:
                f.write("start\n")
            time.sleep(slow)
            with open(ticks + ".deliver", "a") as f:
                f.write("end\n")

    return serve(url, lock_dir, lock_key=key, poll_seconds=0.1, lock_check_seconds=0.2,
                 sweep=sweep, deliver=deliver, sweep_every=timedelta(seconds=0.1), deliver_every=timedelta(seconds=5))


if __name__ == "__main__":
    sys.exit(main())
