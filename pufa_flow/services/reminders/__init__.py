"""Reminders until closed: the database half of issue 9.

- ``schedule.replan(obj)``: keep an object's next-reminder rows in step with
  its state and deadline (called on every transition, on issue, and by
  anyone who moves a deadline);
- ``sweep.sweep(now)``: the due rows of the next-reminder table → outbox rows;
- ``delivery.deliver(now)``: the due outbox rows → the channels, with a lease;
- ``digest.digest(now)``: the office's daily summary;
- ``timeline.preview(item)``: what will go to whom, when, beside what went.

The policy, the planner and the channels are ``notifications``' (no Flask);
this package reads and writes the tables around them.
"""
from .delivery import deliver, resend
from .digest import digest
from .schedule import replan, replan_all
from .sweep import sweep
from .timeline import preview

__all__ = ["deliver", "digest", "preview", "replan", "replan_all", "resend", "sweep"]
