"""This year's filings in the demo: most filed, some late, one sent back and one still returned, a few missing.

Each step runs on the demo's frozen clock (demo._on) at the day it happened,
through the same services as real work, so lateness, audit times and the
board tell one story. 工作信息 counts are spread from 0 to 8 over the units.
"""
from __future__ import annotations

from datetime import date, timedelta

from . import filings, workflow
from .calendar import calendar, today

PDF = b"%PDF-1.4\n% pufa-flow demo filing\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
INFO_TITLES = ["开展“宪法宣传周”进机关活动", "举办领导干部专题学法讲座", "组织国家工作人员旁听庭审",
               "发布本系统以案释法典型案例", "开展民法典宣传月主题活动", "普法志愿者进社区服务",
               "更新单位门户网站普法专栏", "开展“谁执法谁普法”履职评议自查", "举办法治文艺作品展播"]


def load(units: dict, unit_users: dict, office, on) -> None:
    """``on(day, step)``: the demo's clock context manager."""
    year = today().year
    with on(date(year, 1, 5)):
        types = {ft.code: ft for ft in filings.install_defaults(year, actor=office)}
    cal = calendar()
    names = list(units)
    now = today()

    def file(code, name, day, step, **data):
        if day > now:
            return None
        with on(day, step):
            files = [(PDF, f"{name}{year}年{types[code].name}.pdf")] if code in ("plan", "report") else None
            return filings.file_filing(types[code].id, data, actor=unit_users[name], files=files)

    for i, name in enumerate(names):
        deadline = cal.effective_deadline(types["plan"].due_date)
        # 普法工作计划: three never filed, every seventh late, the rest in March
        if i % 12 != 5:
            late = i % 7 == 3
            day = cal.add_workdays(deadline, 2 + i % 4) if late else date(year, 3, 2) + timedelta(days=i % 25)
            plan = file("plan", name, day, i, note="经党组会研究通过")
            if plan is not None and name == "区城管局":  # sent back, not filed again yet
                with on(day + timedelta(days=3), i):
                    workflow.fire(plan, "return_for_revision", actor=office,
                                  comment="计划未明确年度普法重点任务和责任分工，请补充后重新报送")
            elif plan is not None and name == "区民政局":  # sent back and filed again
                with on(day + timedelta(days=2), i):
                    workflow.fire(plan, "return_for_revision", actor=office, comment="缺少党组会研究记录，请补充")
                file("plan", name, day + timedelta(days=6), i, note="已补充党组会研究记录")
            elif plan is not None and i % 2 == 0:
                with on(day + timedelta(days=4), i):
                    workflow.fire(plan, "receive", actor=office)
        # 普法责任清单 with its public URL: two missing, a few late
        if i % 17 != 8:
            late = i % 9 == 2
            day = cal.add_workdays(deadline, 1 + i % 3) if late else date(year, 3, 10) + timedelta(days=i % 18)
            file("duty_list", name, day, i, url=f"https://www.junshan.gov.cn/zwgk/pfzrqd/{i + 1:02d}.html")
        # 领导小组与联络员: names the people already on file, so contacts stay as the demo made them
        if i % 11 != 6:
            people = [{"role": c.role, "name": c.name, "phone": c.phone, "email": c.email}
                      for c in units[name].contacts]
            file("contacts", name, date(year, 1, 20) + timedelta(days=i % 30), i, people=people)
        # 年度履职报告 is due at the year's end: a few have filed early
        if i % 6 == 0:
            file("report", name, now - timedelta(days=3 + i % 10), i, note="本年度履职情况报告")
        # 工作信息: counts 0 to 8
        count = (i * 5) % 9
        for n in range(count):
            day = date(year, 2, 1) + timedelta(days=(n * 31 + i * 3) % 280)
            day = min(day, now)
            file("info", name, day, i * 10 + n, title=INFO_TITLES[(i + n) % len(INFO_TITLES)],
                 item_date=day.isoformat(), url=f"https://www.junshan.gov.cn/xwdt/{year}{i:02d}{n}.html")
