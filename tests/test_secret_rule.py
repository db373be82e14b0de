"""The one secret rule (README, config): the secret is needed to serve requests, nothing else.

A newcomer's first commands (``--help``, ``db upgrade``, ``create-user``) work in
an empty environment; serving without PUFA_SECRET_KEY fails at start-up with the
reason; production never picks up the development secret file.
"""
from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pufa_flow import config as config_module

BIN = Path(sys.executable).parent


def empty_env(**extra) -> dict:
    """Nothing but a PATH (and what the test adds): no PUFA_*, no FLASK_*."""
    return {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **extra}


def pufa_flow(*args, env, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "pufa-flow"), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_help_works_in_an_empty_environment(tmp_path):
    result = pufa_flow("--help", env=empty_env(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "db" in result.stdout and "create-user" in result.stdout and "tokens" in result.stdout
    assert "PUFA_SECRET_KEY" not in result.stdout + result.stderr


def test_db_upgrade_and_create_user_need_no_secret(tmp_path):
    env = empty_env(PUFA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = pufa_flow("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = pufa_flow("create-user", "boss", "--role", "office", "--password", "Passw0rd1", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = pufa_flow("tokens", "list", "boss", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_serving_without_a_secret_fails_with_the_reason(tmp_path):
    env = empty_env(PUFA_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = pufa_flow("run", "--port", "0", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "PUFA_SECRET_KEY 未设置" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    wsgi = subprocess.run([sys.executable, "-c", "import wsgi"], env=empty_env(), cwd=Path(__file__).parents[1],
                          capture_output=True, text=True, timeout=60)
    assert wsgi.returncode != 0 and "PUFA_SECRET_KEY 未设置" in wsgi.stderr


def test_a_command_app_without_a_secret_refuses_requests(tmp_path, monkeypatch):
    import flask

    import pufa_flow as package

    for key in list(os.environ):
        if key.startswith("PUFA_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr(package, "Flask", functools.partial(flask.Flask, instance_path=str(tmp_path)))
    app = package.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, serving=False)
    assert app.test_client().get("/login").status_code == 503
    with pytest.raises(config_module.ConfigError):
        package.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_ignores_the_development_secret_file(tmp_path):
    config_module.ensure_instance_secret(tmp_path)
    assert config_module.load(str(tmp_path), environ={})["SECRET_KEY"] is None
    assert config_module.load(str(tmp_path), environ={"PUFA_ENV": "development"})["SECRET_KEY"]
    assert config_module.load(str(tmp_path), environ={"PUFA_SECRET_KEY": "x" * 40})["SECRET_KEY"] == "x" * 40
