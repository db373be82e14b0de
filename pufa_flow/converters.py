"""Path ids bounded to what both databases store, so a huge id is a 404, not a 500.

PostgreSQL INTEGER stops at 2**31 - 1 and SQLite at 2**63 - 1; Werkzeug's
``int`` converter accepts any length of ASCII digits.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, **kwargs)


def register(app) -> None:
    app.url_map.converters["id"] = IdConverter
