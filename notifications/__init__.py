"""Notification engine: reminder policy, channels, delivery, scheduler wiring.

Plain Python: never imports pufa_flow or Flask. The application writes
outbox rows (pufa_flow.models.outbox) in the transaction of the change that
causes them, keeps each open deadline's next reminder time in its own table,
and calls into this package:

- ``notifications.policy``: ladders as data (``DEFAULT_POLICY``, editable
  through ``Policy.to_dict`` / ``Policy.from_dict``), the pure planner
  (``plan``, ``due``, ``next_due``), quiet hours (``next_allowed_time``) and
  the digest's working-day guard (``is_digest_time``);
- ``notifications.calendar``: the ``Workdays`` protocol the planner needs
  (the app passes its calendar service) and a chinesecalendar adapter;
- ``notifications.channels``: ``Message``, ``Provider``, ``DeliveryResult``,
  ``DeliveryError`` and ``build_registry(config)`` (email, SMS, 企业微信 and
  钉钉 robots; the app adds its in-app provider under ``IN_APP``);
- ``notifications.delivery``: ``RetryPolicy`` and ``deliver_batch``, which
  sends a claimed batch outside any transaction and returns ``Outcome``\\ s;
- ``notifications.scheduler`` and ``notifications.locks``: the APScheduler
  process and its one-active-copy lock;
- ``notifications.mailsink``: a local SMTP server writing ``.eml`` files, for the demo.
"""
