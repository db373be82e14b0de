"""The README's production recipe, run: two gunicorn workers on PostgreSQL, in
production mode (secret from the environment, secure cookies, CSRF), and a
sign-in through the real form (issue 7)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL

BIN = Path(sys.executable).parent
PASSWORD = "Passw0rd1"
pytestmark = pytest.mark.postgres_only


@pytest.fixture
def database():
    name = f"pufa_gunicorn_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable PostgreSQL is a skip, with the reason
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0].replace("+psycopg", "") + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser: keeps the session cookie (Secure, so an HTTP cookie jar would drop it)."""

    def __init__(self, port: int):
        self.port, self.cookie = port, None

    def request(self, method: str, path: str, body: str | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        conn.close()
        return response, text


def wait_until_serving(port: int, process, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn exited: " + process.stderr.read().decode())
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def worker_pids(master: int) -> list[int]:
    result = subprocess.run(["ps", "--ppid", str(master), "-o", "pid="], capture_output=True, text=True)
    return [int(p) for p in result.stdout.split()]


def test_two_gunicorn_workers_on_postgresql_sign_in(database, tmp_path):
    from urllib.parse import urlencode

    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "PUFA_DATABASE_URL": database, "PUFA_SECRET_KEY": "smoke-" + uuid.uuid4().hex * 2}
    for args in (["db", "upgrade"], ["create-user", "admin", "--role", "office", "--password", PASSWORD,
                                     "--display-name", "普法办管理员"]):
        result = subprocess.run([str(BIN / "pufa-flow"), *args], env=env, cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    port = free_port()
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
                                "pufa_flow:create_app()"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving(port, process)
        browser = Browser(port)
        response, html = browser.request("GET", "/login")
        assert response.status == 200
        assert "script-src 'self'" in response.getheader("Content-Security-Policy")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        form = urlencode({"csrf_token": token, "username": "admin", "password": PASSWORD})
        response, _ = browser.request("POST", "/login", form)
        assert response.status == 302 and response.getheader("Location") == "/home"
        for _ in range(6):  # whichever worker answers, the session holds
            response, html = browser.request("GET", "/home")
            assert response.status == 200 and "普法办管理员" in html
        assert len(worker_pids(process.pid)) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
