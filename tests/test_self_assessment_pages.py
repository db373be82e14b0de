"""The 自评 pages: creating a cycle, the office's board, the workspace forms, and the exports."""
from __future__ import annotations

import functools
import io
import re
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from docx_reading import open_docx
from helpers import IN_SELF_ASSESSMENT, fill_self_assessment, new_cycle
from openpyxl import load_workbook

from pufa_flow import clock
from pufa_flow.cli import main
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Cycle, FrameworkVersion, SelfAssessment, UnitAssessment, WorkdayOverride
from pufa_flow.services import self_assessment, workflow

AFTER_DUE = datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def board(make_unit, make_user, office_user):
    """Six departments of one started cycle: 2 pending (one extended), 1 submitted, 1 returned, 2 accepted."""
    with clock.frozen(IN_SELF_ASSESSMENT):
        units = [make_unit(n) for n in ("区司法局", "区财政局", "区教育局", "区民政局", "区审计局", "区统计局")]
        users = {u.name: make_user("unit", u) for u in units}
        cycle = new_cycle(office_user, units)
        workflow.fire(cycle, "start", actor=office_user)
        by_name = {a.unit.name: a for a in db.session.scalars(sa.select(UnitAssessment))}
        for name in ("区教育局", "区民政局", "区审计局", "区统计局"):
            fill_self_assessment(by_name[name], users[name], entries=[{"rule_id": "n23-04-a", "count": 1}])
            self_assessment.submit(by_name[name], actor=users[name])
        workflow.fire(by_name["区民政局"], "return_for_revision", actor=office_user, comment="问题清单缺少数据")
        for name in ("区审计局", "区统计局"):
            workflow.fire(by_name[name], "accept", actor=office_user)
    from pufa_flow.services.cycles import extend_deadline
    with clock.frozen(AFTER_DUE):
        extend_deadline(by_name["区财政局"], "2026-11-20", "机构调整", actor=office_user)
    return {"cycle": cycle, "a": by_name, "users": users, "office": office_user}


def test_board_counts_match_the_database_and_each_links_to_its_rows(client, login, board):
    login(board["office"])
    cycle = board["cycle"]
    with clock.frozen(AFTER_DUE):
        html = client.get(f"/cycles/{cycle.id}").get_data(as_text=True)
        shown = {k: int(v) for k, v in re.findall(r'data-count="(\w+)">[^<\d]*(\d+)<', html)}
        in_db = dict(db.session.execute(sa.select(UnitAssessment.status, sa.func.count())
                                        .where(UnitAssessment.cycle_id == cycle.id)
                                        .group_by(UnitAssessment.status)).all())
        assert {k: v for k, v in shown.items() if k != "late"} == {"pending": 2, "submitted": 1, "returned": 1,
                                                                    "accepted": 2} == in_db
        # late: past 11-05 and not extended: 区司法局 (pending) and 区民政局 (returned)
        assert shown["late"] == 2
        assert "还有3个单位未提交自评材料（待自评2个、退回修改1个）" in html
        assert "您没有可执行的操作" not in html  # the office's forced step is a form below
        assert "今天：2026年11月10日" in html or "今天 2026年11月10日" in html
        late_page = client.get(f"/cycles/{cycle.id}?late=1").get_data(as_text=True)
        listed = re.findall(r'<tr class="late"><td><a [^>]*>([^<]+)</a>', late_page)
        assert sorted(listed) == ["区司法局", "区民政局"]
        pending = client.get(f"/cycles/{cycle.id}?status=pending").get_data(as_text=True)
        assert "区财政局" in pending and "区教育局" not in pending


def test_returned_reason_is_at_the_top_of_the_units_workspace(client, login, board):
    login(board["users"]["区民政局"])
    with clock.frozen(IN_SELF_ASSESSMENT):
        html = client.get(f"/cycles/assessments/{board['a']['区民政局'].id}").get_data(as_text=True)
    assert html.index("问题清单缺少数据") < html.index("<h1>")
    # another unit's workspace is a 404, and so are its downloads
    other = board["a"]["区教育局"].id
    for path in (f"/cycles/assessments/{other}", f"/cycles/assessments/{other}/self-score.docx",
                 f"/cycles/assessments/{other}/problems.docx"):
        assert client.get(path).status_code == 404, path


