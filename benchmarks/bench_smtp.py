"""Email delivery to a local SMTP server (aiosmtpd on loopback), messages/s.

* ``smtp.batch``: ``SmtpEmail.send_many`` over one connection for the whole
  batch, as ``notifications.delivery.deliver_batch`` sends a claimed batch:
  2,000 Chinese reminder mails with text and HTML parts (500 at --scale small).
* ``smtp.connection_each`` (the baseline): ``SmtpEmail.send`` per message,
  a new connection each, for a tenth as many messages (the ratio extrapolates).

Target (issue 9): at least 200 messages a second. The server runs in this
process (its own thread and event loop), so the figure includes the
server's share of the two cores; a real relay elsewhere only makes it better.
No database: the backend column says ``loopback``.
"""
from __future__ import annotations

import gc
import socket
import time

from notifications.channels import DeliveryError, Message
from notifications.channels.email import SmtpEmail

NAME = "smtp"
TARGET = 200.0


class CountingHandler:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def messages(n: int) -> list[Message]:
    return [Message(recipient=f"liaison{i}@unit{i % 50}.gov.cn", key=f"bench-{i}",
                    subject=f"【整改提醒】第 {i} 项整改事项还有 2 个工作日到期",
                    text=f"您单位的整改事项“档案管理不规范（第 {i} 项）”将于 2026年10月12日 到期，请及时报送整改情况。",
                    html=f"<p>您单位的整改事项<b>档案管理不规范（第 {i} 项）</b>将于 2026年10月12日 到期。</p>",
                    link=f"http://127.0.0.1:5000/rectification/items/{i}") for i in range(n)]


def run(ctx):
    from aiosmtpd.controller import Controller

    from .context import Result

    handler = CountingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = SmtpEmail("127.0.0.1", port, sender="pufa@example.gov.cn")
        n = ctx.size(2000, 500)
        batch = messages(n)
        smtp.send_many(batch[:50])  # warm-up: imports, the server's first session
        times = []
        for i in range(ctx.repeat):
            before = handler.count
            gc.collect()
            started = time.perf_counter()
            out = smtp.send_many(batch)
            times.append(time.perf_counter() - started)
            failed = [o for o in out if isinstance(o, DeliveryError)]
            if failed or handler.count - before != n:
                raise RuntimeError(f"{len(failed)} failed, server got {handler.count - before} of {n}: {failed[:1]}")
            ctx.log(f"smtp.batch [loopback] run {i + 1}: {times[-1]:.3f} s ({n / times[-1]:,.0f} messages/s)")
        each_n = max(20, n // 10)
        each_times = []
        for i in range(ctx.repeat):
            started = time.perf_counter()
            for message in batch[:each_n]:
                smtp.send(message)
            each_times.append(time.perf_counter() - started)
            ctx.log(f"smtp.connection_each [loopback] run {i + 1}: {each_times[-1]:.3f} s")
    finally:
        controller.stop()

    batch_result = Result(name="smtp.batch", backend="loopback", n=n, times=times, unit="messages",
                          baseline="smtp.connection_each",
                          note="SmtpEmail.send_many: one SMTP connection per batch, text + HTML, Chinese subject")
    rate = batch_result.ops_per_s
    batch_result.extra["summary"] = f"{rate:,.0f} messages/s, ≥{TARGET:.0f}/s: {'yes' if rate >= TARGET else 'NO'}"
    print(f"bench_smtp: {rate:,.0f} messages/s (one connection per batch of {n})", flush=True)
    return [batch_result,
            Result(name="smtp.connection_each", backend="loopback", n=each_n, times=each_times, unit="messages",
                   note="SmtpEmail.send per message: a new connection each")]
