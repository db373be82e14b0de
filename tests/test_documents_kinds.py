"""One test per document, with realistic data from the seeds, plus the bad inputs every document must survive."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from docx.oxml.ns import qn

from pufa_flow.documents import (
    BulletinData, CaseData, GradeGroup, Issuer, NoticeItem, OverdueBulletinData, OverdueItem, OverdueUnit, Problem,
    ProblemListData, RectificationNoticeData, Section, Subsection, bulletin, innovation_case, overdue_bulletin,
    panel_score_sheet, problem_list, rectification_notice, samples, self_score_sheet, template,
)
from pufa_flow.documents.scoresheet import total_score
from pufa_flow.services.demo_data import GRADED_UNITS_2023
from tests.docx_reading import body_texts, open_docx, paragraph_with, run_fonts, runs_without_east_asia

W_TABLES = qn("w:tbl")


def tables(doc):
    return doc.element.body.findall(W_TABLES)


def rows_text(tbl) -> list[list[str]]:
    out = []
    for tr in tbl.findall(qn("w:tr")):
        out.append(["\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p")))
                    for tc in tr.findall(qn("w:tc"))])
    return out


def is_header_row(tr) -> bool:
    trpr = tr.find(qn("w:trPr"))
    return trpr is not None and trpr.find(qn("w:tblHeader")) is not None


def grid_widths(tbl) -> list[int]:
    return [int(c.get(qn("w:w"))) for c in tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]


# -- 整改通知书 -----------------------------------------------------------------------
def test_rectification_notice_lists_problems_requirements_deadlines_and_reporting():
    data = samples.notice()
    doc = open_docx(rectification_notice(data))
    texts = body_texts(doc)
    order = [texts.index(t) for t in ("区司法局：", "一、存在的问题及整改要求", "（一）档案资料。",
                                      "存在问题：" + data.items[0].problem, "整改要求：" + data.items[0].requirement,
                                      "整改时限：2026年4月15日前。", "（四）执法普法。", "二、整改情况报送")]
    assert order == sorted(order)
    report = paragraph_with(doc, "将整改情况书面报告")
    assert "于2026年5月8日前" in report.text and data.issuer.organ in report.text
    assert "联系人及电话：区委依法治区办 陈诚，0730-8301234" in texts
    assert paragraph_with(doc, "一、存在的问题").style.name == template.HEADING[1]
    assert run_fonts(paragraph_with(doc, "一、存在的问题")) == {"黑体"}
    assert run_fonts(paragraph_with(doc, "（一）档案资料")) == {"楷体_GB2312"}
    assert run_fonts(paragraph_with(doc, "存在问题：")) == {"仿宋_GB2312"}
    assert runs_without_east_asia(doc) == []


# -- 考评情况通报 -------------------------------------------------------------------------
def test_bulletin_regenerates_the_2023_bulletin_and_its_annex():
    doc = open_docx(bulletin(samples.bulletin()))
    texts = body_texts(doc)
    opening = paragraph_with(doc, "进行了督查考评").text
    assert ("对36个普法责任单位进行了督查考评，有18个单位评为优秀等次，有14个单位评为良好等次，"
            "有4个单位评为合格等次（见附件），现将考评情况通报如下：") in opening
    assert opening.startswith("为贯彻落实中央办公厅、国务院办公厅《关于实行国家机关“谁执法谁普法”普法责任制的意见》（中办发〔2017〕31号）")
    for heading in ("一、取得的工作成效", "二、存在的问题", "三、后段工作措施"):
        assert heading in texts
    run_in = paragraph_with(doc, "（一）强化普法责任制工作保障。按照省、市")
    assert [r.text for r in run_in.runs][:1] == ["（一）强化普法责任制工作保障。"]
    assert run_fonts(run_in) == {"楷体_GB2312", "仿宋_GB2312"}
    # a run-in heading has its text: it must not drag the following paragraphs (and a whole list) to the next page
    assert run_in.paragraph_format.keep_with_next is False
    assert paragraph_with(doc, "一、取得的工作成效").paragraph_format.keep_with_next is True
    assert "附件：2023年区直机关落实“谁执法谁普法”普法责任制考评结果" in texts
    assert texts.index("2023年10月20日") < texts.index("附件")
    annex = next(p for p in doc.paragraphs if p.text == "附件")
    assert annex.paragraph_format.page_break_before
    assert run_fonts(annex) == {"黑体"}
    headings = [t for t in texts if "等次单位（" in t]
    label = "区直机关落实“谁执法谁普法”普法责任制考评"
    assert headings == [f"一、{label}优秀等次单位（18个）", f"二、{label}良好等次单位（14个）",
                        f"三、{label}合格等次单位（4个）"]
    grade_tables = tables(doc)[:3]
    for tbl, grade in zip(grade_tables, ("excellent", "good", "pass")):
        rows = rows_text(tbl)
        assert all(len(r) == 4 for r in rows)
        assert [name for row in rows for name in row if name] == GRADED_UNITS_2023[grade]
    assert [len(tbl.findall(qn("w:tr"))) for tbl in grade_tables] == [5, 4, 1]
    assert rows_text(grade_tables[0])[0] == ["团区委", "区财政局", "区人社局", "区司法局"]
    assert runs_without_east_asia(doc) == []


def test_bulletin_with_an_empty_grade_and_no_sections_keeps_every_grade():
    data = samples.bulletin({"excellent": ["区司法局"], "good": [], "pass": ["区科协"], "fail": []}, sections=())
    doc = open_docx(bulletin(data))
    texts = body_texts(doc)
    opening = paragraph_with(doc, "进行了督查考评").text
    assert "对2个普法责任单位进行了督查考评，有1个单位评为优秀等次，有1个单位评为合格等次（见附件）" in opening
    assert [t for t in texts if "等次单位（" in t][1].endswith("良好等次单位（0个）")
    assert [t for t in texts if "等次单位（" in t][3].endswith("不合格等次单位（0个）")
    assert texts.count("（无）") == 2


# -- 得分表 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("build, kind, signature", [
    (self_score_sheet, "自测得分表", "单位负责人（签字）："), (panel_score_sheet, "评议得分表", "评议人（签字）：")])
def test_score_sheets_show_points_deductions_subtotals_total_and_signatures(build, kind, signature):
    data = samples.score_sheet(kind=kind)
    doc = open_docx(build(data))
    texts = body_texts(doc)
    assert texts[0] == f"区司法局2025年度“谁执法谁普法”普法责任制履职报告{kind}"
    assert run_fonts(doc.paragraphs[0]) == {"方正小标宋简体"}
    (tbl,) = tables(doc)
    rows = rows_text(tbl)
    assert rows[0] == ["项目", "评分内容", "分值", "评议标准", "扣（加）分及原因", "得分"]
    assert is_header_row(tbl.findall(qn("w:tr"))[0]) and not is_header_row(tbl.findall(qn("w:tr"))[1])
    assert sum(grid_widths(tbl)) == pytest.approx(156 / 25.4 * 1440, abs=6)
    second = next(r for r in rows if r[1].startswith("2.普法工作机构健全"))
    assert second[2:] == ["4分", second[3], "扣2分：联络员调整后未及时报备", "2"]
    subtotals = {r[0]: r[-1] for r in rows if r[0].endswith("小计")}
    assert subtotals == {"组织领导保障小计": "22", "系统内普法小计": "23", "面向社会普法小计": "31",
                         "创新普法工作方式方法小计": "15", "加分项小计": "2"}
    assert rows[-1][0] == "合计" and rows[-1][-1] == "93" == str(total_score(data))
    # the category cell is merged down over its indicators
    first_cells = [tr.findall(qn("w:tc"))[0] for tr in tbl.findall(qn("w:tr"))[1:6]]
    merges = [tc.find(qn("w:tcPr")).find(qn("w:vMerge")) for tc in first_cells]
    assert merges[0].get(qn("w:val")) == "restart" and all(m is not None and m.get(qn("w:val")) is None
                                                            for m in merges[1:])
    assert any(t.startswith(signature) for t in texts)
    assert runs_without_east_asia(doc) == []


def test_score_never_below_zero_nor_above_the_points():
    from pufa_flow.documents import Adjustment, Indicator, ScoreCategory, ScoreSheetData
    data = ScoreSheetData("区司法局", "得分表", (
        ScoreCategory("组织领导保障", Decimal(4), (Indicator("x", Decimal(4), adjustments=(
            Adjustment(Decimal(-3), "a"), Adjustment(Decimal(-3), "b"))),)),
        ScoreCategory("加分项", Decimal(5), (Indicator("y", Decimal(5), adjustments=(
            Adjustment(Decimal(3), "c"), Adjustment(Decimal("3.5"), "d"))),), bonus=True)))
    assert total_score(data) == Decimal(5)
    rows = rows_text(tables(open_docx(self_score_sheet(data)))[0])
    assert [r[-1] for r in rows if r[0].endswith("小计")] == ["0", "5"]
    assert rows[1][4] == "扣3分：a\n扣3分：b"


# -- 问题清单 / 典型创新案例 -------------------------------------------------------------------------
def test_problem_list_in_the_format_of_annex_4():
    doc = open_docx(problem_list(samples.problem_list()))
    title = doc.paragraphs[0]
    assert title.text == "区司法局“八五”普法规划中期评估问题清单"
    assert run_fonts(title) == {"宋体"} and title.style.font.size.pt == 22 and title.style.font.bold
    first = paragraph_with(doc, "1.以案释法案例发布不及时。")
    assert first.runs[0].text == "1.以案释法案例发布不及时。" and first.runs[0].bold
    assert first.runs[1].text.startswith("2025年全年仅在门户网站") and not first.runs[1].bold
    assert run_fonts(first) == {"仿宋_GB2312"}
    assert [p.text[:2] for p in doc.paragraphs if p.text[:1].isdigit() and "." in p.text[:3]] == ["1.", "2.", "3."]


def test_innovation_case_in_the_format_of_annex_3():
    doc = open_docx(innovation_case(samples.case()))
    texts = body_texts(doc)
    assert texts[0] == "区司法局“法律明白人”进网格打通普法最后一公里"
    assert run_fonts(doc.paragraphs[0]) == {"宋体"}
    assert [t for t in texts if t[1:2] == "、"] == ["一、背景情况", "二、主要做法和成效", "三、经验启示"]
    assert run_fonts(paragraph_with(doc, "二、主要做法和成效")) == {"黑体"}
    assert texts.index("一是选育一批。从村（社区）干部、网格员、人民调解员中选出“法律明白人”286名。") > texts.index("二、主要做法和成效")


# -- 督办通报 --------------------------------------------------------------------------------------
def test_overdue_bulletin_groups_items_by_unit_with_working_days():
    data = samples.overdue(units=3, per_unit=3)
    doc = open_docx(overdue_bulletin(data))
    texts = body_texts(doc)
    assert paragraph_with(doc, "截至2026年3月31日").text.startswith(
        "截至2026年3月31日，共有3个单位的9项整改事项超过整改时限仍未完成整改，最长的已逾期20个工作日。")
    assert "（一）团区委。逾期未完成整改事项3项，最长逾期20个工作日。" in texts
    (tbl,) = tables(doc)[:1]
    rows = rows_text(tbl)
    assert rows[0] == ["序号", "整改事项", "通知书文号", "整改时限", "逾期工作日"]
    assert is_header_row(tbl.findall(qn("w:tr"))[0])
    assert rows[1] == ["团区委（3项）"]
    assert rows[2] == ["1", data.units[0].items[0].problem, "君法办〔2026〕1号", "2026年3月2日", "20"]
    assert rows[5] == ["区财政局（3项）"] and rows[6][0] == "4"
    assert len(rows) == 1 + 3 + 9


# -- bad input ------------------------------------------------------------------------------------------
NASTY = "<script>alert('x')</script>&amp;\x07\x00\x1b𠮷\ufffe结束"
PASTED = "第一行\x0b第二行\x0c第三行"
LONG_UNIT = "君山区" + "某" * 54 + "管理局"
assert len(LONG_UNIT) == 60
LONG_TEXT = ("执法人员培训记录缺失，" * 500)[:5000]


def _survives(data_bytes: bytes, *expected: str):
    doc = open_docx(data_bytes)
    text = "\n".join(body_texts(doc))
    for e in expected:
        assert e in text, e[:40]
    assert runs_without_east_asia(doc) == []
    return doc, text


def test_signature_and_date_positions():
    """署名 右空二字; the date's first character two characters right of the 署名's (7.3.5.2)."""
    from pufa_flow.documents.builder import Gongwen
    g = Gongwen()
    g.signature("中共君山区委全面依法治区委员会办公室", date(2023, 10, 20))
    doc = open_docx(g.to_bytes())
    organ, when = [p for p in doc.paragraphs if p.text]
    assert organ.paragraph_format.right_indent.pt == 2 * 16
    # 18 characters of 署名 start 20 from the right; the date (7 wide) starts 18 from the right
    assert when.paragraph_format.right_indent.pt == (18 - 7) * 16


def test_bad_input_survives_in_every_document():
    stand_in = "<script>alert('x')</script>&amp;[U+0007][U+0000][U+001B]𠮷[U+FFFE]结束"
    issuer = Issuer(organ=LONG_UNIT, date=date(2026, 3, 20), number="〔2026〕3号", copy_to=(NASTY,))
    notice = RectificationNoticeData(issuer=issuer, unit_name=LONG_UNIT, items=(
        NoticeItem(problem=LONG_TEXT, requirement=NASTY, due_date=date(2026, 4, 1)),
        NoticeItem(problem="", requirement="")))
    doc, text = _survives(rectification_notice(notice), LONG_TEXT, stand_in, LONG_UNIT + "：", "存在问题：（未填写）")
    rare = [r for p in doc.paragraphs for r in p.runs if "𠮷" in r.text]
    assert [r.text for r in rare] == ["𠮷"], "only the characters a GB2312 font lacks get the fallback"
    assert rare and rare[0]._r.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == "SimSun-ExtB"

    date_p = next(p for p in doc.paragraphs if p.text == "2026年3月20日")
    assert date_p.paragraph_format.right_indent.pt <= (28 - 6.5) * 16, "a long 署名 must not squeeze the date"
    pasted = rectification_notice(RectificationNoticeData(issuer=issuer, unit_name="区司法局", items=(
        NoticeItem(problem=PASTED),)))
    _survives(pasted, "存在问题：第一行", "第二行", "第三行")

    empty = rectification_notice(RectificationNoticeData(issuer=issuer, unit_name="", items=()))
    _survives(empty, "本次督查考评未发现需要整改的问题。")

    b = BulletinData(issuer=issuer, title=NASTY, grades=(GradeGroup("优秀", (LONG_UNIT, NASTY)), GradeGroup("良好", ())),
                     sections=(Section(""), Section("存在的问题", text=LONG_TEXT, subsections=(Subsection("", ""),))))
    _survives(bulletin(b), LONG_UNIT, stand_in, "良好等次单位（0个）", "（无）", LONG_TEXT)

    sheet = replace(samples.score_sheet(unit=LONG_UNIT), title=NASTY, note=LONG_TEXT)
    _survives(self_score_sheet(sheet), stand_in, LONG_UNIT, LONG_TEXT)

    _survives(problem_list(ProblemListData(LONG_UNIT, (Problem(NASTY, LONG_TEXT), Problem("", ""))))
              , stand_in, LONG_TEXT, "2.（未填写问题名称）。")
    _survives(innovation_case(CaseData(LONG_UNIT, NASTY * 3, background=LONG_TEXT)), stand_in, LONG_TEXT)

    od = OverdueBulletinData(issuer=issuer, as_of=date(2026, 3, 31), units=(
        OverdueUnit(LONG_UNIT, (OverdueItem(LONG_TEXT, date(2026, 3, 1), 21, NASTY),)), OverdueUnit(NASTY, ())))
    _survives(overdue_bulletin(od), LONG_TEXT, stand_in, f"{LONG_UNIT}（1项）")
    _survives(overdue_bulletin(replace(od, units=())), "没有超过整改时限仍未完成整改的事项")
