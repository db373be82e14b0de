"""Word documents in the official 公文 format (GB/T 9704-2012).

Each document is a function taking plain data (model.py) and returning the
.docx as bytes; the builder (builder.py) works on the base template
(base.docx, made by template.py through scripts/make_document_template.py).
"""
from .appendices import innovation_case, problem_list
from .bulletin import bulletin
from .builder import DOCX_MIME, Gongwen
from .download import docx_response, download_filename
from .model import (
    Adjustment, BulletinData, CaseData, GradeGroup, Indicator, Issuer, NoticeItem, OverdueBulletinData, OverdueItem,
    OverdueUnit, Problem, ProblemListData, RectificationNoticeData, ScoreCategory, ScoreSheetData, Section,
    Subsection,
)
from .notice import rectification_notice
from .overdue import overdue_bulletin
from .scoresheet import panel_score_sheet, self_score_sheet

__all__ = [
    "Adjustment", "BulletinData", "CaseData", "DOCX_MIME", "Gongwen", "GradeGroup", "Indicator", "Issuer",
    "NoticeItem", "OverdueBulletinData", "OverdueItem", "OverdueUnit", "Problem", "ProblemListData",
    "RectificationNoticeData", "ScoreCategory", "ScoreSheetData", "Section", "Subsection", "bulletin",
    "docx_response", "download_filename", "innovation_case", "overdue_bulletin", "panel_score_sheet",
    "problem_list", "rectification_notice", "self_score_sheet",
]
