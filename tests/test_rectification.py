"""Rectification in full (issue 10): inspections, notices with 文号, working-day deadlines,
the bulk import, evidence, extensions as records, reassignment, bulk actions, the board,
exports, the unit's deadlines and ICS feed — through the pages and the API."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from docx import Document
from openpyxl import Workbook, load_workbook

from pufa_flow import clock
from pufa_flow.errors import ValidationFailed
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Inspection, ItemExtension, Notice, RectificationItem
from pufa_flow.services import board, inspections, items as item_service, notices, workflow
from pufa_flow.services.calendar import calendar, item_working_days_overdue

MONDAY = date(2026, 11, 2)  # a working day; Nov 2026 has no holidays


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0)  # 12:00 in Shanghai


@pytest.fixture
def world(make_unit, make_user, office_user):
    a, b = make_unit("区司法局"), make_unit("区财政局")
    return {"a": a, "b": b, "ua": make_user("unit", unit=a), "ub": make_user("unit", unit=b), "office": office_user}


def issued_notice(office, unit, items, on=MONDAY, **extra):
    with clock.frozen(noon(on)):
        return notices.create_notice({"unit_id": unit.id, "source": "inspection", "title": "整改通知书",
                                      "items": items, **extra}, actor=office)


# -- notices: draft → reviewed → issued, 文号, deadlines in working days ----------------
def test_draft_review_issue_numbers_per_year_and_starts_items(world):
    office, a = world["office"], world["a"]
    with clock.frozen(noon(MONDAY)):
        draft = notices.create_draft({"unit_id": a.id, "source": "other", "title": "关于区司法局的整改通知书",
                                      "items": [{"problem": "档案不全", "due_workdays": 10, "responsible": "张三"},
                                                {"problem": "未公示清单", "due_date": "2026-12-31"}]}, actor=office)
        assert draft.status == "draft" and draft.items == [] and draft.doc_number == ""
        workflow.fire(draft, "review", actor=office)
        notices.issue(draft, actor=office)
    assert draft.status == "issued" and draft.doc_number == "〔2026〕1号"
    first, second = draft.items
    # 10 working days from Monday 2 Nov: Monday 16 Nov
    assert first.due_date == date(2026, 11, 16) and first.due_workdays == 10 and first.responsible_person == "张三"
    assert second.due_date == date(2026, 12, 31) and first.status == "issued"
    other = issued_notice(office, world["b"], [{"problem": "问题", "due_date": "2026-12-01"}])
    assert other.doc_number == "〔2026〕2号"
    with pytest.raises(ValidationFailed) as exc:  # a number already used this year
        issued_notice(office, world["b"], [{"problem": "问题", "due_date": "2026-12-01"}], doc_seq=2)
    assert "已被使用" in str(exc.value.fields)
    actions = db.session.scalars(sa.select(AuditEvent.trigger).where(AuditEvent.object_type == "notice",
                                                                     AuditEvent.object_id == draft.id)).all()
    assert actions == [None, "review", "issue"]


@pytest.mark.parametrize("item,message", [
    ({"problem": "问题"}, "整改时限不能为空"),
    ({"problem": "问题", "due_date": "2026-10-01"}, "不能早于下发日期"),
    ({"problem": "问题", "due_workdays": 0}, "工作日"),
])
def test_an_item_without_a_deadline_or_before_issue_is_refused(world, item, message):
    with pytest.raises(ValidationFailed) as exc:
        issued_notice(world["office"], world["a"], [item])
    assert message in " ".join(exc.value.fields.values())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0


def test_notice_pages_draft_and_issue_through_the_ui(world, client, login):
    office, a = world["office"], world["a"]
    login(office)
    with clock.frozen(noon(MONDAY)):
        r = client.post("/inspections/new", data={"name": "2026年法治建设督查", "starts_on": "2026-10-12",
                                                  "ends_on": "2026-10-14", "bodies": "区委依法治区办",
                                                  "unit_ids": [str(a.id)]})
        assert r.status_code == 302
        inspection = db.session.scalars(sa.select(Inspection)).one()
        assert [u.name for u in inspection.units] == ["区司法局"]
        r = client.post(f"/notices/new?inspection_id={inspection.id}&unit_id={a.id}", data={
            "unit_id": a.id, "title": "关于区司法局督查问题的整改通知书",
            "problem": ["档案不全", ""], "requirement": ["补齐档案", ""], "category": ["archives", "other"],
            "responsible": ["李四", ""], "due_date": ["", ""], "due_workdays": ["5", ""]})
        assert r.status_code == 302, r.get_data(as_text=True)
        notice = db.session.scalars(sa.select(Notice)).one()
        assert notice.inspection_id == inspection.id and len(notice.draft_items) == 1
        assert client.get(f"/notices/{notice.id}").status_code == 200
        client.post(f"/transitions/notice/{notice.id}", data={"trigger": "review", "version": notice.version})
        client.post(f"/transitions/notice/{notice.id}", data={"trigger": "issue", "doc_seq": "3"})
    db.session.expire_all()
    notice = db.session.get(Notice, notice.id)
    assert notice.status == "issued" and notice.doc_number == "〔2026〕3号"
    assert notice.items[0].due_date == date(2026, 11, 9)
    page = client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert "〔2026〕3号" in page
    doc = Document(io.BytesIO(client.get(f"/notices/{notice.id}/document").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "〔2026〕3号" in text and "档案不全" in text


def test_a_unit_does_not_see_drafts(world, client, login):
    with clock.frozen(noon(MONDAY)):
        draft = notices.create_draft({"unit_id": world["a"].id, "source": "other", "title": "草稿",
                                      "items": [{"problem": "问题", "due_workdays": 5}]}, actor=world["office"])
    login(world["ua"])
    assert client.get(f"/notices/{draft.id}").status_code == 404
    assert "草稿" not in client.get("/notices/").get_data(as_text=True)


# -- the bulk import ------------------------------------------------------------------
def _workbook(rows, merged=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(inspections.COLUMNS))
    for r in rows:
        ws.append(r)
    for rng in merged or []:
        ws.merge_cells(rng)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def inspection(world):
    with clock.frozen(noon(MONDAY)):
        return inspections.create_inspection({"name": "全区2026年法治建设督查", "starts_on": "2026-10-12",
                                              "ends_on": "2026-10-14", "bodies": "督查组", "unit_ids": []},
                                             actor=world["office"])


def test_a_174_row_import_like_002_previews_and_confirms(world, inspection, make_unit):
    units = [world["a"], world["b"]] + [make_unit(f"乡镇{n}") for n in range(30)]
    forms = ["2026-12-05", "2026/12/05", "2026年12月5日", "2026.12.5", 46361, "15个工作日"]
    rows = [[n + 1, units[n % 32].name, f"问题{n + 1}", f"要求{n + 1}", "档案资料", "王五", forms[n % 6], None]
            for n in range(174)]
    data = _workbook(rows)
    with clock.frozen(noon(MONDAY)):
        preview = inspections.preview_import(inspection, "督查整改.xlsx", data)
        assert preview.ok and preview.rows == 174 and len(preview.groups) == 32 and preview.good_items == 174
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0  # preview writes nothing
        inspections.confirm_import(inspection, "督查整改.xlsx", data, actor=world["office"], issue=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 32
    items = db.session.scalars(sa.select(RectificationItem)).all()
    assert len(items) == 174 and {i.status for i in items} == {"issued"}
    dues = {i.problem: i.due_date for i in items}
    assert dues["问题1"] == dues["问题2"] == dues["问题3"] == dues["问题4"] == dues["问题5"] == date(2026, 12, 5)
    assert dues["问题6"] == calendar().add_workdays(MONDAY, 15)
    assert len(inspection.units) == 32


def test_import_rejects_rows_with_their_numbers_and_all_or_nothing(world, inspection):
    rows = [[1, "区司法局", "问题一", "", "", "", "2026-12-01", None],
            [2, "司法局", "问题二", "", "", "", "下个月", None],  # close name, nonsense date
            [None, None, None, None, None, None, None, None],  # an empty row
            [4, "区财政局", "", "", "", "", "2026-12-01", None],  # no problem
            [5, "区财政局", "问题五", "", "不存在的类别", "", None, None],
            [6, "区财政局", "问题六", "", "", "", "2026-10-01", None]]  # before the issue date
    data = _workbook(rows)
    with clock.frozen(noon(MONDAY)):
        preview = inspections.preview_import(inspection, "x.xlsx", data)
        errors = {(e.row, e.column): e.message for e in preview.errors}
        assert "是否为“区司法局”" in errors[(3, "责任单位")] and (3, "整改时限") in errors
        assert (5, "存在问题") in errors and (6, "问题类别") in errors and (6, "整改时限") in errors
        assert (7, "整改时限") in errors and preview.good_items == 1
        with pytest.raises(ValidationFailed):
            inspections.confirm_import(inspection, "x.xlsx", data, actor=world["office"])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
        inspections.confirm_import(inspection, "x.xlsx", data, actor=world["office"], only_valid=True)
    assert [n.unit.name for n in db.session.scalars(sa.select(Notice))] == ["区司法局"]


def test_import_merged_unit_cells_and_a_renamed_file(world, inspection):
    rows = [[1, "区司法局", "问题一", "", "", "", "2026-12-01", None],
            [2, None, "问题二", "", "", "", None, 10]]
    with clock.frozen(noon(MONDAY)):
        preview = inspections.preview_import(inspection, "x.xlsx", _workbook(rows, merged=["B2:B3"]))
        assert preview.ok and [len(g.items) for g in preview.groups] == [2]
        buffer = io.BytesIO()
        Document().save(buffer)
        bad = inspections.preview_import(inspection, "x.xlsx", buffer.getvalue())
    assert not bad.ok and "不是有效的 Excel" in bad.errors[0].message


def test_import_page_preview_then_confirm(world, inspection, client, login):
    login(world["office"])
    data = _workbook([[1, "区司法局", "问题一", "", "", "", "2026-12-01", None]])
    with clock.frozen(noon(MONDAY)):
        r = client.post(f"/inspections/{inspection.id}/import", data={"file": (io.BytesIO(data), "督查.xlsx")},
                        content_type="multipart/form-data")
        page = r.get_data(as_text=True)
        assert r.status_code == 200 and "将创建的整改通知书" in page
        token = page.split('name="token" value="')[1].split('"')[0]
        r = client.post(f"/inspections/{inspection.id}/import", data={"token": token, "filename": "督查.xlsx"})
    assert r.status_code == 302
    assert db.session.scalars(sa.select(Notice)).one().status == "draft"
    assert client.get("/inspections/import-template.xlsx").status_code == 200


# -- the unit's and the office's side ------------------------------------------------
@pytest.fixture
def item(world):
    (item,) = issued_notice(world["office"], world["a"], [{"problem": "档案不全", "due_date": "2026-11-13"}]).items
    return item


def test_extension_approved_with_another_date_and_one_denied(world, item):
    unit_user, office = world["ua"], world["office"]
    with clock.frozen(noon(date(2026, 11, 5))):
        item_service.fire_item(item, "acknowledge", actor=unit_user)
        item_service.fire_item(item, "request_extension", actor=unit_user, comment="经费未到位",
                               data={"new_due_date": "2026-12-31"})
        with pytest.raises(ValidationFailed):  # an earlier date than the current deadline
            item_service.fire_item(item, "approve_extension", actor=office, data={"approved_due_date": "2026-11-10"})
        item_service.fire_item(item, "approve_extension", actor=office, data={"approved_due_date": "2026-12-15"})
        item_service.fire_item(item, "request_extension", actor=unit_user, comment="再延",
                               data={"new_due_date": "2027-01-31"})
        item_service.fire_item(item, "deny_extension", actor=office, comment="理由不充分")
    first, second = item.extensions
    assert (first.status, first.old_due_date, first.requested_due_date, first.decided_due_date) == (
        "approved", date(2026, 11, 13), date(2026, 12, 31), date(2026, 12, 15))
    assert first.requested_by_id == unit_user.id and first.decided_by_id == office.id
    assert second.status == "denied" and second.decision_comment == "理由不充分"
    assert item.due_date == date(2026, 12, 15)


def test_working_days_overdue_and_waiting_apart(world, item):
    # due Friday 13 Nov; on Tuesday 17 Nov it is 2 working days late
    assert item_working_days_overdue(item, date(2026, 11, 13)) == 0
    assert item_working_days_overdue(item, date(2026, 11, 14)) == 1
    assert item_working_days_overdue(item, date(2026, 11, 17)) == 2
    with clock.frozen(noon(date(2026, 11, 17))):
        ids = lambda args: [i.id for i in db.session.scalars(item_service.filtered_items(world["office"], args))]  # noqa: E731
        assert ids({"overdue": "1"}) == [item.id] and ids({"age": "1-5"}) == [item.id] and ids({"age": "6-20"}) == []
        workflow.fire(item, "acknowledge", actor=world["ua"])
        workflow.fire(item, "submit", actor=world["ua"], data={"measures": "已补齐"})
        assert ids({"overdue": "1"}) == [] and ids({"waiting": "1"}) == [item.id]


def test_evidence_by_content_and_another_units_item(world, item, client, login):
    login(world["ua"])
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    r = client.post(f"/items/{item.id}/evidence", data={"files": [(io.BytesIO(png), "现场.png"),
                                                                  (io.BytesIO(b"%PDF-1.4 x"), "台账.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    evidence = item_service.evidence_of(item, world["office"])
    assert [a.original_name for a in evidence] == ["现场.png", "台账.pdf"]
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert f"/items/{item.id}/evidence/{evidence[0].id}/preview" in page
    assert client.get(f"/items/{item.id}/evidence/{evidence[0].id}/preview").status_code == 200
    client.post(f"/items/{item.id}/evidence", data={"files": [(io.BytesIO(b"MZ not a pdf"), "病毒.pdf")]},
                content_type="multipart/form-data")
    assert len(item_service.evidence_of(item, world["office"])) == 2  # refused by content
    client.post("/logout")
    login(world["ub"])
    assert client.get(f"/items/{item.id}").status_code == 404
    assert client.get(f"/attachments/{evidence[0].id}").status_code == 404
    assert client.post(f"/items/{item.id}/evidence", data={"files": [(io.BytesIO(png), "x.png")]},
                       content_type="multipart/form-data").status_code == 404


def test_a_unit_cannot_verify_its_own_item_and_sees_the_latest_word(world, item, client, login):
    workflow.fire(item, "acknowledge", actor=world["ua"])
    workflow.fire(item, "submit", actor=world["ua"], data={"measures": "已整改"})
    login(world["ua"])
    client.post(f"/transitions/item/{item.id}", data={"trigger": "verify"})
    assert db.session.get(RectificationItem, item.id).status == "submitted"
    workflow.fire(item, "send_back", actor=world["office"], comment="缺少会议记录照片")
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "缺少会议记录照片" in page.split('id="office-word"')[1][:400] and "已整改" in page  # measures kept


def test_reassign_is_audited_and_moves_visibility(world, item, client, login):
    item_service.reassign(item, world["b"].id, "职责调整", actor=world["office"])
    row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "item.reassign")).one()
    assert row.data == {"from_unit_id": world["a"].id, "to_unit_id": world["b"].id} and row.comment == "职责调整"
    login(world["ua"])
    assert client.get(f"/items/{item.id}").status_code == 404
    client.post("/logout")
    login(world["ub"])
    assert client.get(f"/items/{item.id}").status_code == 200


def test_bulk_verify_is_one_transaction(world):
    notice = issued_notice(world["office"], world["a"], [{"problem": f"问题{n}", "due_date": "2026-12-01"}
                                                         for n in range(3)])
    first, second, third = notice.items
    for i in (first, second):
        workflow.fire(i, "acknowledge", actor=world["ua"])
        workflow.fire(i, "submit", actor=world["ua"], data={"measures": "已整改"})
    with pytest.raises(item_service.BulkRefused) as refused:
        item_service.bulk([first.id, second.id, third.id], "verify", actor=world["office"])
    assert [r["item_id"] for r in refused.value.refusals] == [third.id]
    db.session.expire_all()
    assert {i.status for i in db.session.scalars(sa.select(RectificationItem))} == {"submitted", "issued"}
    assert item_service.bulk([first.id, second.id], "verify", actor=world["office"]).count == 2
    assert db.session.get(RectificationItem, first.id).status == "closed"


# -- the board, exports, deadlines --------------------------------------------------------
def test_board_numbers_match_a_hand_count_and_link_to_their_lists(world, client, login):
    office, ua = world["office"], world["ua"]
    notice = issued_notice(office, world["a"], [{"problem": f"问题{n}", "due_date": "2026-11-06"} for n in range(5)])
    late, waiting, on_time, closed_late, fresh = notice.items
    with clock.frozen(noon(date(2026, 11, 5))):
        for i in (on_time, waiting):
            workflow.fire(i, "acknowledge", actor=ua)
            workflow.fire(i, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(on_time, "verify", actor=office)
    with clock.frozen(noon(date(2026, 11, 10))):
        workflow.fire(closed_late, "acknowledge", actor=ua)
        workflow.fire(closed_late, "submit", actor=ua, data={"measures": "已整改"})
        workflow.fire(closed_late, "verify", actor=office)
        item_service.extend(fresh, date(2026, 12, 31), "统一延期", actor=office)
    with clock.frozen(noon(date(2026, 11, 17))):
        t = board.totals(office)
        # open: late, waiting, fresh; overdue (not waiting): late; 7 working days late
        assert (t["open"], t["overdue"], t["waiting"], t["closed_on_time"], t["closed_late"]) == (3, 1, 1, 1, 1)
        assert t["overdue_rate"] == round(100 * 2 / 5, 1)
        assert board.by_age(office)[1]["count"] == 1  # 6–20 working days
        assert board.by_unit(office)[0]["max_overdue_working_days"] == 7
        login(office)
        page = client.get("/board/").get_data(as_text=True)
        assert 'data-figure="closed_late" href="/items/?closed=late"' in page
        listed = client.get("/items/?closed=late").get_data(as_text=True)
        assert f'data-item-id="{closed_late.id}"' in listed and f'data-item-id="{on_time.id}"' not in listed
        listed = client.get("/items/?age=6-20").get_data(as_text=True)
        assert f'data-item-id="{late.id}"' in listed and listed.count("data-item-id=") == 1

        ledger = load_workbook(io.BytesIO(client.get("/exports/ledger.xlsx?overdue=1").data))
        ws = ledger.active
        assert ws.freeze_panes == "A2" and ws.max_row == 2 and ws.cell(2, 1).value == late.id
        assert ws.cell(2, 11).value.date() == date(2026, 11, 6)  # 整改时限 as a date
        bulletin = Document(io.BytesIO(client.get("/exports/overdue-bulletin.docx").data))
        cells = [c.text for t in bulletin.tables for row in t.rows for c in row.cells]
        assert "问题0" in cells and "7" in cells and "问题1" not in cells


def test_unit_deadlines_page_and_ics_feed(world, item, client, login):
    from pufa_flow.services.deadlines import feed_token

    login(world["ua"])
    with clock.frozen(noon(date(2026, 11, 17))):
        page = client.get("/items/deadlines").get_data(as_text=True)
    assert "逾期 2 个工作日" in page and "签收" in page
    r = client.get(f"/feeds/units/{world['a'].id}/{feed_token(world['a'].id)}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    from icalendar import Calendar

    events = Calendar.from_ical(r.data).walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == [date(2026, 11, 13)]
    # another unit's id with this unit's token, or a made-up token: nothing
    assert client.get(f"/feeds/units/{world['b'].id}/{feed_token(world['a'].id)}.ics").status_code == 404
    assert client.get(f"/feeds/units/{world['a'].id}/{'0' * 32}.ics").status_code == 404


# -- the API -----------------------------------------------------------------------------
def test_api_item_detail_overdue_and_notice_issue(world, client, token_for):
    office_h, unit_h = token_for(world["office"]), token_for(world["ua"])
    with clock.frozen(noon(MONDAY)):
        r = client.post("/api/v1/notices", json={"unit_id": world["a"].id, "source": "other", "title": "通知",
                                                 "draft": True,
                                                 "items": [{"problem": "问题", "due_date": "2026-11-06"}]},
                        headers=office_h)
        assert r.status_code == 201 and r.json["status"] == "draft", r.json
        notice_id = r.json["id"]
        for trigger in ("review", "issue"):
            r = client.post(f"/api/v1/notices/{notice_id}/transitions", json={"trigger": trigger}, headers=office_h)
            assert r.status_code == 200, r.json
        assert r.json["doc_number"] == "〔2026〕1号" and len(r.json["items"]) == 1
    item_id = r.json["items"][0]["id"]
    with clock.frozen(noon(date(2026, 11, 10))):
        detail = client.get(f"/api/v1/items/{item_id}", headers=unit_h).json
        assert detail["overdue_working_days"] == 2 and detail["is_overdue"] and detail["status"] == "issued"
        assert detail["allowed_triggers"] == ["acknowledge"] and detail["extensions"] == [] and detail["evidence"] == []
        r = client.post(f"/api/v1/items/{item_id}/evidence", data={"file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")},
                        headers=unit_h, content_type="multipart/form-data")
        assert r.status_code == 201 and r.json["evidence"][0]["name"] == "a.pdf"
        assert client.get(r.json["evidence"][0]["download_url"], headers=unit_h).status_code == 200
        overdue = client.get("/api/v1/overdue", headers=office_h).json
        assert overdue["totals"]["overdue"] == 1
        listed = client.get("/api/v1/items?overdue=1&sort=-due", headers=office_h).json
        assert [i["id"] for i in listed["items"]] == [item_id]
        assert client.get("/api/v1/items?sort=nonsense", headers=office_h).status_code == 400
        assert client.get(f"/api/v1/items/{item_id}", headers=token_for(world["ub"])).status_code == 404
