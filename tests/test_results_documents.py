"""考评情况通报 with the office's texts, and the results workbooks (ranking, panel score sheets).

The world: three city departments, submitted and accepted; panel member P1
scores all three, P2 only 部门甲 and 部门乙. Worked out from 附件2's rules:
  部门甲: P1 −2 (n23-03-c) → 98, P2 −4 (n23-11-a ×1) → 96; mean 97 → 优秀
  部门乙: P1 −5 (n23-06-c + n23-06-d) → 95, P2 98; mean 96.5, but the office designates 85 → 良好
  部门丙: P1 −4 −2 → 94 → 优秀 by threshold, 良好 by the quota of one 优秀; the office adjusts it to 合格
"""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from docx_reading import body_texts, open_docx
from helpers import IN_SELF_ASSESSMENT, assign, fill_self_assessment, new_cycle
from openpyxl import load_workbook

from pufa_flow import clock
from pufa_flow.errors import Conflict, Forbidden
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, CycleBulletin, UnitAssessment
from pufa_flow.services import bulletin, panel, results, self_assessment, workflow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(make_unit, make_user, office_user):
    with clock.frozen(IN_SELF_ASSESSMENT):
        units = [make_unit(n, has_enforcement_power=True) for n in ("部门甲", "部门乙", "部门丙")]
        unit_users = [make_user("unit", u) for u in units]
        cycle = new_cycle(office_user, units)
        workflow.fire(cycle, "start", actor=office_user)
        by_unit = {a.unit_id: a for a in db.session.scalars(sa.select(UnitAssessment))}
        a = [by_unit[u.id] for u in units]
        for x, user in zip(a, unit_users):
            fill_self_assessment(x, user, entries=())
            self_assessment.submit(x, actor=user)
            workflow.fire(x, "accept", actor=office_user)
        workflow.fire(cycle, "begin_field_research", actor=office_user)
        p1 = make_user("panel", username="p1")
        p1.display_name = "评议甲"
        p2 = make_user("panel", username="p2")
        p2.display_name = "评议乙"
        assign(p1, cycle, units)
        assign(p2, cycle, units[:2])
        sheets = [(a[0], p1, [{"rule_id": "n23-03-c"}]), (a[0], p2, [{"rule_id": "n23-11-a", "count": 1}]),
                  (a[1], p1, [{"rule_id": "n23-06-c"}, {"rule_id": "n23-06-d"}]), (a[1], p2, [{"rule_id": "n23-03-c"}]),
                  (a[2], p1, [{"rule_id": "n23-11-a", "count": 1}, {"rule_id": "n23-03-c"}])]
        for x, member, entries in sheets:
            panel.save_sheet(x, {"entries": entries}, actor=member)
            panel.submit_sheet(x, actor=member)
        workflow.fire(cycle, "begin_acceptance", actor=office_user)
        panel.finalize(a[0], actor=office_user)
        panel.finalize(a[1], actor=office_user, score="85", reason="实地调研发现台账缺失，评委会研究下调")
        panel.finalize(a[2], actor=office_user)
        results.save_rules(cycle, {"excellent_quota": 1, "quota_kind": "count"}, actor=office_user)
        results.adjust_grade(a[2], {"grade": "pass", "reason": "执法公示不全"}, actor=office_user)
        results.confirm_grades(cycle, actor=office_user)
        db.session.commit()
    return {"cycle": cycle, "a": a, "units": units, "unit_users": unit_users, "office": office_user,
            "p1": p1, "p2": p2}


def _rows(data: bytes, sheet=None):
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_ranking_lists_every_unit_with_each_member_and_the_reason(app, world, token_for):
    cycle = world["cycle"]
    response = app.test_client().get(f"/api/v1/cycles/{cycle.id}/ranking.xlsx", headers=token_for(world["office"]))
    assert response.status_code == 200 and response.mimetype == XLSX
    rows = _rows(response.data)
    assert rows[0] == ["名次", "单位", "单位类别", "自评得分", "评议：评议甲", "评议：评议乙", "最终得分", "等次", "调整理由"]
    assert rows[1:] == [
        [1, "部门甲", "市（区）直部门", 100, 98, 96, 97, "优秀", None],
        [2, "部门丙", "市（区）直部门", 100, 94, None, 94, "合格", "等次调整（规则等次：良好）：执法公示不全"],
        [3, "部门乙", "市（区）直部门", 100, 95, 98, 85, "良好", "指定得分：实地调研发现台账缺失，评委会研究下调"],
    ]


