"""Importing units and contacts from .xlsx and .csv: all rows or none."""
from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from pufa_flow.cli import main as cli_main
from pufa_flow.extensions import db
from pufa_flow.models import UNIT_KINDS, AuditEvent, Contact, Unit
from pufa_flow.services.imports import COLUMNS, MAX_ROWS, MSG_NOT_XLSX, import_units

HEADER = list(COLUMNS)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- helpers -----------------------------------------------------------------
def row(name, kind="市直部门", parent=None, power=None, **contacts):
    """A data row in HEADER order; contacts by column name, e.g. 联络员电话="…"."""
    values = {"单位名称": name, "单位类别": kind, "上级单位": parent, "执法权限": power, **contacts}
    unknown = set(values) - set(HEADER)
    assert not unknown, unknown
    return [values.get(c) for c in HEADER]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    if header is not None:
        ws.append(header)
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    return buffer.getvalue().encode(encoding)


def count(model=Unit) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def unit_named(name: str) -> Unit:
    db.session.expire_all()
    return db.session.scalars(sa.select(Unit).where(Unit.name == name)).one()


def messages(report):
    return [(e.row, e.column, e.message) for e in report.errors]


def rejected(filename, data, *, expect_row, expect_column, expect_text):
    """Import must fail, name the row and column, and leave the tables as they were."""
    units_before, contacts_before, audit_before = count(), count(Contact), count(AuditEvent)
    report = import_units(filename, data)
    assert not report.ok and report.created == 0
    hits = [e for e in report.errors if e.row == expect_row and e.column == expect_column
            and expect_text in e.message]
    assert hits, messages(report)
    assert (count(), count(Contact), count(AuditEvent)) == (units_before, contacts_before, audit_before)
    return report


GOOD_ROWS = [
    # child first: its parent appears later in the same file
    row("城关镇", "乡镇（街道）", parent="某某县", power="否",
        联络员="王五", 联络员电话=13800138002.0, 联络员邮箱="wangwu@example.cn"),
    row("某某县", "县区", power="是",
        主要负责人="张三", 主要负责人电话="13800138000", 主要负责人邮箱="zs@example.cn",
        分管领导="李四", 分管领导电话="0791-83986751"),
    row("区司法局", "city_department", parent="市司法局", power="是"),
    None,  # a blank row is skipped
    row("某某县司法局", "市直部门", parent="某某县"),
]


def good_rows_for(fmt):
    if fmt == "xlsx":
        return GOOD_ROWS
    return [r if r is not None else [""] * len(HEADER) for r in GOOD_ROWS]


# -- happy paths -------------------------------------------------------------
@pytest.mark.parametrize("fmt,encoding", [("xlsx", None), ("csv", "utf-8-sig"), ("csv", "utf-8"),
                                          ("csv", "gb18030")])
def test_import_creates_units_contacts_and_parents(app, make_unit, fmt, encoding):
    city = make_unit("市司法局")
    rows = [r if r is not None else [None] * len(HEADER) for r in GOOD_ROWS]
    if fmt == "xlsx":
        data, name = xlsx_bytes(rows), "名册.xlsx"
    else:
        data, name = csv_bytes(rows, encoding=encoding), "名册.csv"

    report = import_units(name, data)

    assert report.ok, messages(report)
    assert report.created == 4 and report.rows == 4
    assert count() == 5
    county, town = unit_named("某某县"), unit_named("城关镇")
    assert county.kind == "county" and county.has_enforcement_power is True and county.parent_id is None
    assert town.kind == "town" and town.parent_id == county.id and town.has_enforcement_power is False
    assert unit_named("区司法局").parent_id == city.id
    assert unit_named("某某县司法局").parent_id == county.id
    assert [(c.role, c.name, c.phone, c.email) for c in town.contacts] == [
        ("liaison", "王五", "13800138002", "wangwu@example.cn")]
    assert {(c.role, c.name, c.phone) for c in county.contacts} == {
        ("principal", "张三", "13800138000"), ("leader", "李四", "0791-83986751")}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "units.import")).all()
    assert len(events) == 1 and events[0].data == {"filename": name, "count": 4}


def test_columns_in_any_order_and_optional_columns(app):
    header = ["单位类别", "单位名称"]
    rows = [["其他", "甲单位"], ["县\uff08市、区\uff09", "乙县"], [UNIT_KINDS["town"], "丙镇"], ["county", "丁县"]]
    report = import_units("a.xlsx", xlsx_bytes(rows, header=header))
    assert report.ok, messages(report)
    assert [unit_named(n).kind for n in ("甲单位", "乙县", "丙镇", "丁县")] == ["other", "county", "town", "county"]


