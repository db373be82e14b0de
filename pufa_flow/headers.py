"""Security headers on every response (pages, API, files, errors).

The policy admits scripts from this site only: templates hold no inline
script and no event-handler attribute (a test scans them). Inline styles stay
allowed because Mermaid writes its diagram styles into the SVG it draws.
Framing is refused twice: ``frame-ancestors`` for current browsers and
X-Frame-Options for old ones still found on office PCs.
"""
from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app) -> None:
    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
