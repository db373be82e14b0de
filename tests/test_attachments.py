"""The one store for uploaded files: content-checked, sized, linked inside the
caller's transaction, cleaned when orphaned, served only under the row policy."""
from __future__ import annotations

import hashlib
import io
import os
import struct
import time
import zlib
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from docx import Document
from helpers import assign, new_cycle
from openpyxl import Workbook

from pufa_flow.cli import main
from pufa_flow.errors import ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import Attachment
from pufa_flow.services import attachments
from pufa_flow.services.transaction import transaction


# -- real files of each kind -------------------------------------------------------
def docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("关于普法责任制落实情况的自评报告")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["单位名称", "得分"])
    book.active.append(["区司法局", 95])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_bytes(names: dict[str, bytes]) -> bytes:
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run in DOS mode"


def files_on_disk(app) -> set[str]:
    folder = attachments.upload_folder()
    return {p.name for p in folder.iterdir()}


def store(data: bytes, name: str, unit=None, uploader=None):
    return attachments.store_upload(data, name, unit_id=getattr(unit, "id", None), uploader=uploader)


# -- type checked by content ------------------------------------------------------------
@pytest.mark.parametrize("name, data, content_type", [
    ("2023年度自评报告.docx", docx_bytes(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("得分汇总表.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("现场照片.png", png_bytes(), "image/png"),
    ("整改报告.pdf", PDF, "application/pdf"),
    ("佐证材料.zip", zip_bytes({"会议记录.txt": "记录".encode()}), "application/zip"),
    ("旧版报告.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "application/msword"),
    ("照片.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
])
def test_real_files_of_allowed_types_are_accepted(app, make_unit, office_user, name, data, content_type):
    unit = make_unit()
    stored = store(data, name, unit, office_user)
    assert stored.content_type == content_type and stored.size == len(data)
    assert (attachments.upload_folder() / stored.stored_name).read_bytes() == data


@pytest.mark.parametrize("name, data", [
    ("自评报告.pdf", EXE),                      # a program renamed .pdf
    ("自评报告.docx", EXE),
    ("自评报告.docx", xlsx_bytes()),            # a workbook is not a Word file
    ("得分表.xlsx", docx_bytes()),
    ("照片.png", PDF),
    ("报告.pdf", png_bytes()),
    ("报告.docx", zip_bytes({"word/document.xml": b"<w/>"})),  # a zip, but not an OOXML package
    ("报告.xlsx", b"PK\x03\x04 not really a zip"),
    ("报告.doc", PDF),
])
def test_content_that_does_not_match_the_extension_is_refused(app, name, data):
    before = files_on_disk(app)
    with pytest.raises(ValidationFailed) as info:
        store(data, name)
    assert "内容与扩展名" in info.value.message and info.value.fields == {"file": "文件内容与扩展名不符"}
    assert files_on_disk(app) == before  # nothing written


@pytest.mark.parametrize("name, message", [
    ("setup.exe", "不支持的文件类型“exe”"),
    ("报告.pdf.exe", "不支持的文件类型“exe”"),
    ("无扩展名", "无扩展名"),
    ("script.html", "不支持的文件类型“html”"),
])
def test_disallowed_extensions_are_refused_before_reading(app, name, message):
    with pytest.raises(ValidationFailed) as info:
        store(PDF, name)
    assert message in info.value.message and "pdf" in info.value.message  # the allow-list is named


def test_empty_and_unnamed_files_are_refused(app):
    with pytest.raises(ValidationFailed, match="文件为空"):
        store(b"", "空文件.pdf")
    with pytest.raises(ValidationFailed) as info:
        store(PDF, "   ")
    assert info.value.fields == {"file": "缺少文件名"}
    assert files_on_disk(app) == set()


# -- size -------------------------------------------------------------------------------
def test_the_size_limit_counts_bytes_not_what_the_client_claims(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # 1 MB
    exactly = b"%PDF-1.4\n" + b"0" * (1024 * 1024 - 9)
    assert store(exactly, "正好一兆.pdf").size == 1024 * 1024
    with pytest.raises(ValidationFailed) as info:
        store(exactly + b"0", "超出一个字节.pdf")
    assert info.value.fields == {"file": "文件过大"} and "1 MB" in info.value.message
    stream = io.BytesIO(exactly + b"0" * 4096)  # a stream is read no further than the limit + 1
    with pytest.raises(ValidationFailed, match="上限"):
        store(stream, "流.pdf")
    assert stream.tell() == 1024 * 1024 + 1
    assert len(files_on_disk(app)) == 1


# -- what is stored --------------------------------------------------------------------
def test_sha256_size_uploader_unit_and_the_chinese_name_are_stored(app, make_unit, make_user):
    unit = make_unit("区司法局")
    uploader = make_user("unit", unit)
    data = docx_bytes()
    stored = store(data, "C:\\Users\\张敏\\桌面\\2023年度 普法责任制自评报告（定稿）.docx", unit, uploader)
    with transaction():
        row = attachments.link(stored, "notice", 7)
    db.session.expire_all()
    row = db.session.get(Attachment, row.id)
    assert row.original_name == "2023年度 普法责任制自评报告（定稿）.docx"  # the path is dropped, the name kept
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
    assert (row.unit_id, row.uploader_id, row.owner_type, row.owner_id) == (unit.id, uploader.id, "notice", 7)
    assert row.stored_name != row.original_name and len(row.stored_name) == 32
    assert "张敏" not in row.stored_name and (attachments.upload_folder() / row.stored_name).read_bytes() == data
    assert list(db.session.scalars(attachments.attachments_of("notice", 7))) == [row]


def test_two_uploads_of_the_same_bytes_get_two_files(app):
    first, second = store(PDF, "a.pdf"), store(PDF, "a.pdf")
    assert first.stored_name != second.stored_name and first.sha256 == second.sha256


# -- orphans ------------------------------------------------------------------------------
def _age(app, name: str, hours: float) -> None:
    path = attachments.upload_folder() / name
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, ["attachments", "clean-orphans", *args])


def _orphan_and_linked(app, unit):
    """One file whose transaction rolled back (an orphan) and one linked, both a day and a half old."""
    orphan = store(PDF, "回滚的上传.pdf", unit)
    with pytest.raises(RuntimeError):
        with transaction():
            attachments.link(orphan, "notice", 1)
            raise RuntimeError("the operation failed after the upload")
    kept = store(PDF, "已保存的上传.pdf", unit)
    with transaction():
        attachments.link(kept, "notice", 1)
    assert db.session.scalars(sa.select(Attachment.stored_name)).all() == [kept.stored_name]
    for name in (orphan.stored_name, kept.stored_name):
        _age(app, name, 36)
    return orphan, kept


def test_clean_orphans_removes_files_of_rolled_back_transactions_and_keeps_linked_ones(app, cli, make_unit):
    orphan, kept = _orphan_and_linked(app, make_unit())
    result = cli()
    assert result.exit_code == 0, result.output
    assert orphan.stored_name in result.output and kept.stored_name not in result.output
    assert "已删除 1 个孤儿文件" in result.output
    assert files_on_disk(app) == {kept.stored_name}


def test_clean_orphans_dry_run_lists_and_deletes_nothing(app, cli, make_unit):
    orphan, kept = _orphan_and_linked(app, make_unit())
    result = cli("--dry-run")
    assert result.exit_code == 0, result.output
    assert orphan.stored_name in result.output and "将删除 1 个孤儿文件" in result.output
    assert files_on_disk(app) == {orphan.stored_name, kept.stored_name}


def test_clean_orphans_spares_young_files_and_removes_interrupted_parts(app, cli, make_unit):
    orphan, kept = _orphan_and_linked(app, make_unit())
    young = store(PDF, "刚上传、尚未提交.pdf")  # its transaction may still be running
    part = attachments.upload_folder() / ".0123abcd.part"
    part.write_bytes(b"%PDF-1.4 half")
    _age(app, part.name, 25)
    assert cli().exit_code == 0
    assert files_on_disk(app) == {kept.stored_name, young.stored_name}
    assert cli("--older-than-hours", "0").exit_code == 0
    assert files_on_disk(app) == {kept.stored_name}
    refused = cli("--older-than-hours", "-1")
    assert refused.exit_code != 0 and files_on_disk(app) == {kept.stored_name}


# -- downloads ------------------------------------------------------------------------------
@pytest.fixture
def attached(app, make_unit, make_user, office_user):
    """A unit's file and another unit's, linked to notices, plus users of every role."""
    mine, theirs = make_unit("区司法局"), make_unit("区财政局")
    cycle = new_cycle(office_user, [mine, theirs])
    rows = {}
    for key, unit, name in (("mine", mine, "2023年度 自评报告（定稿）.docx"), ("theirs", theirs, "财政局自评报告.pdf"),
                            ("office", None, "普法办通知.pdf")):
        stored = store(docx_bytes() if name.endswith("docx") else PDF, name, unit)
        with transaction():
            rows[key] = attachments.link(stored, "notice", 1)
    users = {"office": office_user, "viewer": make_user("viewer"), "unit": make_user("unit", mine),
             "evaluator": make_user("evaluator"), "panel": make_user("panel")}
    assign(users["evaluator"], cycle, [mine])
    assign(users["panel"], cycle, [mine])
    return rows, users


def test_download_sends_the_bytes_with_the_chinese_name_rfc5987(client, login, attached):
    rows, users = attached
    login(users["unit"])
    response = client.get(f"/attachments/{rows['mine'].id}")
    assert response.status_code == 200
    assert response.data == (attachments.upload_folder() / rows["mine"].stored_name).read_bytes()
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    disposition.encode("latin-1")  # a header must be ASCII/latin-1: the Chinese name travels encoded
    encoded = disposition.split("filename*=", 1)[1].split(";")[0].strip()
    assert encoded.lower().startswith("utf-8''")
    assert unquote(encoded[len("utf-8''"):]) == "2023年度 自评报告（定稿）.docx"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


def test_another_units_attachment_is_404_on_the_page_and_the_api(client, login, token_for, attached):
    rows, users = attached
    login(users["unit"])
    assert client.get(f"/attachments/{rows['theirs'].id}").status_code == 404
    headers = token_for(users["unit"])
    r = client.get(f"/api/v1/attachments/{rows['theirs'].id}/content", headers=headers)
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    assert "财政局" not in r.get_data(as_text=True)
    assert client.get(f"/api/v1/attachments/{rows['mine'].id}/content", headers=headers).status_code == 200


#: which of the three files each role may download: its own unit's, its assigned units', or all
SEES = {"office": {"mine", "theirs", "office"}, "viewer": {"mine", "theirs", "office"},
        "unit": {"mine"}, "evaluator": {"mine"}, "panel": {"mine"}}


@pytest.mark.parametrize("role", sorted(SEES))
def test_every_role_downloads_exactly_what_its_row_policy_shows(app, token_for, attached, role):
    rows, users = attached
    headers = token_for(users[role])
    client = app.test_client()
    from test_isolation import _session_client
    page = _session_client(app, users[role])
    seen_api, seen_page = set(), set()
    for key, row in rows.items():
        api = client.get(f"/api/v1/attachments/{row.id}/content", headers=headers)
        html = page.get(f"/attachments/{row.id}")
        assert api.status_code in (200, 404) and html.status_code == api.status_code, (key, api.status_code)
        if api.status_code == 200:
            seen_api.add(key)
            seen_page.add(key)
    assert seen_api == seen_page == SEES[role]


def test_a_missing_file_is_404_not_500(client, login, office_user, attached):
    rows, _ = attached
    (attachments.upload_folder() / rows["mine"].stored_name).unlink()
    login(office_user)
    assert client.get(f"/attachments/{rows['mine'].id}").status_code == 404
    assert client.get("/attachments/999999").status_code == 404
