"""The downloads: names, Content-Disposition, the notice page and API, the cycle bulletin from graded assessments."""
from __future__ import annotations

import shutil
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask

from pufa_flow.documents import DOCX_MIME, docx_response, download_filename
from pufa_flow.extensions import db
from tests.docx_reading import body_texts, open_docx
from tests.helpers import new_notice


def test_download_filename_in_chinese_and_safe_for_file_systems():
    assert download_filename("整改通知书", "区司法局", "〔2026〕3号") == "整改通知书-区司法局-〔2026〕3号.docx"
    assert download_filename("考评情况通报", 'a/b\\c:d*e?"<>|', "") == "考评情况通报-a_b_c_d_e.docx"
    assert download_filename("整改通知书", "区\x07局") == "整改通知书-区_局.docx"
    assert len(download_filename("x", "某" * 500)) <= 125


def test_content_disposition_is_rfc_6266_with_utf8_filename():
    name = "整改通知书-区司法局-〔2026〕3号.docx"
    with Flask(__name__).test_request_context():
        response = docx_response(b"PK", name)
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(name)}" in header
    assert 'filename="' in header or "filename=" in header  # an ASCII fallback for old clients
    ascii_part = header.split("filename=", 1)[1].split(";")[0]
    assert ascii_part.isascii()
    assert response.mimetype == DOCX_MIME
    assert "no-store" in response.headers["Cache-Control"]


@pytest.fixture
def notice_world(app, make_unit, make_user, office_user):
    unit = make_unit("区司法局")
    other = make_unit("区财政局")
    notice = new_notice(office_user, unit, n_items=2)
    return {"unit": unit, "notice": notice, "owner": make_user("unit", unit=unit),
            "stranger": make_user("unit", unit=other), "office": office_user}


def _year(notice):
    from pufa_flow.documents.sources import notice_number
    return notice_number(notice)


def test_api_notice_document_for_office_and_owner(app, notice_world, token_for):
    notice = notice_world["notice"]
    for who in ("office", "owner"):
        response = app.test_client().get(f"/api/v1/notices/{notice.id}/document",
                                         headers=token_for(notice_world[who]))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == DOCX_MIME
        expected = f"整改通知书-区司法局-{_year(notice)}.docx"
        assert quote(expected) in response.headers["Content-Disposition"]
        texts = body_texts(open_docx(response.data))
        assert "区司法局：" in texts and "存在问题：问题1" in texts and "整改要求：要求2" in texts
        assert _year(notice) in texts


def test_issuing_organ_and_number_prefix_come_from_the_configuration(app, notice_world, token_for):
    app.config.update(PUFA_DOCUMENT_ISSUER="君山区普法办", PUFA_DOCUMENT_NUMBER_PREFIX="君法办")
    notice = notice_world["notice"]
    response = app.test_client().get(f"/api/v1/notices/{notice.id}/document", headers=token_for(notice_world["office"]))
    texts = body_texts(open_docx(response.data))
    assert texts[0] == "君山区普法办" and texts[1].startswith("君法办〔") and texts[1].endswith(f"〕{notice.id}号")
    assert "君山区普法办" in texts[texts.index(texts[1]) + 1:]  # the 署名 too
    assert quote(f"整改通知书-区司法局-{texts[1]}.docx") in response.headers["Content-Disposition"]


def test_api_notice_document_is_404_for_another_unit_and_401_without_token(app, notice_world, token_for):
    notice = notice_world["notice"]
    response = app.test_client().get(f"/api/v1/notices/{notice.id}/document",
                                     headers=token_for(notice_world["stranger"]))
    assert response.status_code == 404 and set(response.get_json()) == {"error"}
    assert app.test_client().get(f"/api/v1/notices/{notice.id}/document").status_code == 401


def test_notice_page_links_the_download_and_the_link_works(app, notice_world, client, login):
    notice = notice_world["notice"]
    login(notice_world["owner"])
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert f'href="/notices/{notice.id}/document"' in page and "下载整改通知书（Word）" in page
    response = client.get(f"/notices/{notice.id}/document")
    assert response.status_code == 200 and response.mimetype == DOCX_MIME
    assert "区司法局：" in body_texts(open_docx(response.data))


def test_notice_download_page_is_404_for_another_unit(app, notice_world, client, login):
    login(notice_world["stranger"])
    assert client.get(f"/notices/{notice_world['notice'].id}/document").status_code == 404


