"""`pufa-flow items import FILE --inspection ID [--only-good] [--dry-run]`: the page's import from the shell."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from pufa_flow import clock
from pufa_flow.cli import main
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Notice, RectificationItem
from pufa_flow.services import inspections

NOON = datetime(2026, 11, 2, 4, 0)  # Monday 2 Nov 2026, 12:00 in Shanghai


def _file(tmp_path, rows) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(list(inspections.COLUMNS))
    for r in rows:
        ws.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "督查整改.xlsx"
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.fixture
def world(app, make_unit, office_user):
    a, b = make_unit("区司法局"), make_unit("区财政局")
    with clock.frozen(NOON):
        inspection = inspections.create_inspection({"name": "全区2026年法治建设督查", "starts_on": "2026-10-12",
                                                    "ends_on": "2026-10-14", "unit_ids": []}, actor=office_user)
    return {"a": a, "b": b, "inspection": inspection}


GOOD = [[1, "区司法局", "问题一", "建台账", "档案资料", "张三", "2026-12-01", None],
        [2, "区司法局", "问题二", "", "", "", "2026年12月5日", None],
        [3, "区财政局", "问题三", "", "", "", None, 10]]
BAD = [[4, "区不存在局", "问题四", "", "", "", "2026-12-01", None],
       [5, "区财政局", "问题五", "", "", "", "明天", None]]


def invoke(app, *args):
    with clock.frozen(NOON):
        return app.test_cli_runner().invoke(main, ["items", "import", *args])


def counts():
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Notice)),
            db.session.scalar(sa.select(sa.func.count()).select_from(RectificationItem)))


def test_import_prints_the_preview_and_confirms(app, world, tmp_path):
    result = invoke(app, _file(tmp_path, GOOD), "--inspection", str(world["inspection"].id))
    assert result.exit_code == 0, result.output + result.stderr
    assert "数据行 3 行，检查通过 3 条，未通过 0 行" in result.output
    assert "区司法局：2 条整改事项，1 份整改通知书（新增为本次督查的被督查单位）" in result.output
    assert "区财政局：1 条整改事项" in result.output
    assert "已导入：3 条整改事项，2 份整改通知书草稿" in result.output
    db.session.expire_all()
    notices = db.session.scalars(sa.select(Notice).order_by(Notice.id)).all()
    assert [(n.unit_id, n.status, len(n.draft_items)) for n in notices] == [
        (world["a"].id, "draft", 2), (world["b"].id, "draft", 1)]
    assert notices[0].draft_items[1]["due_date"] == "2026-12-05"
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "inspection.import"))


def test_rejected_rows_are_listed_with_their_numbers_and_nothing_is_written(app, world, tmp_path):
    result = invoke(app, _file(tmp_path, GOOD + BAD), "--inspection", str(world["inspection"].id))
    assert result.exit_code == 1
    assert "第 5 行 [责任单位]" in result.stderr and "区不存在局" in result.stderr
    assert "第 6 行 [整改时限]" in result.stderr
    assert "有 2 行未通过检查，未导入任何内容" in result.stderr
    assert counts() == (0, 0)


def test_only_good_imports_the_rows_that_passed(app, world, tmp_path):
    result = invoke(app, _file(tmp_path, GOOD + BAD), "--inspection", str(world["inspection"].id), "--only-good")
    assert result.exit_code == 0, result.output + result.stderr
    assert "第 6 行" in result.stderr
    assert "已导入：3 条整改事项，2 份整改通知书草稿" in result.output and "跳过未通过检查的 2 行" in result.output
    assert counts()[0] == 2


def test_dry_run_previews_and_writes_nothing(app, world, tmp_path):
    result = invoke(app, _file(tmp_path, GOOD), "--inspection", str(world["inspection"].id), "--dry-run")
    assert result.exit_code == 0, result.output + result.stderr
    assert "检查通过 3 条" in result.output and "未写入数据库" in result.output
    assert counts() == (0, 0)
    kept = inspections._kept_dir()
    assert list(kept.iterdir()) == []  # no file left behind for a confirm button


@pytest.mark.parametrize("inspection_id,message", [("0", "督查编号不正确"), ("abc", "督查编号不正确"),
                                                    ("99999999999", "督查编号不正确"), ("4242", "不存在")])
def test_a_bad_inspection_id(app, world, tmp_path, inspection_id, message):
    result = invoke(app, _file(tmp_path, GOOD), "--inspection", inspection_id)
    assert result.exit_code == 1 and message in result.stderr
    assert counts() == (0, 0)


def test_a_renamed_file_is_refused(app, world, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a spreadsheet at all")
    result = invoke(app, str(path), "--inspection", str(world["inspection"].id))
    assert result.exit_code == 1 and "整个文件" in result.stderr
    assert counts() == (0, 0)
