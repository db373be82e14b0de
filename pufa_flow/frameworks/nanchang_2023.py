"""南昌市国家机关“谁执法谁普法”普法责任制年度履职报告评议指标 (seed 003, 附件2).

Texts are the table's own words; the seed's half-width punctuation is written
full-width. Rule ids are ``n23-<indicator, two digits>-<letter>``, letters in
the order the sentences stand in the 评议标准 column; they are stable: a new
version of the table gets a new module and a new prefix, never edited ids.
"""
from __future__ import annotations

from decimal import Decimal as D

from pufa_flow.frameworks.model import Category, Framework, Indicator, Rule, Tier

LEVELS = (Tier("national", "国家级", D(5)), Tier("provincial", "省级", D(3)), Tier("municipal", "市级", D(2)))


def _ind(number: int, content: str, points: int, *rules: Rule, bonus: bool = False) -> Indicator:
    # The table has no separate titles: an indicator is named by its first clause.
    title = content.split("，")[0].split("。")[0]
    return Indicator(number, title, content, D(points), bonus, rules)


def _fixed(rule_id: str, text: str, points: int, *, power: bool = False) -> Rule:
    return Rule(rule_id, text, "fixed", points=D(points), requires_enforcement_power=power)


def _per(rule_id: str, text: str, per_unit: int, cap: int) -> Rule:
    return Rule(rule_id, text, "per_unit", per_unit=D(per_unit), cap=D(cap))