def test_sheet_form_saves_and_a_refused_form_keeps_what_was_typed(client, login, board):
    a = board["a"]["区司法局"]
    login(board["users"]["区司法局"])
    with clock.frozen(IN_SELF_ASSESSMENT):
        r = client.post(f"/cycles/assessments/{a.id}/sheet", data={
            "use_n23-03-a": "1", "note_n23-03-a": "计划未印发", "use_n23-04-a": "1", "count_n23-04-a": "2"})
        assert r.status_code == 302
        ws = db.session.get(SelfAssessment, a.id)
        assert ws.entries == [{"rule_id": "n23-03-a", "note": "计划未印发"}, {"rule_id": "n23-04-a", "count": 2}]
        r = client.post(f"/cycles/assessments/{a.id}/sheet", data={
            "use_n23-05-a": "1", "note_n23-05-a": "经费未列支", "use_n23-04-a": "1", "count_n23-04-a": "-3"})
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and "数量不能为负数" in html and "经费未列支" in html
        db.session.expire_all()
        assert len(db.session.get(SelfAssessment, a.id).entries) == 2  # the refused sheet saved nothing
        r = client.post(f"/cycles/assessments/{a.id}/upload", data={
            "kind": "report", "file": (io.BytesIO(b"#!/bin/sh"), "报告.sh")}, content_type="multipart/form-data",
            follow_redirects=True)
        assert "自评报告只接受" in r.get_data(as_text=True)


def test_office_extends_a_deadline_on_the_page_with_a_reason(client, login, board):
    a = board["a"]["区司法局"]
    login(board["office"])
    with clock.frozen(AFTER_DUE):
        r = client.post(f"/cycles/assessments/{a.id}/extend", data={"new_due_date": "2026-11-18", "reason": ""},
                        follow_redirects=True)
        assert "延期理由不能为空" in r.get_data(as_text=True)
        client.post(f"/cycles/assessments/{a.id}/extend", data={"new_due_date": "2026-11-18", "reason": "负责人出差"})
    db.session.expire_all()
    assert db.session.get(UnitAssessment, a.id).extended_due_on == date(2026, 11, 18)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "assessment.extend",
                                                           AuditEvent.object_id == a.id)).one()
    assert event.comment == "负责人出差"


def test_new_cycle_page_from_the_template_by_kind_and_by_hand(client, login, office_user, make_unit):
    depts = [make_unit("区司法局"), make_unit("区财政局")]
    county = make_unit("新建区", kind="county")
    make_unit("某镇", kind="town")
    db.session.add(WorkdayOverride(day=date(2027, 11, 5), is_workday=False, note="临时调整"))
    db.session.commit()
    login(office_user)
    r = client.post("/cycles/new", data={"name": "2027年度考评", "year": "2027", "template": "nanchang-003",
                                         "action": "prefill"})
    html = r.get_data(as_text=True)
    # 2027-10-16 is a Saturday → Monday 10-18; 11-05 made a holiday → Monday 11-08
    assert 'name="self_assessment_start" value="2027-10-18"' in html
    assert 'name="self_assessment_due" value="2027-11-08"' in html
    assert 'name="field_research_start" value="2027-11-09"' in html
    r = client.post("/cycles/new", data={"name": "2027年度考评", "year": "2027", "template": "nanchang-003",
                                         "unit_kinds": "city_department", "unit_ids": str(county.id),
                                         "action": "create"})
    assert r.status_code == 302
    cycle = db.session.scalars(sa.select(Cycle)).one()
    assert sorted(a.unit.name for a in cycle.assessments) == sorted([d.name for d in depts] + ["新建区"])
    assert cycle.phase("results").due_on == date(2028, 1, 25)
    assert {f.unit_kind: f.code for f in cycle.frameworks}["county"] == "nanchang-county-checklist-2023"
    r = client.post("/cycles/new", data={"name": "", "year": "20x", "action": "create"})
    assert r.status_code == 200 and "周期名称不能为空" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cycle)) == 1


def test_word_exports_open_with_python_docx_in_order(client, login, board):
    a = board["a"]["区教育局"]
    login(board["office"])
    doc = open_docx(client.get(f"/cycles/assessments/{a.id}/self-score.docx").data)
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    numbered = [r[1] for r in rows if re.match(r"^\d+\.", r[1])]
    assert [int(t.split(".")[0]) for t in numbered] == list(range(1, 19))
    row4 = next(r for r in rows if r[1].startswith("4."))
    assert row4[2] == "5分" and row4[-1] == "4" and "扣1分：每少报送1条工作信息扣1分" in row4[4]
    assert rows[-1][0] == "合计" and rows[-1][-1] == "99"
    problems = open_docx(client.get(f"/cycles/assessments/{a.id}/problems.docx").data)
    texts = [p.text for p in problems.paragraphs if p.text.strip()]
    assert texts[0] == "区教育局“八五”普法规划中期评估问题清单"
    assert texts[1].startswith("1.普法形式单一。具体表现")


