"""Downloads named for a person: 整改通知书-区司法局-〔2026〕3号.docx, sent with an RFC 6266 Content-Disposition.

Werkzeug's send_file writes ``filename*=UTF-8''…`` (RFC 5987) next to an ASCII
``filename=`` fallback when the name is not ASCII, which every current browser
reads; this module only builds the name and strips what a file system refuses.
"""
from __future__ import annotations

import io
import re

from .builder import DOCX_MIME

_UNSAFE = re.compile('[\\\\/:*?"<>|\x00-\x1f\x7f\ufffe\uffff\ud800-\udfff]+')


def download_filename(kind: str, *parts: str, ext: str = "docx") -> str:
    """``download_filename("整改通知书", "区司法局", "〔2026〕3号")`` → 整改通知书-区司法局-〔2026〕3号.docx."""
    pieces = [_UNSAFE.sub("_", str(p or "")).strip(" ._") for p in (kind, *parts)]
    name = "-".join(p for p in pieces if p) or "document"
    return f"{name[:120]}.{ext}"


def docx_response(data: bytes, filename: str):
    from flask import send_file

    response = send_file(io.BytesIO(data), mimetype=DOCX_MIME, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
