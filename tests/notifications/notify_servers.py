"""Local servers for the channel tests: a real aiosmtpd SMTP server and a
scriptable HTTP server, both on 127.0.0.1 with a free port. The fixtures are
in conftest.py; tests import the classes from here (tests/notifications is
not a package: its name would shadow the engine's)."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingHandler:
    """aiosmtpd handler keeping every envelope and the sessions they came on."""

    def __init__(self):
        self.envelopes = []
        self.sessions = []
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class FakeHttp:
    """Answers each POST with the next step of ``script``: an int status,
    ("sleep", seconds) then 200, or a (status, json) pair; records every request."""

    def __init__(self):
        self.script: list = []
        self.requests: list[dict] = []
        self.default = (200, {"errcode": 0, "id": "gw-1"})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                      "at": time.time()})
                step = fake.script.pop(0) if fake.script else fake.default
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                    step = fake.default
                status, payload = (step, {}) if isinstance(step, int) else step
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout case)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
