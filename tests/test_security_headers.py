"""Security headers on every response, and templates that a script-src 'self' policy admits (issue 7)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pufa_flow.headers import HEADERS

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def assert_secured(response):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/login", "/", "/home", "/no-such-page", "/favicon.ico",
                                  "/static/css/app.css", "/api/v1/openapi.json", "/api/v1/units",
                                  "/api/v1/no-such-endpoint"])
def test_every_kind_of_response_carries_the_headers(client, path):
    assert_secured(client.get(path))


def test_signed_in_pages_and_errors_carry_the_headers(client, office_user, login):
    assert_secured(login(office_user))
    assert_secured(client.get("/home"))
    assert_secured(client.get("/workflows/"))
    assert_secured(client.get("/units/999999"))
    assert_secured(client.post("/logout"))


def test_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert "image" in response.headers["Content-Type"]


def _templates():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_templates_hold_no_inline_script():
    """The policy would block it: every script is a file under static/ (the check the CSP relies on)."""
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I):
            if "src=" not in match.group(1) or match.group(2).strip():
                found.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        for match in re.finditer(r"\son[a-z]+\s*=", text, re.I):
            found.append(f"{path.relative_to(TEMPLATES)}: event-handler attribute {match.group(0).strip()}")
        if re.search(r"javascript:", text, re.I):
            found.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
    assert _templates() and not found, "\n".join(found)


def test_the_scan_sees_an_inline_script(tmp_path):
    """The scan itself works: the pattern it relies on finds a planted inline script."""
    text = '<script src="/static/a.js"></script><script>alert(1)</script>'
    inline = [m for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S | re.I)
              if "src=" not in m.group(1) or m.group(2).strip()]
    assert len(inline) == 1
