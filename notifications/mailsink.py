"""A local mail sink for the demo: an aiosmtpd server that writes each message
it receives to a folder (``instance/mail/*.eml``), so a newcomer can open what
the reminders said. ``python -m notifications.mailsink --dir instance/mail``.
"""
from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
import time
from pathlib import Path

_counter = itertools.count(1)


class FolderHandler:
    """aiosmtpd handler: one .eml file per message, named by arrival time."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server, session, envelope):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{os.getpid()}-{next(_counter):05d}.eml"
        tmp = path.with_suffix(".part")
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.replace(path)  # a reader never sees half a message
        return "250 Message accepted for delivery"


def start_mail_sink(folder: str | os.PathLike, host: str = "127.0.0.1", port: int = 8025):
    """Start the sink in a background thread; returns the aiosmtpd Controller (``.stop()``)."""
    from aiosmtpd.controller import Controller

    controller = Controller(FolderHandler(folder), hostname=host, port=port)
    controller.start()
    return controller


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m notifications.mailsink", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", default="instance/mail", help="where the .eml files go (default instance/mail)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args(argv)
    stop = threading.Event()
    # before the line that says we are up: a SIGTERM right after it must stop us cleanly
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    controller = start_mail_sink(args.dir, args.host, args.port)
    print(f"邮件收集器：smtp://{args.host}:{args.port} → {os.path.abspath(args.dir)}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
