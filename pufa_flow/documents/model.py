"""What the documents take: plain dataclasses, no ORM objects.

The features that own the data (notices, cycles, score sheets) map their
models onto these; ``sources.py`` does it for the two downloads wired today.
Text fields are user text: any characters are accepted (see text.clean).
Sequences may be lists or tuples; dates are ``datetime.date``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Issuer:
    """发文机关 and the 发文 particulars shared by every 公文."""
    organ: str                                  # 发文机关署名, e.g. 中共君山区委全面依法治区委员会办公室
    date: date                                  # 成文日期
    number: str = ""                            # 发文字号, e.g. 君法办〔2026〕3号
    mark: str = ""                              # 版头 text; empty: the organ's name
    copy_to: tuple[str, ...] = ()               # 抄送
    printer: str = ""                           # 印发机关; empty: the organ
    print_date: date | None = None              # 印发日期; None: the 成文日期


# -- 整改通知书 -----------------------------------------------------------------
@dataclass(frozen=True)
class NoticeItem:
    problem: str                                # 存在问题
    requirement: str = ""                       # 整改要求
    due_date: date | None = None                # 整改时限
    category: str = ""                          # e.g. 组织领导 (optional, shown before the problem)


@dataclass(frozen=True)
class RectificationNoticeData:
    issuer: Issuer
    unit_name: str                              # 主送: the unit
    items: tuple[NoticeItem, ...]
    title: str = ""                             # empty: 关于{unit}…问题整改的通知
    basis: str = ""                             # the opening: why (督查/考评 of …); empty: a standard sentence
    report_by: date | None = None               # 整改情况报送时限; None: the last item deadline
    report_how: str = ""                        # how to report back; empty: a standard paragraph
    contact: str = ""                           # 联系人及电话


# -- 考评情况通报 ---------------------------------------------------------------
@dataclass(frozen=True)
class Subsection:
    heading: str                                # run-in level-2 heading: （一）heading。text
    text: str = ""


@dataclass(frozen=True)
class Section:
    heading: str                                # level-1 heading: 一、heading
    text: str = ""                              # paragraphs under the heading (blank line separates)
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True)
class GradeGroup:
    grade: str                                  # 优秀 / 良好 / 合格 / 不合格
    units: tuple[str, ...]


@dataclass(frozen=True)
class BulletinData:
    issuer: Issuer
    title: str                                  # e.g. 关于2023年区直机关落实“谁执法谁普法”普法责任制考评情况的通报
    grades: tuple[GradeGroup, ...]              # in the order they are listed
    subject: str = "普法责任单位"               # what was assessed ("对36个{subject}进行了督查考评")
    addressee: str = "各普法责任单位"
    intro: str = ""                             # what precedes the counts in the opening paragraph
    sections: tuple[Section, ...] = ()          # the sections the office writes
    annex_title: str = ""                       # e.g. 2023年区直机关落实…考评结果
    annex_group_label: str = ""                 # heading prefix before "优秀等次单位（18个）"


# -- 自测得分表 / 评议得分表 -------------------------------------------------------
@dataclass(frozen=True)
class Adjustment:
    points: Decimal                             # negative: 扣分; positive: 加分
    reason: str


@dataclass(frozen=True)
class Indicator:
    content: str                                # 评分内容
    points: Decimal                             # 分值
    standard: str = ""                          # 评议标准
    adjustments: tuple[Adjustment, ...] = ()
    score: Decimal | None = None                # None: computed (分值 + adjustments, within 0..分值; 加分项 from 0)


@dataclass(frozen=True)
class ScoreCategory:
    name: str                                   # 项目, e.g. 组织领导保障
    points: Decimal                             # the category's maximum (25)
    indicators: tuple[Indicator, ...]
    bonus: bool = False                         # 加分项: scores start at 0 and only add


@dataclass(frozen=True)
class ScoreSheetData:
    unit_name: str
    title: str                                  # e.g. 区司法局2026年度“谁执法谁普法”履职报告自测得分表
    categories: tuple[ScoreCategory, ...]
    signatures: tuple[str, ...] = ()            # e.g. ("填表人", "单位负责人（签字）", "日期"); empty: per kind
    note: str = ""                              # a line under the table


# -- 问题清单 (附件4) / 典型创新案例 (附件3) --------------------------------------------
@dataclass(frozen=True)
class Problem:
    name: str                                   # 具体问题名称 (bold)
    body: str = ""                              # 问题的表现和有关事例、数据


@dataclass(frozen=True)
class ProblemListData:
    unit_name: str
    problems: tuple[Problem, ...]
    title: str = ""                             # empty: {unit}“八五”普法规划中期评估问题清单


@dataclass(frozen=True)
class CaseData:
    unit_name: str
    title: str                                  # ≤ 25 characters by 附件3 (longer is kept, and wraps)
    background: str = ""                        # 一、背景情况
    practice: str = ""                          # 二、主要做法和成效
    lessons: str = ""                           # 三、经验启示


# -- 督办通报 ---------------------------------------------------------------------
@dataclass(frozen=True)
class OverdueItem:
    problem: str
    due_date: date
    working_days_overdue: int
    notice_number: str = ""                     # the 整改通知书's 发文字号
    status: str = ""                            # e.g. 整改中


@dataclass(frozen=True)
class OverdueUnit:
    unit_name: str
    items: tuple[OverdueItem, ...]


@dataclass(frozen=True)
class OverdueBulletinData:
    issuer: Issuer
    as_of: date                                 # 截至
    units: tuple[OverdueUnit, ...]
    title: str = "关于整改事项逾期未完成情况的督办通报"
    addressee: str = "各普法责任单位"
    requirements: str = ""                      # 督办要求; empty: a standard paragraph
