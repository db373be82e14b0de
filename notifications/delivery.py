"""Delivery logic that needs no database: back-off, and sending a claimed batch.

The app owns the outbox table. Its delivery job (one transaction each side
of the network):

1. claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), marks them
   ``sending`` with a lease, commits;
2. calls ``deliver_batch(batch, registry, now=…)`` here, outside any
   transaction: every message is sent, nothing is written;
3. records each ``Outcome`` (an attempt row; the outbox row to ``sent``, back
   to ``pending`` with ``next_attempt_at``, or ``failed``) and commits.

A row whose lease ran out while ``sending`` (the process died mid-batch) is
claimed again: at most that one message may go twice, and the attempt log
shows it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from notifications.calendar import Workdays
from notifications.channels.base import DeliveryError, DeliveryResult, Message, ProviderRegistry
from notifications.policy import QuietHours, next_allowed_time

SENT, RETRY, FAILED, DEFERRED = "sent", "retry", "failed", "deferred"


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n failed → wait ``delays[n-1]``; after ``max_attempts`` give up.

    Defaults: 1, 5, 15 minutes, 1, 3 and 6 hours: seven attempts over about
    ten hours, so a mail server down for the night is retried into the morning.
    """

    delays: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15),
                                     timedelta(hours=1), timedelta(hours=3), timedelta(hours=6))
    max_attempts: int = 7

    def next_attempt(self, attempts: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts`` failed attempts; None: give up."""
        if attempts < 1:
            raise ValueError("attempts counts the attempts made, from 1")
        if attempts >= self.max_attempts:
            return None
        delay = self.delays[min(attempts, len(self.delays)) - 1]
        return now + delay

    def lease(self) -> timedelta:
        """How long a claimed row stays ``sending`` before another worker may
        take it: longer than any provider's timeout times a batch."""
        return timedelta(minutes=10)


@dataclass(frozen=True)
class Outgoing:
    """One claimed outbox row, as the engine needs it."""

    #: the app's outbox id (anything hashable)
    key: object
    channel: str
    message: Message
    #: attempts already made before this one
    attempts: int = 0


@dataclass(frozen=True)
class Outcome:
    key: object
    channel: str
    #: SENT, RETRY (try again at ``next_attempt_at``), FAILED (gave up or
    #: permanent), DEFERRED (quiet hours: not attempted, due at ``next_attempt_at``)
    status: str
    #: this attempt's number (1 for the first); unchanged for DEFERRED
    attempt: int
    started_at: datetime
    finished_at: datetime
    provider: str = ""
    provider_message_id: str | None = None
    error: str | None = None
    retryable: bool | None = None
    next_attempt_at: datetime | None = None

    @property
    def attempted(self) -> bool:
        return self.status != DEFERRED


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def deliver_batch(batch: Iterable[Outgoing], registry: ProviderRegistry, *, now: datetime | None = None,
                  retry: RetryPolicy = RetryPolicy(), calendar: Workdays | None = None,
                  quiet: QuietHours = QuietHours(), clock: Callable[[], datetime] = _utcnow) -> list[Outcome]:
    """Send every message of a claimed batch; one ``Outcome`` per item, in order.

    ``now`` is the job's logical time (for quiet hours and the retry times);
    ``clock`` stamps each attempt's wall time. With a ``calendar``, channels
    under quiet hours (SMS at night, on non-working days) are not attempted
    but DEFERRED to the next allowed time. Messages of one channel go through
    the provider's ``send_many`` (one SMTP connection for all the mail).
    Never raises for a delivery failure; a missing provider is a FAILED outcome.
    """
    items: Sequence[Outgoing] = list(batch)
    now = now or clock()
    outcomes: dict[int, Outcome] = {}
    by_channel: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        if calendar is not None and item.channel in quiet.channels:
            allowed = next_allowed_time(now, calendar, quiet, item.channel)
            if allowed > now:
                outcomes[i] = Outcome(item.key, item.channel, DEFERRED, item.attempts, now, now,
                                      next_attempt_at=allowed)
                continue
        by_channel[item.channel].append(i)

    for channel, indexes in by_channel.items():
        provider = registry.get(channel)
        if provider is None:
            for i in indexes:
                item = items[i]
                stamp = clock()
                outcomes[i] = Outcome(item.key, channel, FAILED, item.attempts + 1, stamp, stamp,
                                      error=f"没有配置“{channel}”渠道", retryable=False)
            continue
        started = clock()
        try:
            results = provider.send_many([items[i].message for i in indexes])
        except Exception as exc:  # noqa: BLE001 - a provider bug must not lose the batch
            results = [DeliveryError(f"{exc.__class__.__name__}: {exc}", retryable=True, provider=provider.name)
                       for _ in indexes]
        finished = clock()
        for i, result in zip(indexes, results):
            outcomes[i] = _outcome(items[i], result, started, finished, now, retry, provider.name)
    return [outcomes[i] for i in range(len(items))]


def _outcome(item: Outgoing, result: DeliveryResult | DeliveryError, started: datetime, finished: datetime,
             now: datetime, retry: RetryPolicy, provider: str) -> Outcome:
    attempt = item.attempts + 1
    if isinstance(result, DeliveryResult):
        return Outcome(item.key, item.channel, SENT, attempt, started, finished,
                       provider=result.provider or provider, provider_message_id=result.provider_message_id)
    next_at = retry.next_attempt(attempt, now) if result.retryable else None
    return Outcome(item.key, item.channel, RETRY if next_at else FAILED, attempt, started, finished,
                   provider=result.provider or provider, error=str(result), retryable=result.retryable,
                   next_attempt_at=next_at)