def test_openapi_declares_the_two_downloads(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/notices/{notice_id}/document", "/api/v1/cycles/{cycle_id}/bulletin"):
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert list(ok["content"]) == [DOCX_MIME], path


def test_cycle_bulletin_from_the_demo_2023_grades(app, token_for):
    """The demo's archived 2023 cycle regenerates seed 000's annex: 18 优秀, 14 良好, 4 合格."""
    from pufa_flow.models import Cycle, User
    from pufa_flow.services import demo

    demo.load()
    db.session.commit()
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.year == 2023))
    office = db.session.scalar(sa.select(User).where(User.username == "admin"))
    response = app.test_client().get(f"/api/v1/cycles/{cycle.id}/bulletin", headers=token_for(office))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert quote(f"考评情况通报-{cycle.name}.docx") in response.headers["Content-Disposition"]
    texts = body_texts(open_docx(response.data))
    opening = next(t for t in texts if "进行了督查考评" in t)
    assert "对36个普法责任单位进行了督查考评，有18个单位评为优秀等次，有14个单位评为良好等次，有4个单位评为合格等次" in opening
    headings = [t for t in texts if "等次单位（" in t]
    assert headings == ["一、优秀等次单位（18个）", "二、良好等次单位（14个）", "三、合格等次单位（4个）",
                        "四、不合格等次单位（0个）"]
    from pufa_flow.services.demo_data import GRADED_UNITS_2023
    for name in GRADED_UNITS_2023["pass"]:
        assert name in texts
    # the office's texts of 000 as the demo typed them, dated the day the results were published
    assert opening.startswith("为贯彻落实中央办公厅、国务院办公厅") and "（一）强化普法责任制工作保障。按照省、市" in " ".join(texts)
    assert "（此部分由普法办撰写。）" not in texts and "2023年12月27日" in texts
    # the annex in 000's order: units by final score within their grade
    at = texts.index("一、优秀等次单位（18个）")
    assert texts[at + 1:at + 19] == GRADED_UNITS_2023["excellent"]

    unit_user = db.session.scalar(sa.select(User).where(User.role == "unit"))
    refused = app.test_client().get(f"/api/v1/cycles/{cycle.id}/bulletin", headers=token_for(unit_user))
    assert refused.status_code == 403 and set(refused.get_json()) == {"error"}
    missing = app.test_client().get("/api/v1/cycles/999999/bulletin", headers=token_for(office))
    assert missing.status_code == 404


def test_render_command_writes_docx_and_says_what_is_missing(runner, tmp_path, monkeypatch):
    from pufa_flow.documents import render as render_module

    monkeypatch.setattr(render_module, "tools", lambda: {"soffice": None, "pdftoppm": None})
    from pufa_flow.cli import main

    result = runner.invoke(main, ["documents", "render", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.docx"))) == 7
    assert "LibreOffice" in result.output


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                    reason="LibreOffice (soffice) and pdftoppm are not installed: the PDF/PNG rendering is not checked")
def test_render_makes_pdf_and_png_pages(tmp_path):
    from pufa_flow.documents.render import render
    from pufa_flow.documents import rectification_notice, samples

    result = render(tmp_path, {"整改通知书": rectification_notice(samples.notice())})
    assert [p.name for p in result.pdf] == ["整改通知书.pdf"]
    assert len(result.png) >= 2 and all(p.stat().st_size > 1000 for p in result.png)


def test_the_cycle_page_offers_the_bulletin_to_the_office_and_leaders_only(app, client, login, make_user, make_unit):
    from pufa_flow.models import Cycle
    from pufa_flow.services import demo

    demo.load()
    db.session.commit()
    cycle = db.session.scalar(sa.select(Cycle).where(Cycle.year == 2023))
    viewer = make_user("viewer")
    login(viewer)
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/bulletin"' in page
    response = client.get(f"/cycles/{cycle.id}/bulletin")
    assert response.status_code == 200 and response.mimetype == DOCX_MIME
    assert "有18个单位评为优秀等次" in "".join(body_texts(open_docx(response.data)))
    client.post("/logout")
    evaluator = make_user("evaluator")
    login(evaluator)
    assert client.get(f"/cycles/{cycle.id}/bulletin").status_code == 403