def test_each_panel_members_sheet_per_indicator_and_a_member_gets_only_their_own(app, world, token_for):
    cycle = world["cycle"]
    office = app.test_client().get(f"/api/v1/cycles/{cycle.id}/panel-scores.xlsx", headers=token_for(world["office"]))
    assert office.status_code == 200
    wb = load_workbook(io.BytesIO(office.data))
    assert wb.sheetnames == ["评议甲", "评议乙"]
    rows = _rows(office.data, "评议甲")
    header = rows[1]
    assert header[0] == "单位" and header[-2:] == ["合计", "状态"]
    assert [r[0] for r in rows[2:]] == ["部门丙", "部门乙", "部门甲"]
    totals = {r[0]: r[-2] for r in rows[2:]}
    assert totals == {"部门甲": 98, "部门乙": 95, "部门丙": 94}
    # the per-indicator cells add up to the total, and 部门甲's sheet lost its 2 points on indicator 3 (报送)
    col3 = next(i for i, h in enumerate(header) if h.startswith("3. "))
    for r in rows[2:]:
        assert sum(v for v in r[1:-2] if v is not None) == r[-2]
    jia = next(r for r in rows[2:] if r[0] == "部门甲")
    max3 = float(header[col3].rsplit("（", 1)[1].rstrip("分）"))
    assert jia[col3] == max3 - 2

    own = app.test_client().get(f"/api/v1/cycles/{cycle.id}/panel-scores.xlsx", headers=token_for(world["p2"]))
    assert own.status_code == 200
    wb = load_workbook(io.BytesIO(own.data))
    assert wb.sheetnames == ["评议乙"]
    assert sorted(r[0] for r in _rows(own.data, "评议乙")[2:]) == ["部门乙", "部门甲"]
    # units and evaluators have no such download; panel members have no ranking
    assert app.test_client().get(f"/api/v1/cycles/{cycle.id}/panel-scores.xlsx",
                                 headers=token_for(world["unit_users"][0])).status_code == 403
    assert app.test_client().get(f"/api/v1/cycles/{cycle.id}/ranking.xlsx",
                                 headers=token_for(world["p1"])).status_code == 403


def test_the_pages_offer_the_workbooks_to_the_office_and_leaders(client, login, world, make_user):
    cycle = world["cycle"]
    login(make_user("viewer", username="leader"))
    page = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/ranking.xlsx"' in page and f'href="/cycles/{cycle.id}/bulletin/text"' in page
    response = client.get(f"/cycles/{cycle.id}/ranking.xlsx")
    assert response.status_code == 200 and [r[1] for r in _rows(response.data)[1:]] == ["部门甲", "部门丙", "部门乙"]
    assert client.get(f"/cycles/{cycle.id}/panel-scores.xlsx").status_code == 200
    # a leader reads the bulletin's texts but cannot change them
    assert client.get(f"/cycles/{cycle.id}/bulletin/text").status_code == 200
    assert client.post(f"/cycles/{cycle.id}/bulletin/text", data={"achievements": "改"}).status_code in (400, 403)
    assert db.session.get(CycleBulletin, cycle.id) is None


TEXTS = {
    "method": "经区委依法治区办研究，区守法普法协调小组组成督查考核组，于10月9日至13日，采取各单位自查、实地察看、听取汇报、上报佐证等方式",
    "achievements": "（一）强化普法责任制工作保障。各单位均成立了工作领导小组。\n（二）对内普法，不断加强法治素养。",
    "problems": "一是少数单位对普法工作重视程度不高。",
    "next_steps": "（一）要进一步强化普法意识。\n（二）要进一步加强普法培训。",
}


