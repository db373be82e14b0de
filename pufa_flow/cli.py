"""The `pufa-flow` command: Flask's CLI over create_app, plus our operations.

Scriptable: every value can be given as an option (no prompt then), and a
failure exits non-zero with a one-line reason on stderr.
"""
from __future__ import annotations

import functools
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import config as config_module
from .errors import AppError


def _make_app():
    """The application for commands: no secret needed (see config's one secret rule);
    ``run`` checks for one before it serves. Development keeps its secret in instance/."""
    from . import create_app

    if config_module.is_development():
        from flask import Flask

        probe = Flask("pufa_flow", instance_relative_config=True)
        config_module.ensure_instance_secret(probe.instance_path)
    try:
        return create_app(serving=False)
    except config_module.ConfigError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)


def fails_cleanly(func):
    """Turn a user's mistake into `Error: <reason>` and exit status 1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AppError as exc:
            raise click.ClickException(exc.message) from None
    return wrapper


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False,
             help="普法责任制考评与整改督办系统 pufa-flow")
def main():
    pass


def _password_option(required_prompt: bool = True):
    return click.option("--password", default=None,
                        help="密码；省略时以隐藏方式提示输入")


def _read_password(password: str | None) -> str:
    if password is not None:
        return password
    if not sys.stdin.isatty():
        raise click.ClickException("未提供 --password，且当前不是交互终端，无法提示输入密码")
    return click.prompt("密码", hide_input=True, confirmation_prompt=True)


@main.command("init")
@click.option("--username", default="admin", show_default=True, help="第一个普法办账户的用户名")
@_password_option()
@with_appcontext
@fails_cleanly
def init_command(username: str, password: str | None):
    """升级数据库结构，并在没有任何账户时创建第一个普法办账户。"""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from .extensions import db
    from .models import User
    from .services.users import create_user

    upgrade()
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        click.echo("数据库已是最新结构；已有账户，未新建。")
        return
    password = _read_password(password)  # before any account work: fail fast without a tty
    create_user({"username": username, "password": password, "role": "office",
                 "display_name": "普法办管理员"}, actor=None)
    click.echo(f"已创建普法办账户：{username}")


@main.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["office", "unit", "evaluator", "panel", "viewer"]))
@click.option("--unit-id", type=int, default=None, help="责任单位用户所属单位的编号")
@click.option("--display-name", default="", help="姓名")
@_password_option()
@with_appcontext
@fails_cleanly
def create_user_command(username, role, unit_id, display_name, password):
    """新建用户。"""
    from .services.users import create_user

    user = create_user({"username": username, "password": _read_password(password), "role": role,
                        "unit_id": unit_id, "display_name": display_name}, actor=None)
    click.echo(f"已创建用户 {user.username}（编号 {user.id}）")


@main.command("create-token")
@click.argument("username")
@click.option("--days", type=click.IntRange(1, 366), default=30, show_default=True, help="有效天数")
@with_appcontext
@fails_cleanly
def create_token_command(username: str, days: int):
    """为用户签发 API 令牌；标准输出只打印令牌本身。"""
    import sqlalchemy as sa

    from .extensions import db
    from .models import User
    from .services.auth import issue_token

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户不存在：{username}")
    click.echo(issue_token(user, name="cli", days=days))


@main.group("tokens")
def tokens_group():
    """查看、撤销用户的 API 令牌。"""


@tokens_group.command("list")
@click.argument("username")
@with_appcontext
@fails_cleanly
def tokens_list_command(username: str):
    """列出用户的令牌：编号、用途、签发、到期、最近使用（UTC）与状态。"""
    from .models.base import utcnow_naive
    from .services.auth import tokens_of

    now = utcnow_naive()
    for row in tokens_of(_user_named(username)):
        state = "已撤销" if row.revoked else "已过期" if row.expires_at and row.expires_at < now else "有效"
        expires = row.expires_at.isoformat(sep=" ", timespec="minutes") if row.expires_at else "长期"
        used = row.last_used_at.isoformat(sep=" ", timespec="minutes") if row.last_used_at else "从未使用"
        click.echo(f"{row.id}\t{row.name}\t{row.created_at.isoformat(sep=' ', timespec='minutes')}\t{expires}\t"
                   f"{used}\t{state}")


@tokens_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1), required=False)
@click.option("--all", "all_of", metavar="USERNAME", default=None, help="撤销该用户的全部令牌并结束其全部登录会话")
@with_appcontext
@fails_cleanly
def tokens_revoke_command(token_id: int | None, all_of: str | None):
    """撤销一个令牌（按编号），或以 --all 用户名 撤销某用户的全部令牌。"""
    from .services import audit
    from .services.auth import end_sessions_and_tokens, revoke_token
    from .services.transaction import transaction

    if (token_id is None) == (all_of is None):
        raise click.UsageError("请给出令牌编号，或 --all 用户名（二者选一）")
    if all_of is not None:
        user = _user_named(all_of)
        with transaction():
            count = end_sessions_and_tokens(user)
            audit.record("token.revoke_all", "user", user.id, unit_id=user.unit_id, data={"tokens_revoked": count})
        click.echo(f"已撤销 {user.username} 的 {count} 个令牌，并结束其全部登录会话")
        return
    row = revoke_token(token_id, actor=None)
    click.echo(f"已撤销令牌 {row.id}（{row.user.username}：{row.name}）")


@main.command("unlock-user")
@click.argument("username")
@with_appcontext
@fails_cleanly
def unlock_user_command(username: str):
    """解除用户的登录锁定（例如唯一的普法办账户被锁时）。"""
    from .services.users import unlock

    user = unlock(_user_named(username), actor=None)
    click.echo(f"已解除 {user.username} 的登录锁定")


@main.command("reset-password")
@click.argument("username")
@_password_option()
@with_appcontext
@fails_cleanly
def reset_password_command(username: str, password: str | None):
    """重置用户密码；该用户的全部登录会话与 API 令牌随即失效。"""
    from .services.users import reset_password

    user = _user_named(username)
    reset_password(user, _read_password(password), actor=None)
    click.echo(f"已重置 {user.username} 的密码；其原有登录和令牌均已失效")


def _user_named(username: str):
    import sqlalchemy as sa

    from .extensions import db
    from .models import User

    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户不存在：{username}")
    return user


from flask.cli import run_command as _flask_run  # noqa: E402


@main.command("run", params=_flask_run.params, help="启动开发用网页服务（需要密钥，见 README 的密钥规则）。",
              context_settings=_flask_run.context_settings)
@click.pass_context
def run_command(ctx, **options):
    from flask.cli import ScriptInfo

    app = ctx.ensure_object(ScriptInfo).load_app()
    try:
        config_module.validate(app.config, serving=True)
    except config_module.ConfigError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    ctx.invoke(_flask_run, **options)


def register(command):
    """Let feature modules add their commands to the group."""
    main.add_command(command)
    return command


__all__ = ["main", "register", "current_app"]


from .commands import load_all as _load_feature_commands  # noqa: E402  (needs `main`)

_load_feature_commands()
