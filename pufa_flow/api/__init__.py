"""The JSON API under /api/v1: bearer tokens, one error envelope, OpenAPI."""
from __future__ import annotations

from . import auth, base, cycles, notices, transitions, units, users  # noqa: F401  (registers the endpoints)
from . import imports  # noqa: F401  (POST /units/import)
from . import attachments  # noqa: F401  (GET /attachments/<id>/content)
from . import calendar  # noqa: F401  (the working-day calendar)
from . import evaluation  # noqa: F401  (实地调研 set-up: sample, teams, panel)
from . import reminders  # noqa: F401  (inbox, outbox, item timelines)
from . import self_assessment  # noqa: F401  (frameworks, the 自评 workspace, exports)
from . import filings  # noqa: F401  (yearly filings, issue 13)
from . import rectification  # noqa: F401  (inspections, import, evidence, overdue)
from . import panel  # noqa: F401  (worklists, panel score sheets, final scores, findings)
from . import results  # noqa: F401  (grading rules, ranking, opinions, publish, commendations, archive)
from . import results_docs  # noqa: F401  (the bulletin's texts, ranking and panel workbooks)
from .spec import api_bp


def init_app(app) -> None:
    from ..extensions import csrf

    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF does not apply
    # Flask 3 ignores the JSON_AS_ASCII setting; the provider attribute is what counts
    app.json.ensure_ascii = bool(app.config.get("JSON_AS_ASCII", False))
    app.register_blueprint(api_bp)
