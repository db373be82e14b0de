"""The JSON API under /api/v1: bearer tokens, one error envelope, OpenAPI."""
from __future__ import annotations

from . import auth, base, cycles, notices, transitions, units, users  # noqa: F401  (registers the endpoints)
from . import imports  # noqa: F401  (POST /units/import)
from .spec import api_bp


def init_app(app) -> None:
    from ..extensions import csrf

    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF does not apply
    app.register_blueprint(api_bp)
