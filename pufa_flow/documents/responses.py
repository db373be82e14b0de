"""The downloads as HTTP responses, shared by the pages and the API (access is checked by the caller)."""
from __future__ import annotations

from .builder import DOCX_MIME
from .bulletin import bulletin
from .download import docx_response, download_filename
from .notice import rectification_notice
from .sources import bulletin_data, notice_data, notice_number

#: OpenAPI schema of a .docx body
DOCX_DOWNLOAD = {"type": "string", "format": "binary", "contentMediaType": DOCX_MIME}

__all__ = ["DOCX_DOWNLOAD", "DOCX_MIME", "bulletin_response", "notice_document_response"]


def notice_document_response(notice):
    """整改通知书-区司法局-〔2026〕3号.docx"""
    data = rectification_notice(notice_data(notice))
    return docx_response(data, download_filename("整改通知书", notice.unit.name, notice_number(notice)))


def bulletin_response(cycle):
    """考评情况通报-2023年度普法责任制考评.docx"""
    return docx_response(bulletin(bulletin_data(cycle)), download_filename("考评情况通报", cycle.name))