NANCHANG_2023 = Framework(
    id="nanchang-2023",
    name="南昌市国家机关“谁执法谁普法”普法责任制年度履职报告评议指标",
    version="2023",
    kind="score_sheet",
    bonus_cap=D(15),
    categories=(
        Category("organisation", "组织领导保障", D(25), (
            _ind(1, "党政主要负责人认真履行落实“谁执法谁普法”第一责任人职责，党委（组）会研究本年度普法教育工作不少于1次；将普法工作纳入本部门本单位总体工作全局，与业务工作同部署、同检查、同落实。", 4,
                 Rule("n23-01-a", "党委（组）会未研究本年度普法依法治理工作或未纳入工作总体布局不得分。", "whole")),
            _ind(2, "普法工作机构健全，配备1名以上专（兼）职普法工作人员，并能根据人事变动及时调整。", 4,
                 _fixed("n23-02-a", "普法领导机构不健全的，扣2分", 2),
                 _fixed("n23-02-b", "联络员未明确或职责履行不到位的，扣2分。", 2)),
            _ind(3, "根据本部门本单位自身工作特点、工作重点和执法任务，制定普法工作计划，建立并公示普法责任清单，并在规定时间内向市委依法治市办报备。", 10,
                 _fixed("n23-03-a", "未制定普法工作计划的，扣4分", 4),
                 _fixed("n23-03-b", "未建立普法责任清单并公示的，扣4分", 4),
                 _fixed("n23-03-c", "未及时报备的，扣2分。", 2)),
            _ind(4, "及时报送普法工作信息及其他相关材料（如动态信息、工作经验、先进典型等），积极宣传报道普法工作经验和先进典型，全年报送不少于5条。", 5,
                 _per("n23-04-a", "每少报送1条工作信息扣1分。", 1, 5)),
            _ind(5, "落实普法工作经费，保证普法工作需要。", 2,
                 _fixed("n23-05-a", "未保障的，扣2分。", 2)),
        )),
        Category("internal", "系统内普法", D(25), (
            _ind(6, "落实党委（组）年度学法制度和领导干部年度学法述法制度，领导班子和领导干部带头学法用法，把学法列入党委（组）中心组重点学习内容。加强对国家工作人员的法治培训，每年至少组织1次专题法治培训。落实国家工作人员旁听庭审工作制度，每年至少组织1次现场或网络旁听庭审活动。", 9,
                 _fixed("n23-06-a", "未将学法列入党委（组）中心组重点学习内容的，扣2分", 2),
                 _fixed("n23-06-b", "未制定并落实领导干部学法清单的，扣2分", 2),
                 _fixed("n23-06-c", "未开展专题培训的，扣3分", 3),
                 _fixed("n23-06-d", "未开展旁听庭审活动的，扣2分。", 2)),
            _ind(7, "落实本部门本单位国家工作人员年度法律知识考试和任职法律知识考试制度，依法落实宪法宣誓制度，组织本部门（单位）领导干部参加全省领导干部网上法律知识考试或分类学法考法，参考率达100%；合格率达98%以上。", 8,
                 _fixed("n23-07-a", "未落实本部门本单位国家工作人员年度法律知识考试和任职法律知识考试制度的，扣2分", 2),
                 _fixed("n23-07-b", "未依照法律规定组织国家工作人员就职时进行宪法宣誓的，扣2分", 2),
                 _fixed("n23-07-c", "参加全省领导干部网上法律知识考试或分类学法考法的参考率未达100%的，扣2分", 2),
                 _fixed("n23-07-d", "合格率未达98%的，扣2分。", 2)),
            _ind(8, "开展机关法治文化建设，设立1-2块法治文化宣传阵地（普法板块或普法宣传橱窗等）；依托单位门户网站、官方微博微信、行业简报等载体，开设普法专题专栏，每年至少创作1部法治文艺作品（歌舞、小品、诗歌、书画、微视频等）。", 8,
                 _fixed("n23-08-a", "未设立阵地的，扣2分", 2),
                 _fixed("n23-08-b", "未开设普法专题专栏的，扣2分", 2),
                 _fixed("n23-08-c", "未创作法治文艺作品的，扣4分。", 4)),
        )),
        Category("public", "面向社会普法", D(35), (
            _ind(9, "组织开展“12·4”国家宪法日活动，组织开展民法典宣传月活动。", 6,
                 _fixed("n23-09-a", "未开展宪法学习宣传活动的，扣3分", 3),
                 _fixed("n23-09-b", "未开展民法典宣传月活动的，扣3分。", 3)),
            _ind(10, "面向管理和服务对象进行普法，把普法贯穿司法、执法和管理服务的全过程、各方面；推行执法、司法公开，依法及时公开执法、司法的依据、程序、结果和文本。", 10,
                 _fixed("n23-10-a", "未在司法执法和管理服务中开展普法宣传的，扣6分", 6),
                 _fixed("n23-10-b", "未落实司法、执法公开制度的，扣4分（对无司法、执法权限的单位不扣分）。", 4, power=True)),
            _ind(11, "落实以案释法制度和司法、行政执法案例整理编辑制度和典型案例发布制度，行政执法、司法单位每年按时报送本单位典型司法、执法案例不少于2个，非行政执法和司法单位报送法治宣传案例、法治创建案例不少于2个。", 8,
                 _per("n23-11-a", "未按要求报送案例的，扣8分（每少1个扣4分）。", 4, 8)),
            _ind(12, "编写普法读本、普法折页、制作宣传品。", 5,
                 _fixed("n23-12-a", "未制作普法宣传产品的，扣5分。", 5)),
            _ind(13, "根据本部门本单位特点和特定群体的法律需求，每年举办不少于2次的面向社会的法治宣传教育专题活动。", 6,
                 _per("n23-13-a", "专项活动每少开展1次扣3分。", 3, 6)),
        )),
        Category("innovation", "创新普法工作方式方法", D(15), (
            _ind(14, "推动“互联网+法治宣传”行动，注重依托门户网站，官方微博、微信公众号等新媒体开展普法活动，经常性推送普法专题信息。", 10,
                 _fixed("n23-14-a", "未利用本单位1个以上宣传载体开展法治宣传的，扣5分", 5),
                 _per("n23-14-b", "利用本单位各类网络宣传载体平台开展普法活动宣传报道5篇以上，每少1篇扣1分。", 1, 5)),
            _ind(15, "利用本单位办公场所或电子显示屏宣传普及相关法律法规。", 5,
                 _per("n23-15-a", "相关法律法规宣传每年至少5次，每少一次扣1分。", 1, 5)),
        )),
        Category("bonus", "加分项", D(15), (
            _ind(16, "普法工作特色鲜明、工作实绩突出，获得市级以上表彰或通报表扬。", 5,
                 Rule("n23-16-a", "获得国家级表彰或通报表扬加5分，获得省级表彰或通报表扬加3分，获得市级表彰或通报表扬加2分。", "tier", tiers=LEVELS),
                 bonus=True),
            _ind(17, "参加全国法治动漫微视频评选活动或其他中央部委普法文创作品评选活动并获奖。", 5,
                 _fixed("n23-17-a", "加5分。", 5),
                 bonus=True),
            _ind(18, "获评市级以上法治宣传教育基地称号。", 5,
                 Rule("n23-18-a", "获得国家级法治宣传教育基地的，加5分，获得省级法治宣传教育基地的，加3分，获得市级法治宣传教育基地的，加2分。", "tier", tiers=LEVELS),
                 bonus=True),
        ), is_bonus=True),
    ),
)
