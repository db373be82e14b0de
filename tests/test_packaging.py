"""Installable as real software (issue 7): the wheel carries templates/ and migrations/.

The wheel is built from this checkout (offline, no build isolation) and
installed into a fresh virtual environment in a temporary directory, away from
the checkout; the dependencies come from this test environment's site-packages
by a plain path line (no download, and no editable finder: a path line's own
.pth files are not run). Then, from outside the checkout, ``pufa-flow db
upgrade`` migrates a new SQLite database and the sign-in page renders.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=180, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


#: what a source copy leaves out: environments, caches, local data
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "instance", "test-artifacts", "*.egg-info",
                                    "__pycache__", ".pytest_cache", ".hypothesis", "benchmarks")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the source, so the build leaves nothing in the checkout."""
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "pufa-flow"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", out, source])
    (found,) = out.glob("pufa_flow-*.whl")
    return found


def test_the_wheel_carries_templates_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file():
            assert f"pufa_flow/templates/{path.relative_to(ROOT / 'templates').as_posix()}" in names, path
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        assert f"pufa_flow/migrations/versions/{path.name}" in names, path
    for name in ("env.py", "alembic.ini", "script.py.mako"):
        assert f"pufa_flow/migrations/{name}" in names
    assert "pufa_flow/static/favicon.ico" in names and "pufa_flow/documents/base.docx" in names


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with the wheel installed; returns its bin/."""
    home = tmp_path_factory.mktemp("installed")
    target = home / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel])
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "_dependencies_from_the_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return target / "bin"


def clean_env(**extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {**keep, "LANG": "C.UTF-8", **extra}


def test_installed_app_migrates_and_serves_the_sign_in_page(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = clean_env(PUFA_DATABASE_URL=f"sqlite:///{work / 'pufa.sqlite3'}")
    where = run([installed / "python", "-c", "import pufa_flow; print(pufa_flow.__file__)"], cwd=work, env=env)
    assert str(ROOT) not in where.stdout and str(installed.parent) in where.stdout

    assert "db" in run([installed / "pufa-flow", "--help"], cwd=work, env=env).stdout
    run([installed / "pufa-flow", "db", "upgrade"], cwd=work, env=env)
    run([installed / "pufa-flow", "create-user", "admin", "--role", "office", "--password", "Passw0rd1"],
        cwd=work, env=env)
    page = run([installed / "python", "-c", (
        "from pufa_flow import create_app\n"
        "app = create_app()\n"
        "r = app.test_client().get('/login')\n"
        "print(r.status_code, app.template_folder)\n"
        "print(r.get_data(as_text=True))\n")], cwd=work, env={**env, "PUFA_SECRET_KEY": "x" * 48})
    status, folder = page.stdout.splitlines()[0].split(" ", 1)
    assert status == "200" and str(ROOT) not in folder
    assert "登录" in page.stdout and 'name="csrf_token"' in page.stdout
