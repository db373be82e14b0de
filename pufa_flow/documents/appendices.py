"""The two annexes of seed 003 a unit sends with its self-assessment: 问题清单 (附件4) and 典型创新案例 (附件3)."""
from __future__ import annotations

from . import fonts, template
from .builder import Gongwen
from .model import CaseData, ProblemListData
from .ooxml import append_runs
from .text import clean, lines


def problem_list(data: ProblemListData) -> bytes:
    """Title 宋体二号加粗 centred; "1.问题名称。" in bold 仿宋 followed by its body in 仿宋."""
    unit = clean(data.unit_name).strip()
    g = Gongwen()
    g.title(data.title or f"{unit}“八五”普法规划中期评估问题清单", before_lines=0, font=fonts.SONGTI)
    g.blank()
    if not data.problems:
        g.body_text("（未列出问题）")
    for n, problem in enumerate(data.problems, 1):
        name = clean(problem.name).strip() or "（未填写问题名称）"
        if name[-1] not in "。！？；":
            name += "。"
        p = g.paragraph(template.BODY, f"{n}.{name}", bold=True)
        body = lines(problem.body)
        if body:
            append_runs(p, body[0], fonts.FANGSONG)
            for para in body[1:]:
                g.paragraph(template.BODY, para)
    return g.to_bytes()


CASE_PARTS = (("背景情况", "background"), ("主要做法和成效", "practice"), ("经验启示", "lessons"))


def innovation_case(data: CaseData) -> bytes:
    """Title "XX（单位）XXXX" in 宋体二号加粗; the three parts under 黑体 headings, text in 仿宋三号."""
    unit = clean(data.unit_name).strip()
    title = clean(data.title).strip()
    if unit and not title.startswith(unit):
        title = unit + title
    g = Gongwen()
    g.title(title, before_lines=0, font=fonts.SONGTI)
    g.blank()
    for n, (heading, attr) in enumerate(CASE_PARTS, 1):
        g.heading(1, n, heading)
        g.body_text(getattr(data, attr))
    return g.to_bytes()
