"""The one store for uploaded files.

Two steps, because a file cannot be part of a database transaction:

1. ``store_upload`` checks the bytes and writes them under a random name,
   BEFORE the transaction (a failure here leaves nothing in the database);
2. ``link`` adds the ``attachments`` row INSIDE the caller's transaction.

If that transaction rolls back, the file stays on disk with no row: an
orphan, removed by ``pufa-flow attachments clean-orphans``.

Types are decided by content (magic bytes, and for the zip-based office
formats by the parts inside the zip), never by the extension alone: the
extension must agree with what the bytes are. Allowed: pdf, doc/docx,
xls/xlsx, jpg/jpeg, png, zip, plus wps (WPS 文字, an OLE2 file like doc) and
ofd (the Chinese fixed-layout format for official documents, a zip holding
OFD.xml): both are what government offices send.
"""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..errors import ValidationFailed
from ..extensions import db
from ..models import Attachment

#: extension -> content type sent with the download
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "zip": "application/zip",
    "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "png": "image/png",
}
ALLOWED_EXTENSIONS = frozenset(CONTENT_TYPES)
#: what the bytes are -> the extensions a file of that content may carry
EXTENSIONS_BY_KIND = {
    "pdf": {"pdf"}, "ole2": {"doc", "xls", "wps"}, "docx": {"docx", "zip"}, "xlsx": {"xlsx", "zip"},
    "ofd": {"ofd", "zip"}, "zip": {"zip"}, "jpeg": {"jpg", "jpeg"}, "png": {"png"},
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class StoredFile:
    """A file written to the upload folder, not yet linked (see ``link``)."""
    stored_name: str
    original_name: str
    size: int
    content_type: str
    sha256: str
    unit_id: int | None
    uploader_id: int | None


def detect_kind(data: bytes) -> str | None:
    """What the bytes are (a key of EXTENSIONS_BY_KIND), or None if not an allowed type."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_OLE2):
        return "ole2"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "docx"
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "xlsx"
        if "OFD.xml" in names:
            return "ofd"
        return "zip"
    return None


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _clean_name(filename: str) -> str:
    """The user's name kept as shown (Chinese included), minus any path and control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255]


def _read(file_or_bytes) -> bytes:
    if isinstance(file_or_bytes, (bytes, bytearray)):
        return bytes(file_or_bytes)
    stream = getattr(file_or_bytes, "stream", file_or_bytes)
    limit = max_upload_bytes()
    data = stream.read(limit + 1)
    return data


def max_upload_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 10 * 1024 * 1024)


def upload_folder() -> Path:
    folder = Path(current_app.config["PUFA_UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_upload(file_or_bytes, filename: str | None = None, *, unit_id: int | None, uploader) -> StoredFile:
    """Check and write one upload; call BEFORE the transaction that links it.

    ``file_or_bytes`` is a werkzeug FileStorage (its filename is used unless
    ``filename`` is given), a binary stream, or bytes. ValidationFailed with
    a Chinese message for an empty, too large, unnamed or disallowed file.
    """
    filename = _clean_name(filename or getattr(file_or_bytes, "filename", None) or "")
    if not filename:
        raise ValidationFailed({"file": "缺少文件名"}, "请选择要上传的文件")
    ext = _extension(filename)
    if ext not in ALLOWED_EXTENSIONS:
        allowed = "、".join(sorted(ALLOWED_EXTENSIONS))
        raise ValidationFailed({"file": f"不支持的文件类型：{ext}"}, f"不支持的文件类型“{ext or '无扩展名'}”，只接受：{allowed}")
    data = _read(file_or_bytes)
    if not data:
        raise ValidationFailed({"file": "文件为空"}, "文件为空")
    limit = max_upload_bytes()
    if len(data) > limit:
        raise ValidationFailed({"file": "文件过大"}, f"文件超过 {limit // (1024 * 1024)} MB 的上限")
    kind = detect_kind(data)
    if kind is None or ext not in EXTENSIONS_BY_KIND[kind]:
        raise ValidationFailed({"file": "文件内容与扩展名不符"}, f"文件“{filename}”的内容与扩展名 .{ext} 不符，请上传真实的 {ext} 文件")
    stored_name = secrets.token_hex(16)
    folder = upload_folder()
    partial = folder / f".{stored_name}.part"
    partial.write_bytes(data)
    os.replace(partial, folder / stored_name)
    return StoredFile(stored_name=stored_name, original_name=filename, size=len(data),
                      content_type=CONTENT_TYPES[ext], sha256=hashlib.sha256(data).hexdigest(),
                      unit_id=unit_id, uploader_id=getattr(uploader, "id", None))


def link(stored: StoredFile, owner_type: str, owner_id: int) -> Attachment:
    """The attachments row for a stored file; call INSIDE the caller's transaction."""
    row = Attachment(stored_name=stored.stored_name, original_name=stored.original_name,
                     size=stored.size, content_type=stored.content_type, sha256=stored.sha256,
                     unit_id=stored.unit_id, uploader_id=stored.uploader_id,
                     owner_type=owner_type, owner_id=owner_id)
    db.session.add(row)
    db.session.flush()
    return row


def attachments_of(owner_type: str, owner_id: int) -> sa.Select:
    """The attachments of one object (narrow further with scoping.scope for a user)."""
    return (sa.select(Attachment)
            .where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
            .order_by(Attachment.id))


def path_of(attachment: Attachment) -> Path:
    return upload_folder() / attachment.stored_name


def clean_orphans(*, older_than_hours: float = 24, dry_run: bool = False) -> list[str]:
    """Remove files (and interrupted .part files) that no attachments row names.

    Only files older than ``older_than_hours``: a younger one may belong to
    an upload whose transaction has not committed yet.
    """
    folder = upload_folder()
    cutoff = datetime.now(timezone.utc) - timedelta(hours=older_than_hours)
    known = set(db.session.scalars(sa.select(Attachment.stored_name)))
    removed = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name in known:
            continue
        if datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) > cutoff:
            continue
        removed.append(path.name)
        if not dry_run:
            path.unlink(missing_ok=True)
    return removed
