"""The `pufa-flow` command: scriptable, one-line failures, and `init` on a real schema."""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import uuid
import warnings

import pytest
import sqlalchemy as sa

from pufa_flow import config as config_module
from pufa_flow.cli import main
from pufa_flow.extensions import db
from pufa_flow.models import ApiToken, User


@pytest.fixture
def cli(runner, monkeypatch):
    """Invoke the pufa-flow group against the test app (FlaskGroup sets this variable)."""
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    return functools.partial(runner.invoke, main)


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# -- create-user ---------------------------------------------------------------------
def test_create_user_with_password(cli, make_unit):
    unit = make_unit("某单位")
    result = cli(["create-user", "liaison", "--role", "unit", "--unit-id", str(unit.id),
                  "--display-name", "张三", "--password", "Passw0rd1"])
    assert result.exit_code == 0, result.output
    assert "liaison" in result.stdout
    user = db.session.scalar(sa.select(User).where(User.username == "liaison"))
    assert (user.role, user.unit_id, user.display_name) == ("unit", unit.id, "张三")
    assert user.check_password("Passw0rd1")


def test_create_user_without_password_and_no_tty_fails_with_a_reason(cli):
    result = cli(["create-user", "someone", "--role", "viewer"])  # the runner's stdin is not a tty
    assert result.exit_code != 0
    reason = one_line(result.stderr)
    assert "--password" in reason
    assert "Traceback" not in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "someone")) is None


def test_create_user_duplicate_fails_with_a_reason(cli, office_user):
    result = cli(["create-user", "office", "--role", "viewer", "--password", "Passw0rd1"])
    assert result.exit_code == 1
    reason = one_line(result.stderr)
    assert "用户名已被使用" in reason and "office" in reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


@pytest.mark.parametrize("args, word", [
    (["create-user", "u1", "--role", "unit", "--password", "Passw0rd1"], "所属单位"),
    (["create-user", "u1", "--role", "viewer", "--password", "short"], "密码"),
    (["create-user", "u1", "--role", "unit", "--unit-id", "999999", "--password", "Passw0rd1"], "不存在"),
])
def test_create_user_refusals_exit_1_with_one_line(cli, args, word):
    result = cli(args)
    assert result.exit_code == 1, result.output
    assert word in one_line(result.stderr)
    assert db.session.scalar(sa.select(User).where(User.username == "u1")) is None


def test_create_user_bad_role_is_a_usage_error(cli):
    result = cli(["create-user", "u1", "--role", "root", "--password", "Passw0rd1"])
    assert result.exit_code == 2


# -- create-token ----------------------------------------------------------------------
def test_create_token_prints_only_the_token(cli, office_user, client):
    result = cli(["create-token", "office", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == 1
    token = result.stdout.strip()
    assert token.startswith("pf_") and " " not in token
    assert result.stderr == ""
    response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert row.name == "cli" and row.expires_at is not None


def test_create_token_unknown_user(cli):
    result = cli(["create-token", "nobody"])
    assert result.exit_code == 1
    assert "nobody" in one_line(result.stderr)
    assert result.stdout == ""
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


# -- init, in a real process -------------------------------------------------------------
def _pufa_flow_script() -> str:
    script = shutil.which("pufa-flow", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("the pufa-flow script is not installed beside this Python")
    return script


def _run_init(database_url: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUFA_", "FLASK_"))}
    env.update(PUFA_ENV="development", PUFA_DATABASE_URL=database_url)
    return subprocess.run([_pufa_flow_script(), "init", *extra], env=env, capture_output=True,
                          text=True, timeout=120)


def _schema_diffs(database_url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(config_module.normalise_database_url(database_url))
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # alembic warns that it skips the expression index on units; that is not a diff
            warnings.simplefilter("ignore")
            context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                             "compare_server_default": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _check_init(database_url: str) -> None:
    first = _run_init(database_url, "--password", "Secret123")
    assert first.returncode == 0, first.stderr
    assert "已创建普法办账户：admin" in first.stdout

    engine = sa.create_engine(config_module.normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT role, password_hash FROM users WHERE username = 'admin'")).one()
        assert row.role == "office"
        from werkzeug.security import check_password_hash

        assert check_password_hash(row.password_hash, "Secret123")
    finally:
        engine.dispose()

    again = _run_init(database_url, "--password", "Other123")
    assert again.returncode == 0, again.stderr
    assert "已有账户" in again.stdout

    # no prompt needed the second time: nothing is created
    third = _run_init(database_url)
    assert third.returncode == 0, third.stderr

    assert _schema_diffs(database_url) == [], "the migrations do not produce the models' schema"


def test_init_on_sqlite_is_idempotent_and_matches_the_models(tmp_path):
    _check_init(f"sqlite:///{tmp_path / 'init.sqlite3'}")


def test_init_without_password_and_no_tty_fails(tmp_path):
    result = _run_init(f"sqlite:///{tmp_path / 'init.sqlite3'}")
    assert result.returncode != 0
    # alembic logs its INFO lines to stderr first; the reason is one line, the last
    assert "Traceback" not in result.stderr
    assert "--password" in result.stderr.strip().splitlines()[-1]


def test_init_on_postgresql_is_idempotent_and_matches_the_models():
    from tests.conftest import PG_ADMIN_URL

    name = f"pufa_init_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - unreachable, no permission…
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    try:
        _check_init(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- production start without a secret ------------------------------------------------------
def _production_env(monkeypatch):
    for key in list(os.environ):
        if key.startswith("PUFA_"):
            monkeypatch.delenv(key)


def test_config_without_secret_is_refused(tmp_path, monkeypatch):
    _production_env(monkeypatch)
    settings = config_module.load(str(tmp_path))
    assert settings["SECRET_KEY"] is None and settings["PUFA_ENV"] == "production"
    with pytest.raises(config_module.ConfigError) as caught:
        config_module.validate(settings)
    assert "PUFA_SECRET_KEY" in str(caught.value)
    assert list(tmp_path.iterdir()) == [], "loading the configuration wrote a file"


def test_create_app_in_production_without_secret_raises(tmp_path, monkeypatch):
    import flask

    import pufa_flow

    _production_env(monkeypatch)
    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setattr(pufa_flow, "Flask", functools.partial(flask.Flask, instance_path=str(instance)))
    with pytest.raises(config_module.ConfigError, match="PUFA_SECRET_KEY"):
        pufa_flow.create_app()
    assert list(instance.iterdir()) == [], "create_app wrote into the instance folder"


def test_create_app_uses_the_environment_secret(tmp_path, monkeypatch):
    import flask

    import pufa_flow

    _production_env(monkeypatch)
    monkeypatch.setenv("PUFA_SECRET_KEY", "from-the-environment")
    monkeypatch.setattr(pufa_flow, "Flask", functools.partial(flask.Flask, instance_path=str(tmp_path)))
    app = pufa_flow.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_secret_is_kept_in_the_instance(tmp_path):
    config_module.ensure_instance_secret(tmp_path)
    secret = (tmp_path / config_module.SECRET_FILE).read_text()
    assert len(secret) >= 32
    assert oct((tmp_path / config_module.SECRET_FILE).stat().st_mode & 0o777) == "0o600"
    config_module.ensure_instance_secret(tmp_path)
    assert (tmp_path / config_module.SECRET_FILE).read_text() == secret
    settings = config_module.load(str(tmp_path), environ={"PUFA_ENV": "development"})
    assert settings["SECRET_KEY"] == secret and settings["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("given, expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_normalised(given, expected):
    assert config_module.normalise_database_url(given) == expected
