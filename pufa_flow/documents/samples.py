"""Realistic sample inputs from the seeds, for `pufa-flow documents render`, the tests and the benchmark.

The bulletin is 君山区's 2023 bulletin (seed 000) with its 18/14/4 units; the
score sheet's indicators are 附件2 of seed 003; the notice's problems are the
demo's (seed 002's kinds of findings).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from ..services.demo_data import GRADED_UNITS_2023, PROBLEMS
from .model import (
    Adjustment, BulletinData, CaseData, GradeGroup, Indicator, Issuer, NoticeItem, OverdueBulletinData, OverdueItem,
    OverdueUnit, Problem, ProblemListData, RectificationNoticeData, ScoreCategory, ScoreSheetData, Section,
    Subsection,
)

OFFICE = "中共君山区委全面依法治区委员会办公室"
GRADE_LABELS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
CYCLE_LABEL = "区直机关落实“谁执法谁普法”普法责任制考评"


def issuer(number: str = "君法办〔2026〕3号", on: date = date(2026, 3, 20)) -> Issuer:
    return Issuer(organ=OFFICE, date=on, number=number, mark="中共君山区委全面依法治区委员会办公室文件",
                  copy_to=("区委办", "区人大办", "区政府办", "区政协办"), printer=OFFICE)


def notice() -> RectificationNoticeData:
    items = tuple(NoticeItem(problem=p, requirement=r, due_date=date(2026, 4, 30 if k % 2 else 15),
                             category={"archives": "档案资料", "planning": "计划与责任清单", "internal": "系统内普法",
                                       "enforcement": "执法普法", "public": "面向社会普法",
                                       "organisation": "组织领导", "other": "经费保障"}[c])
                  for k, (c, p, r) in enumerate(PROBLEMS[:4]))
    return RectificationNoticeData(
        issuer=issuer(), unit_name="区司法局", items=items,
        basis="根据《关于开展2025年度“谁执法谁普法”普法责任制督查考评的通知》安排，区守法普法协调小组督查考核组于"
              "2026年3月9日至13日对你单位普法责任制落实情况进行了督查考评。现将发现的问题及整改要求通知如下：",
        report_by=date(2026, 5, 8), contact="区委依法治区办 陈诚，0730-8301234")


SECTIONS = (
    Section("取得的工作成效", subsections=(
        Subsection("强化普法责任制工作保障", "按照省、市关于实行国家机关“谁执法谁普法”普法责任制的部署要求，区委依法治区办"
                   "制定了《2023年君山区落实国家机关“谁执法谁普法”责任制工作要点》《君山区2023年度区直机关普法重点任务"
                   "清单》等文件，对全区各单位“谁执法谁普法”工作进行部署安排。"),
        Subsection("对内普法，不断加强法治素养", "一是领导干部学法用法工作扎实推进。二是执法人员法治培训全面加强，全区各行政"
                   "执法单位先后组织行政执法人员培训200余人次，赴君山区人民法院进行庭审观摩50余人次。"),
        Subsection("全员普法，不断提升普法精准度", "共举办主题宣传月、周及日活动200多场次，宣传普及法律法规60多部，编印宣传"
                   "资料近20万份，开展专题宣讲20场次。"),
    )),
    Section("存在的问题", text="一是少数单位对普法工作重视程度不高。二是普法与业务工作结合需进一步加深。三是普法工作参与"
            "程度需进一步加强，有些单位普法工作仍处于被动应付状态。"),
    Section("后段工作措施", subsections=(
        Subsection("要进一步强化普法意识", "各部门各单位要高度重视，切实加强对“谁执法谁普法”工作的组织领导。"),
        Subsection("要进一步加强普法培训", "要建立日常培训机制，加强各单位普法工作人员能力提升。"),
        Subsection("要进一步创新工作方式", "要积极创新普法模式，充分发掘各国家机关的不同资源、特色和优势。"),
    )),
)


def bulletin(grades: dict[str, list[str]] | None = None, sections=SECTIONS) -> BulletinData:
    grades = GRADED_UNITS_2023 if grades is None else grades
    return BulletinData(
        issuer=issuer("君法办〔2023〕12号", date(2023, 10, 20)),
        title="关于2023年区直机关落实“谁执法谁普法”普法责任制考评情况的通报",
        grades=tuple(GradeGroup(GRADE_LABELS.get(k, k), tuple(v)) for k, v in grades.items()),
        intro="为贯彻落实中央办公厅、国务院办公厅《关于实行国家机关“谁执法谁普法”普法责任制的意见》（中办发〔2017〕31号）"
              "精神，推动“谁执法谁普法”责任制落实，经区委依法治区办研究，区守法普法协调小组组成督查考核组，于10月9日至13日，"
              "采取各单位自查、实地察看、听取汇报、上报佐证等方式，",
        sections=sections,
        annex_title="2023年区直机关落实“谁执法谁普法”普法责任制考评结果",
        annex_group_label="区直机关落实“谁执法谁普法”普法责任制考评")


def _ind(content, points, standard, *adj, score=None):
    return Indicator(content, D(points), standard, tuple(Adjustment(D(p), r) for p, r in adj), score)


def score_sheet(unit: str = "区司法局", kind: str = "自测得分表") -> ScoreSheetData:
    cats = (
        ScoreCategory("组织领导保障", D(25), (
            _ind("党政主要负责人认真履行落实“谁执法谁普法”第一责任人职责，党委（组）会研究本年度普法教育工作不少于1次。",
                 4, "党委（组）会未研究本年度普法依法治理工作或未纳入工作总体布局不得分。"),
            _ind("普法工作机构健全，配备1名以上专（兼）职普法工作人员，并能根据人事变动及时调整。", 4,
                 "普法领导机构不健全的，扣2分；联络员未明确或职责履行不到位的，扣2分。",
                 ("-2", "联络员调整后未及时报备")),
            _ind("制定普法工作计划，建立并公示普法责任清单，并在规定时间内向市委依法治市办报备。", 10,
                 "未制定普法工作计划的，扣4分；未建立普法责任清单并公示的，扣4分；未及时报备的，扣2分。"),
            _ind("及时报送普法工作信息及其他相关材料，全年报送不少于5条。", 5, "每少报送1条工作信息扣1分。",
                 ("-1", "全年报送4条，少1条")),
            _ind("落实普法工作经费，保证普法工作需要。", 2, "未保障的，扣2分。"),
        )),
        ScoreCategory("系统内普法", D(25), (
            _ind("落实党委（组）年度学法制度和领导干部年度学法述法制度；每年至少组织1次专题法治培训和1次旁听庭审。", 9,
                 "未将学法列入中心组重点学习内容的，扣2分；未开展专题培训的，扣3分；未开展旁听庭审活动的，扣2分。",
                 ("-2", "2025年未组织旁听庭审")),
            _ind("落实国家工作人员年度法律知识考试和任职法律知识考试制度，依法落实宪法宣誓制度。", 8,
                 "参考率未达100%的，扣2分，合格率未达98%的，扣2分。"),
            _ind("开展机关法治文化建设，设立1-2块法治文化宣传阵地，每年至少创作1部法治文艺作品。", 8,
                 "未设立阵地的，扣2分；未开设普法专题专栏的，扣2分；未创作法治文艺作品的，扣4分。"),
        )),
        ScoreCategory("面向社会普法", D(35), (
            _ind("组织开展“12·4”国家宪法日活动，组织开展民法典宣传月活动。", 6,
                 "未开展宪法学习宣传活动的，扣3分；未开展民法典宣传月活动的，扣3分。"),
            _ind("面向管理和服务对象进行普法，推行执法、司法公开。", 10,
                 "未在司法执法和管理服务中开展普法宣传的，扣6分；未落实司法、执法公开制度的，扣4分。"),
            _ind("落实以案释法制度，每年按时报送典型案例不少于2个。", 8, "未按要求报送案例的，扣8分（每少1个扣4分）。",
                 ("-4", "仅报送典型案例1个")),
            _ind("编写普法读本、普法折页、制作宣传品。", 5, "未制作普法宣传产品的，扣5分。"),
            _ind("每年举办不少于2次面向社会的法治宣传教育专题活动。", 6, "专项活动每少开展1次扣3分。"),
        )),
        ScoreCategory("创新普法工作方式方法", D(15), (
            _ind("推动“互联网+法治宣传”行动，依托新媒体经常性推送普法专题信息。", 10,
                 "未利用本单位1个以上宣传载体开展法治宣传的，扣5分；宣传报道5篇以上，每少1篇扣1分。"),
            _ind("利用本单位办公场所或电子显示屏宣传普及相关法律法规。", 5, "每年至少5次，每少一次扣1分。"),
        )),
        ScoreCategory("加分项", D(15), (
            _ind("普法工作特色鲜明、工作实绩突出，获得市级以上表彰或通报表扬。", 5,
                 "国家级加5分，省级加3分，市级加2分。", ("2", "获市级通报表扬（岳阳市依法治市办，2025年）")),
            _ind("参加全国法治动漫微视频评选活动并获奖。", 5, "加5分。"),
            _ind("获评市级以上法治宣传教育基地称号。", 5, "国家级加5分，省级加3分，市级加2分。"),
        ), bonus=True),
    )
    return ScoreSheetData(unit_name=unit, title=f"{unit}2025年度“谁执法谁普法”普法责任制履职报告{kind}",
                          categories=cats, note="扣（加）分须写明原因并附佐证材料；加分项最高加15分。")


def problem_list(unit: str = "区司法局") -> ProblemListData:
    return ProblemListData(unit_name=unit, problems=(
        Problem("以案释法案例发布不及时",
                "2025年全年仅在门户网站发布以案释法典型案例1个，未达到每半年至少发布1个的要求；已办结的12件行政复议案件中，"
                "具有普法价值的案件未整理编辑。"),
        Problem("新媒体普法内容更新慢",
                "单位微信公众号“君山司法”普法专栏2025年推送普法信息18条，其中原创内容3条，平均阅读量不足200次，"
                "群众关注的婚姻家庭、劳动争议类内容较少。"),
        Problem("基层普法阵地作用发挥不充分",
                "全区12个村（社区）法治文化阵地中，5个阵地宣传内容两年未更新，部分宣传栏仍张贴“七五”普法时期材料。"),
    ))


def case(unit: str = "区司法局") -> CaseData:
    return CaseData(
        unit_name=unit, title="“法律明白人”进网格打通普法最后一公里",
        background="农村地区群众法律需求多样，但专业法律服务力量不足。为学习贯彻习近平法治思想，解决普法“最后一公里”问题，"
                   "依据《关于加强社会主义法治文化建设的意见》，探索由“法律明白人”进网格开展普法。",
        practice="一是选育一批。从村（社区）干部、网格员、人民调解员中选出“法律明白人”286名。\n"
                 "二是培训一批。分三期开展集中培训，编印《法律明白人工作手册》。\n"
                 "三是用好一批。“法律明白人”参与调解矛盾纠纷431件，调解成功率达96%。",
        lessons="普法要与群众身边事结合；要有稳定的基层队伍；要建立考核激励机制。下一步将推动“法律明白人”与网格化服务管理深度融合。")


def overdue(units: int = 3, per_unit: int = 3) -> OverdueBulletinData:
    names = [n for group in GRADED_UNITS_2023.values() for n in group]
    groups = []
    k = 0
    for u in range(units):
        items = []
        for i in range(per_unit):
            c, p, _ = PROBLEMS[k % len(PROBLEMS)]
            k += 1
            items.append(OverdueItem(problem=p, due_date=date(2026, 3, 2 + i), working_days_overdue=20 - 3 * i - u % 7,
                                     notice_number=f"君法办〔2026〕{u % 40 + 1}号", status="整改中"))
        name = names[u % len(names)] if u < len(names) else f"{names[u % len(names)]}（{u // len(names) + 1}）"
        groups.append(OverdueUnit(name, tuple(items)))
    return OverdueBulletinData(issuer=issuer("君法办〔2026〕9号", date(2026, 4, 1)), as_of=date(2026, 3, 31),
                               units=tuple(groups))