def test_self_scores_workbook_has_every_unit(client, login, board):
    login(board["office"])
    r = client.get(f"/cycles/{board['cycle'].id}/self-scores.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and rows[0][-2] == "自测总分"
    by_unit = {row[0]: row for row in rows[1:]}
    assert set(by_unit) == set(board["a"])
    assert by_unit["区审计局"][-2] == 99 and by_unit["区审计局"][2] == "已受理"
    assert by_unit["区司法局"][-2] is None
    client.post("/logout")
    login(board["users"]["区司法局"])
    assert client.get(f"/cycles/{board['cycle'].id}/self-scores.xlsx").status_code == 403


def test_frameworks_seed_command_is_idempotent(app, runner, monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    cli = functools.partial(runner.invoke, main)
    first = cli(["frameworks", "seed"])
    assert first.exit_code == 0 and "已写入" in first.output
    assert cli(["frameworks", "seed"]).output.strip() == "指标体系库已是最新，无需写入。"
    rows = db.session.scalars(sa.select(FrameworkVersion)).all()
    assert sorted(r.code for r in rows) == ["nanchang-2023", "nanchang-county-checklist-2023"]
    listing = cli(["frameworks", "list"]).output
    assert "nanchang-2023\t2023\t评分表\t可编辑" in listing


def test_framework_library_pages_copy_edit_and_refuse_frozen(client, login, board):
    """The cycle's copy is frozen (started); the library's source is frozen too (a started cycle
    was copied from it); a copy for next year is editable, and a sum that no longer adds up is refused."""
    from pufa_flow.services import frameworks

    login(board["office"])
    cycle_copy = board["cycle"].framework_for("city_department")
    r = client.post(f"/frameworks/{cycle_copy.id}", data={"rule_n23-03-a_text": "改"})
    assert r.status_code == 422 and "不能再修改" in r.get_data(as_text=True)
    source = next(f for f in frameworks.library() if f.code == "nanchang-2023")
    html = client.get("/frameworks/").get_data(as_text=True)
    assert "已冻结" in html and source.name in html
    r = client.post(f"/frameworks/{source.id}/copy", data={"version": "2027"})
    new = db.session.scalars(sa.select(FrameworkVersion).where(FrameworkVersion.version == "2027")).one()
    assert r.headers["Location"].endswith(f"/frameworks/{new.id}")
    r = client.post(f"/frameworks/{new.id}", data={"rule_n23-03-a_text": "未制定年度普法工作计划的，扣4分"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, new.id).framework.rule("n23-03-a")[1].text == "未制定年度普法工作计划的，扣4分"
    r = client.post(f"/frameworks/{new.id}", data={"ind_3_max": "12"})  # 组织领导保障 would be 27
    assert r.status_code == 422 and "not 25" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FrameworkVersion, new.id).framework.indicators()[2].max_points == 10
    assert db.session.get(FrameworkVersion, cycle_copy.id).definition == source.definition


def test_cycle_edit_page_changes_dates_with_an_audit_row(client, login, board):
    login(board["office"])
    cycle = board["cycle"]
    data = {"name": cycle.name}
    for p in cycle.phases:
        data[f"{p.phase}_start"], data[f"{p.phase}_due"] = p.starts_on.isoformat(), p.due_on.isoformat()
    data["self_assessment_due"] = "2026-11-09"
    assert client.post(f"/cycles/{cycle.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Cycle, cycle.id).phase("self_assessment").due_on == date(2026, 11, 9)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "cycle.update")).one()
    assert event.data["phases"]["self_assessment"][1] == ["2026-10-15", "2026-11-09"]
    data["self_assessment_due"] = "2026-10-01"  # before its start
    r = client.post(f"/cycles/{cycle.id}/edit", data=data)
    assert r.status_code == 200 and "开始日期晚于截止日期" in r.get_data(as_text=True)


def test_a_stale_workspace_form_is_refused_not_silently_overwritten(client, login, board):
    a = board["a"]["区司法局"]
    login(board["users"]["区司法局"])
    with clock.frozen(IN_SELF_ASSESSMENT):
        form = {"problem_title": "问题甲", "problem_body": "内容甲", "ws_version": "0"}
        assert client.post(f"/cycles/assessments/{a.id}/problems", data=form).status_code == 302
        # a second tab still shows version 0: its save is refused with a reason
        r = client.post(f"/cycles/assessments/{a.id}/problems", data={**form, "problem_title": "问题乙"},
                        follow_redirects=True)
        assert "已被本单位其他人修改" in r.get_data(as_text=True)
        db.session.expire_all()
        ws = db.session.get(SelfAssessment, a.id)
        assert [p["title"] for p in ws.problems] == ["问题甲"] and ws.version == 1
        r = client.post(f"/cycles/assessments/{a.id}/problems", data={**form, "problem_title": "问题乙",
                                                                      "ws_version": "1"})
        db.session.expire_all()
        assert db.session.get(SelfAssessment, a.id).version == 2