def test_the_office_writes_the_bulletin_and_the_word_file_carries_it_with_the_counts(app, world, token_for):
    cycle, office = world["cycle"], world["office"]
    headers = token_for(office)
    put = app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text", json={**TEXTS, "version": 0},
                                headers=headers)
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["version"] == 1 and put.get_json()["editable"] is True
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "bulletin.save")).one()
    assert event.object_id == cycle.id and set(event.data["changed"]) == set(TEXTS)
    # a stale form is refused and changes nothing
    stale = app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text",
                                  json={"problems": "覆盖", "version": 0}, headers=headers)
    assert stale.status_code == 409
    assert db.session.get(CycleBulletin, cycle.id).problems == TEXTS["problems"]

    docx = app.test_client().get(f"/api/v1/cycles/{cycle.id}/bulletin", headers=headers)
    doc = open_docx(docx.data)
    texts = body_texts(doc)
    opening = next(t for t in texts if "进行了督查考评" in t)
    assert opening == (TEXTS["method"] + "，对3个普法责任单位进行了督查考评，有1个单位评为优秀等次，有1个单位评为良好等次，"
                       "有1个单位评为合格等次（见附件），现将考评情况通报如下：")
    for heading in ("一、取得的工作成效", "二、存在的问题", "三、下一步工作措施"):
        assert heading in texts
    for line in (*TEXTS["achievements"].split("\n"), TEXTS["problems"], *TEXTS["next_steps"].split("\n")):
        assert line in texts
    assert "（此部分由普法办撰写。）" not in texts
    # the annex: one four-column table per grade, the units of that grade
    annex = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert annex[:3] == [["部门甲", "", "", ""], ["部门乙", "", "", ""], ["部门丙", "", "", ""]]
    assert "一、优秀等次单位（1个）" in texts and "四、不合格等次单位（0个）" in texts
    assert not any("表彰" in t for t in texts)

    # commendations, once recorded, follow the office's sections
    results.add_commendation(cycle, {"kind": "collective", "unit_id": world["units"][0].id}, actor=office)
    results.add_commendation(cycle, {"kind": "individual", "unit_id": world["units"][1].id, "person_name": "李明",
                                     "post": "法规科科长"}, actor=office)
    db.session.commit()
    texts = body_texts(open_docx(app.test_client().get(f"/api/v1/cycles/{cycle.id}/bulletin", headers=headers).data))
    at = texts.index("四、表彰情况")
    assert texts[at + 1:at + 4] == ["经研究，决定对以下单位和个人予以通报表扬：", "先进集体（1个）：部门甲。",
                                    "先进个人（1名）：部门乙李明（法规科科长）。"]


def test_bad_texts_and_other_roles_are_refused_and_an_archived_cycle_is_read_only(app, world, token_for):
    cycle, office = world["cycle"], world["office"]
    bad = app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text",
                                json={"achievements": "x" * (bulletin.MAX_TEXT + 1), "problems": "好"},
                                headers=token_for(office))
    assert bad.status_code == 422 and "achievements" in bad.get_json()["error"]["details"]["fields"]
    extra = app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text", json={"grades": "优秀"},
                                  headers=token_for(office))
    assert extra.status_code in (400, 422)
    assert db.session.get(CycleBulletin, cycle.id) is None
    with pytest.raises(Forbidden):
        bulletin.save(cycle, {"problems": "x"}, actor=world["p1"])
    assert app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text", json={"problems": "x"},
                                 headers=token_for(world["unit_users"][0])).status_code == 403

    with clock.frozen(IN_SELF_ASSESSMENT):
        results.publish_results(cycle, actor=office)
        results.archive(cycle, actor=office)
    db.session.commit()
    with pytest.raises(Conflict):
        bulletin.save(cycle, {"problems": "归档后"}, actor=office)
    refused = app.test_client().put(f"/api/v1/cycles/{cycle.id}/bulletin/text", json={"problems": "归档后"},
                                    headers=token_for(office))
    assert refused.status_code == 409 and "归档" in refused.get_json()["error"]["message"]
    assert app.test_client().get(f"/api/v1/cycles/{cycle.id}/bulletin/text",
                                 headers=token_for(office)).get_json()["editable"] is False


def test_the_bulletin_page_saves_and_shows_errors_beside_the_field(client, login, world):
    cycle = world["cycle"]
    login(world["office"])
    page = client.get(f"/cycles/{cycle.id}/bulletin/text").get_data(as_text=True)
    assert 'name="achievements"' in page and "下载考评情况通报" in page
    response = client.post(f"/cycles/{cycle.id}/bulletin/text", data={**TEXTS, "version": "0"})
    assert response.status_code == 302
    assert db.session.get(CycleBulletin, cycle.id).next_steps == TEXTS["next_steps"]
    long = client.post(f"/cycles/{cycle.id}/bulletin/text",
                       data={**TEXTS, "problems": "长" * (bulletin.MAX_TEXT + 1), "version": "1"})
    assert long.status_code == 422
    body = long.get_data(as_text=True)
    assert "存在的问题不能超过" in body
    db.session.expire_all()
    assert db.session.get(CycleBulletin, cycle.id).problems == TEXTS["problems"]


def test_a_panel_member_downloads_their_own_sheets_from_the_worklist(client, login, world):
    cycle = world["cycle"]
    login(world["p2"])
    page = client.get("/worklist").get_data(as_text=True)
    assert f'href="/cycles/{cycle.id}/panel-scores.xlsx"' in page
    response = client.get(f"/cycles/{cycle.id}/panel-scores.xlsx")
    assert response.status_code == 200 and load_workbook(io.BytesIO(response.data)).sheetnames == ["评议乙"]
    assert client.get(f"/cycles/{cycle.id}/ranking.xlsx").status_code == 403
