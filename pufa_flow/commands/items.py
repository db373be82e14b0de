"""`pufa-flow items import FILE --inspection ID`: an inspection's findings from .xlsx, as on the page.

Prints the preview (what will be created per unit, every rejected row with its
row number and reason), then confirms it in one transaction: all rows, or with
--only-good only the rows that passed (the rest reported). --dry-run stops
after the preview. A rejected file, or rejected rows without --only-good, exit 1
with nothing written.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from ..cli import fails_cleanly, main


@main.group("items")
def items_group():
    """整改事项（导入督查发现的问题等）。"""


def _echo_preview(preview) -> None:
    click.echo(f"文件：{preview.filename}，数据行 {preview.rows} 行，检查通过 {preview.good_items} 条，"
               f"未通过 {preview.rejected_rows} 行")
    for group in preview.groups:
        notices = -(-len(group.items) // _max_items())
        new = "（新增为本次督查的被督查单位）" if group.new_to_inspection else ""
        click.echo(f"  {group.unit_name}：{len(group.items)} 条整改事项，{notices} 份整改通知书{new}")
    for error in preview.errors:
        where = f"第 {error.row} 行" if error.row else "整个文件"
        column = f" [{error.column}]" if error.column else ""
        click.echo(f"{where}{column}：{error.message}", err=True)


def _max_items() -> int:
    from ..services.notices import MAX_ITEMS

    return MAX_ITEMS


@items_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--inspection", "inspection_id", required=True, help="督查编号（事项归入该督查，每个单位一份整改通知书草稿）")
@click.option("--only-good", is_flag=True, help="有未通过检查的行时，只导入检查通过的行")
@click.option("--dry-run", is_flag=True, help="只预览，不写入数据库")
@with_appcontext
@fails_cleanly
def import_items_command(file: Path, inspection_id: str, only_good: bool, dry_run: bool):
    """从 .xlsx 导入督查发现的整改事项：先预览，再在一个事务中全部导入（或 --only-good 只导入通过的行）。"""
    from flask import current_app

    from ..converters import MAX_ID
    from ..extensions import db
    from ..models import Inspection
    from ..services import inspections
    from ..services.imports import DEFAULT_MAX_BYTES
    from ..services.validation import parse_int

    number = parse_int(inspection_id, minimum=1, maximum=MAX_ID)
    if number is None:
        raise click.ClickException(f"督查编号不正确：{inspection_id[:40]}（应为 1 到 {MAX_ID} 之间的整数）")
    inspection = db.session.get(Inspection, number)
    if inspection is None:
        raise click.ClickException(f"督查 #{number} 不存在")
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES
    if file.stat().st_size > limit:
        raise click.ClickException(f"文件过大：不能超过 {limit // (1024 * 1024)} MB，未导入任何内容")
    data = file.read_bytes()
    preview = inspections.preview_import(inspection, file.name, data)
    if preview.token:  # the page keeps the file for its confirm button; the shell has it already
        (inspections._kept_dir() / preview.token).unlink(missing_ok=True)
    _echo_preview(preview)
    if not preview.groups:
        raise click.ClickException("没有检查通过的行，未导入任何内容")
    if preview.errors and not only_good:
        raise click.ClickException(f"有 {preview.rejected_rows or len(preview.errors)} 行未通过检查，未导入任何内容；"
                                   "修改后重新导入，或加 --only-good 只导入检查通过的行")
    if dry_run:
        click.echo("预览完毕（--dry-run），未写入数据库")
        return
    done = inspections.confirm_import(inspection, file.name, data, actor=None, only_valid=only_good)
    notices = sum(-(-len(g.items) // _max_items()) for g in done.groups)
    click.echo(f"已导入：{done.good_items} 条整改事项，{notices} 份整改通知书草稿（督查「{inspection.name}」）"
               + (f"；跳过未通过检查的 {done.rejected_rows} 行" if done.errors else ""))