def test_child_of_new_parent_may_share_a_top_level_name(app, make_unit):
    make_unit("司法所", kind="other")  # top-level unit already in the database
    report = import_units("a.csv", csv_bytes([row("甲镇", "乡镇"), row("司法所", "其他", parent="甲镇")]))
    assert report.ok, messages(report)
    assert unit_named("甲镇").id == db.session.scalar(
        sa.select(Unit.parent_id).where(Unit.name == "司法所", Unit.parent_id.is_not(None)))


def test_template_download_round_trips(app, client, office_user, login):
    login(office_user)
    response = client.get("/units/import/template.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX_MIME
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == HEADER
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["A"].width > 10
    assert ws.cell(row=2, column=1).value  # one example row
    report = import_units("模板.xlsx", response.data)
    assert report.ok and report.created == 1, messages(report)


# -- rejected files: the right message on the right row, nothing written ------
def test_wrong_header_names_unknown_and_missing_columns(app):
    header = ["单位名字", "单位类别", "电话"]
    report = rejected("a.xlsx", xlsx_bytes([["甲", "其他", "1"]], header=header),
                      expect_row=1, expect_column="表头", expect_text="无法识别的列：单位名字、电话")
    assert "缺少必需的列：单位名称" in report.errors[0].message


def test_unknown_kind(app):
    rejected("a.csv", csv_bytes([row("甲单位"), row("乙单位", kind="省直部门")]),
             expect_row=3, expect_column="单位类别", expect_text="单位类别不正确：省直部门")


def test_malformed_phone(app):
    rejected("a.xlsx", xlsx_bytes([row("甲单位", 主要负责人="张三", 主要负责人电话="12345")]),
             expect_row=2, expect_column="主要负责人电话", expect_text="电话号码格式不正确：12345")


def test_malformed_email(app):
    rejected("a.xlsx", xlsx_bytes([row("甲单位"), row("乙单位", 联络员="李四", 联络员邮箱="lisi@@x")]),
             expect_row=3, expect_column="联络员邮箱", expect_text="电子邮箱格式不正确")


def test_contact_phone_without_name(app):
    rejected("a.xlsx", xlsx_bytes([row("甲单位", 分管领导电话="13800138000")]),
             expect_row=2, expect_column="分管领导", expect_text="没有填写分管领导姓名")


def test_bad_enforcement_flag(app):
    rejected("a.csv", csv_bytes([row("甲单位", power="也许")]),
             expect_row=2, expect_column="执法权限", expect_text="执法权限应为“是”或“否”")


def test_duplicate_within_file(app):
    rejected("a.csv", csv_bytes([row("甲单位"), row("乙单位"), row("甲单位")]),
             expect_row=4, expect_column="单位名称", expect_text="与第 2 行重名")


def test_same_name_under_different_parents_is_fine(app):
    report = import_units("a.csv", csv_bytes([
        row("甲县", "县区"), row("乙县", "县区"),
        row("司法所", "其他", parent="甲县"), row("司法所", "其他", parent="乙县")]))
    assert report.ok, messages(report)


def test_duplicate_against_database(app, make_unit):
    county = make_unit("甲县", kind="county")
    make_unit("城关镇", kind="town", parent_id=county.id)
    rejected("a.xlsx", xlsx_bytes([row("新单位"), row("城关镇", "乡镇", parent="甲县")]),
             expect_row=3, expect_column="单位名称", expect_text="同一上级单位下已有名为“城关镇”的单位")


def test_unknown_parent(app):
    rejected("a.xlsx", xlsx_bytes([row("城关镇", "乡镇", parent="不存在县")]),
             expect_row=2, expect_column="上级单位", expect_text="上级单位“不存在县”不存在")


def test_parent_cycle(app):
    report = rejected("a.csv", csv_bytes([row("甲", parent="乙"), row("乙", parent="甲"), row("丙", parent="丙"),
                                          row("丁", parent="甲")]),
                      expect_row=2, expect_column="上级单位", expect_text="上级单位形成循环：甲 → 乙 → 甲")
    assert (3, "上级单位", "上级单位形成循环：乙 → 甲 → 乙") in messages(report)
    assert not [e for e in report.errors if e.row == 5]  # 丁 only hangs below the cycle
    assert any(e.row == 4 and "不能是本单位" in e.message for e in report.errors)


def test_ambiguous_parent(app):
    rejected("a.csv", csv_bytes([row("甲县", "县区"), row("乙县", "县区"), row("所", "其他", parent="甲县"),
                                 row("所", "其他", parent="乙县"), row("组", "其他", parent="所")]),
             expect_row=6, expect_column="上级单位", expect_text="有重名")


@pytest.mark.parametrize("name,bad", [("<script>alert(1)</script>", "<"),
                                      ("区司法局'; DROP TABLE units;--", "'")])
def test_markup_and_sql_in_names_are_refused(app, make_unit, name, bad):
    make_unit("已有单位")
    report = rejected("a.xlsx", xlsx_bytes([row("好单位"), row(name)]),
                      expect_row=3, expect_column="单位名称", expect_text="单位名称含有不允许的字符")
    assert bad in report.errors[0].message
    assert count() == 1  # the table is still there, with its one row


def test_one_bad_row_among_many_imports_nothing(app):
    rows = [row(f"单位{i}") for i in range(200)] + [row("坏单位", 联络员="张三", 联络员电话="abc")]
    rejected("a.xlsx", xlsx_bytes(rows), expect_row=202, expect_column="联络员电话",
             expect_text="电话号码格式不正确")


def test_every_bad_row_is_reported(app):
    report = rejected("a.csv", csv_bytes([row("甲", kind="x"), row("乙"), row("丙", 联络员="李", 联络员邮箱="bad")]),
                      expect_row=2, expect_column="单位类别", expect_text="单位类别不正确")
    assert [(e.row, e.column) for e in report.errors] == [(2, "单位类别"), (4, "联络员邮箱")]


def test_renamed_non_xlsx(app):
    rejected("名册.xlsx", "单位名称，单位类别\n甲，其他\n".encode(), expect_row=None, expect_column="",
             expect_text=MSG_NOT_XLSX)


def test_corrupt_zip_named_xlsx(app):
    data = xlsx_bytes([row("甲单位")])
    rejected("名册.xlsx", data[:200], expect_row=None, expect_column="", expect_text=MSG_NOT_XLSX)
    rejected("名册.xlsx", b"PK\x03\x04" + b"\x00" * 100, expect_row=None, expect_column="",
             expect_text=MSG_NOT_XLSX)


def test_old_xls_format(app):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    rejected("名册.xls", ole, expect_row=None, expect_column="", expect_text="另存为")
    rejected("名册.xlsx", ole, expect_row=None, expect_column="", expect_text="另存为")


@pytest.mark.parametrize("filename", ["名册.txt", "名册.exe", "名册"])
def test_extension_allow_list(app, filename):
    rejected(filename, csv_bytes([row("甲")]), expect_row=None, expect_column="",
             expect_text="只能导入 .xlsx 或 .csv")


@pytest.mark.parametrize("filename,data", [
    ("a.csv", b""), ("a.xlsx", b""), ("a.csv", b"\xef\xbb\xbf\r\n\r\n,,,\r\n"),
    ("a.xlsx", xlsx_bytes([], header=None))])
def test_empty_file(app, filename, data):
    rejected(filename, data, expect_row=None, expect_column="", expect_text="文件是空的")


@pytest.mark.parametrize("filename,data", [("a.csv", csv_bytes([])), ("a.xlsx", xlsx_bytes([[None], []]))])
def test_header_only(app, filename, data):
    rejected(filename, data, expect_row=None, expect_column="", expect_text="没有数据行")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_more_than_max_rows_is_refused(app, fmt):
    rows = [row(f"单位{i}") for i in range(MAX_ROWS + 1)]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    rejected(f"a.{fmt}", data, expect_row=None, expect_column="", expect_text=f"超过 {MAX_ROWS} 行")


def test_cells_without_a_header(app):
    rows = [row("甲单位"), row("乙单位") + [None, "多出来的"]]
    rejected("a.xlsx", xlsx_bytes(rows), expect_row=3, expect_column="O列", expect_text="有内容但没有表头")


def test_deep_parent_chain_within_the_file(app):
    # each unit's parent comes after it: resolved and inserted parents first
    rows = [row(f"第{i}级", "其他", parent=f"第{i + 1}级" if i < 49 else None) for i in range(50)]
    report = import_units("a.csv", csv_bytes(rows))
    assert report.ok and report.created == 50, messages(report)
    assert unit_named("第0级").parent.name == "第1级" and unit_named("第49级").parent_id is None


def test_undecodable_csv(app):
    rejected("a.csv", b"\xff\xff\xff\x00,\x81\x30", expect_row=None, expect_column="", expect_text="编码")


# -- the page ----------------------------------------------------------------
def test_page_upload_as_office(app, client, office_user, login):
    login(office_user)
    assert client.get("/units/import").status_code == 200
    response = client.post("/units/import", data={"file": (io.BytesIO(xlsx_bytes([row("甲单位")])), "名册.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/units/")
    assert count() == 1
    page = client.get("/units/").get_data(as_text=True)
    assert "已导入 1 个单位" in page
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "units.import")).one()
    assert event.actor_id == office_user.id and event.data == {"filename": "名册.xlsx", "count": 1}


def test_page_shows_rejected_rows(app, client, office_user, login):
    login(office_user)
    data = csv_bytes([row("甲单位"), row("<b>坏</b>")], encoding="gb18030")
    response = client.post("/units/import", data={"file": (io.BytesIO(data), "名册.csv")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第 3 行" in html and "单位名称含有不允许的字符" in html
    assert "<b>坏</b>" not in html  # escaped, never rendered as markup
    assert count() == 0


def test_page_without_file(app, client, office_user, login):
    login(office_user)
    response = client.post("/units/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要导入的文件" in response.get_data(as_text=True)


def test_page_and_template_refuse_unit_users(app, client, make_unit, make_user, login):
    login(make_user("unit", unit=make_unit("甲单位")))
    response = client.post("/units/import", data={"file": (io.BytesIO(xlsx_bytes([row("乙单位")])), "a.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get("/units/import/template.xlsx").status_code == 403
    assert count() == 1


def multipart(data: bytes, filename: str) -> dict:
    """An in-memory multipart body (the test client would spool a big one to an unclosed temp file)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename)})
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_page_refuses_too_large_upload(app, client, office_user, login):
    login(office_user)
    big = xlsx_bytes([row("甲单位")]) + b"\x00" * (11 * 1024 * 1024)
    response = client.post("/units/import", **multipart(big, "名册.xlsx"))
    assert response.status_code == 413
    assert count() == 0


# -- the API -----------------------------------------------------------------
def _api_post(client, headers, data, filename="名册.xlsx"):
    return client.post("/api/v1/units/import", headers=headers,
                       data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def test_api_import(app, client, office_user, token_for):
    response = _api_post(client, token_for(office_user), xlsx_bytes([row("甲县", "县区"), row("镇", "乡镇", parent="甲县")]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"created": 2}
    assert count() == 2


def test_api_rejects_with_rows(app, client, office_user, token_for):
    response = _api_post(client, token_for(office_user), xlsx_bytes([row("甲"), row("乙", kind="未知")]))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["rows"] == [{"row": 3, "column": "单位类别",
                                         "message": "单位类别不正确：未知（可选：" + "、".join(
                                             f"{k}（{v}）" for k, v in UNIT_KINDS.items()) + "）"}]
    assert count() == 0


def test_api_file_level_error_and_missing_file(app, client, office_user, token_for):
    headers = token_for(office_user)
    response = _api_post(client, headers, b"not a workbook")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["rows"] == [{"row": None, "column": "", "message": MSG_NOT_XLSX}]
    response = client.post("/api/v1/units/import", headers=headers, data={}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_api_refuses_other_roles_and_anonymous(app, client, make_unit, make_user, token_for):
    unit_user = make_user("unit", unit=make_unit("甲单位"))
    data = xlsx_bytes([row("乙单位")])
    assert _api_post(client, token_for(unit_user), data).status_code == 403
    assert _api_post(client, {}, data).status_code == 401
    assert count() == 1


def test_api_too_large(app, client, office_user, token_for):
    big = b"\x00" * (11 * 1024 * 1024)
    response = client.post("/api/v1/units/import", headers=token_for(office_user),
                           **multipart(big, "名册.xlsx"))
    assert response.status_code == 413
    assert count() == 0


def test_openapi_describes_multipart_upload(app, client):
    from pufa_flow.api.spec import PATHS

    op = PATHS["/api/v1/units/import"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert {"201", "403", "422"} <= set(op["responses"])
    json.dumps(op)  # serialisable


# -- the CLI -----------------------------------------------------------------
def test_cli_imports(app, runner, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes([row("甲单位"), row("乙单位", 联络员="李四", 联络员电话="13800138000")],
                               encoding="gb18030"))
    result = runner.invoke(cli_main, ["import-units", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 2 个单位" in result.output
    assert count() == 2


def test_cli_dry_run_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([row("甲单位")]))
    result = runner.invoke(cli_main, ["import-units", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output and count() == 0


def test_cli_reports_rejected_rows_and_exits_1(app, runner, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([row("甲单位"), row("乙单位", 主要负责人="张三", 主要负责人邮箱="x@")]))
    result = runner.invoke(cli_main, ["import-units", str(path)])
    assert result.exit_code == 1
    assert "第 3 行 [主要负责人邮箱]:电子邮箱格式不正确" in result.stderr
    assert "导入失败：发现 1 处错误，未导入任何单位" in result.stderr
    assert count() == 0
