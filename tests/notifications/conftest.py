"""Fixtures for the engine's tests: local SMTP and HTTP servers (see notify_servers.py)."""
from __future__ import annotations

import pytest
from notify_servers import FakeHttp, SmtpServer


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_http():
    server = FakeHttp()
    yield server
    server.close()
