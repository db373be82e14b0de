"""`pufa-flow items import FILE --inspection ID`: an inspection's findings from .xlsx, as on the page;
`pufa-flow items bulk ACTION --ids 1,2,3 --as USERNAME`: the list page's bulk actions.

Prints the preview (what will be created per unit, every rejected row with its
row number and reason), then confirms it in one transaction: all rows, or with
--only-good only the rows that passed (the rest reported). --dry-run stops
after the preview. A rejected file, or rejected rows without --only-good, exit 1
with nothing written.

``items bulk`` calls the page's and the API's service as the named office
account (its name goes into the audit log): one transaction, every item or
none. A refusal lists each item that cannot take the action, with why, on
stderr and exits 1 with nothing written; a usage mistake exits 2.
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


#: services.items.BULK_ACTIONS (kept literal so `--help` needs no database; a test keeps them equal)
BULK_ACTIONS = ("verify", "remind", "extend")


@items_group.command("bulk")
@click.argument("action", type=click.Choice(BULK_ACTIONS))
@click.option("--ids", "ids", required=True, multiple=True, metavar="1,2,3",
              help="整改事项编号，逗号分隔；可多次给出")
@click.option("--due-date", "due_date", default=None, metavar="YYYY-MM-DD", help="extend：延期后的时限")
@click.option("--comment", "--reason", "comment", default=None, help="说明（催办内容、延期理由），记入审计日志")
@click.option("--as", "username", required=True, metavar="USERNAME", help="以这个普法办账户的名义办理（记入审计日志）")
@with_appcontext
@fails_cleanly
def bulk_items_command(action: str, ids: tuple[str, ...], due_date: str | None, comment: str | None, username: str):
    """批量办理整改事项：verify 验收销号、remind 催办、extend 统一延期。一个事务：任何一条不能办理则全部不办理。"""
    from ..cli import _user_named
    from ..services import items as item_service

    if action == "extend" and not due_date:
        raise click.UsageError("extend 需要 --due-date（延期后的时限，YYYY-MM-DD）")
    if action != "extend" and due_date is not None:
        raise click.UsageError("--due-date 只用于 extend")
    user = _user_named(username)
    if not user.is_active_account:
        raise click.ClickException(f"用户已停用：{username}")
    raw = [part.strip() for chunk in ids for part in chunk.split(",") if part.strip()]
    try:
        result = item_service.bulk(raw, action, actor=user, comment=comment, new_due_date=due_date)
    except item_service.BulkRefused as exc:
        for refusal in exc.refusals:
            click.echo(refusal["message"], err=True)
        raise click.ClickException(f"{exc.summary}，未作任何修改") from None
    click.echo(result.message)
