"""Settings from PUFA_* environment variables.

Read once in create_app, never at import time, so tests and the CLI can pass
their own values.

The one secret rule: the secret signs sessions, so it is needed to **serve
requests** and for nothing else. It comes from PUFA_SECRET_KEY; only in
development (PUFA_ENV=development, as ``make run`` sets) may it come from
``instance/secret_key``, which the CLI then creates. Production never reads
that file. Serving without a secret (``gunicorn wsgi:app``, ``pufa-flow
run``) fails at start-up with a message that says what to set; every other
command (``--help``, ``db upgrade``, ``create-user``…) works without one.
"""
from __future__ import annotations

import os
from pathlib import Path

SECRET_FILE = "secret_key"
ENV_PREFIX = "PUFA_"
#: PUFA_SMTP_HOST, PUFA_SMS_BACKEND, PUFA_MAIL_FROM…: passed through to the channel registry
CHANNEL_SETTINGS = ("PUFA_SMTP_", "PUFA_SMS_", "PUFA_MAIL_", "PUFA_OFFICE_")


class ConfigError(RuntimeError):
    """The application cannot start with the settings it was given."""


def is_development(environ=os.environ) -> bool:
    return environ.get("PUFA_ENV", "production").lower() in {"development", "dev", "demo"}


def ensure_instance_secret(instance_path: str | Path) -> None:
    """Create and keep a secret for the development/demo path (CLI only)."""
    import secrets

    path = Path(instance_path) / SECRET_FILE
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_urlsafe(48))
    path.chmod(0o600)


def _read_secret(instance_path: str, environ) -> str | None:
    if environ.get("PUFA_SECRET_KEY"):
        return environ["PUFA_SECRET_KEY"]
    if not is_development(environ):
        return None  # production: the variable or nothing, never a file left behind by `make run`
    path = Path(instance_path) / SECRET_FILE
    return path.read_text().strip() if path.exists() else None


def load(instance_path: str, environ=os.environ) -> dict:
    dev = is_development(environ)
    database_url = environ.get("PUFA_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "pufa_flow.sqlite3")
    )
    upload_folder = environ.get("PUFA_UPLOAD_FOLDER") or str(Path(instance_path) / "uploads")
    return {
        "SECRET_KEY": _read_secret(instance_path, environ),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "PUFA_TIMEZONE": environ.get("PUFA_TIMEZONE", "Asia/Shanghai"),
        "PUFA_UPLOAD_FOLDER": upload_folder,
        "PUFA_ENV": "development" if dev else "production",
        "MAX_CONTENT_LENGTH": int(environ.get("PUFA_MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "SESSION_COOKIE_SECURE": not dev,
        "REMEMBER_COOKIE_SECURE": not dev,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PUFA_LOCKOUT_THRESHOLD": int(environ.get("PUFA_LOCKOUT_THRESHOLD", "5")),
        "PUFA_LOCKOUT_MINUTES": int(environ.get("PUFA_LOCKOUT_MINUTES", "15")),
        "PUFA_PAGE_SIZE": 50,
        # 公文 downloads: the issuing organ (版头, 署名) and what goes before 〔year〕 in a 发文字号
        "PUFA_DOCUMENT_ISSUER": environ.get("PUFA_DOCUMENT_ISSUER", "普法办"),
        "PUFA_DOCUMENT_NUMBER_PREFIX": environ.get("PUFA_DOCUMENT_NUMBER_PREFIX", ""),
        "JSON_AS_ASCII": False,
        # reminders: the item links in messages, and where the scheduler's file lock lives (SQLite)
        "PUFA_BASE_URL": environ.get("PUFA_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # how long a claimed message stays "sending" before another worker may take it over
        "PUFA_DELIVERY_LEASE_SECONDS": float(environ.get("PUFA_DELIVERY_LEASE_SECONDS", "600")),
        "PUFA_SCHEDULER_LOCK_DIR": environ.get("PUFA_SCHEDULER_LOCK_DIR") or str(instance_path),
        # the channels' own settings, read by notifications.channels.build_registry
        **{k: v for k, v in environ.items() if k.startswith(CHANNEL_SETTINGS)},
    }


def normalise_database_url(url: str) -> str:
    """Let operators write postgresql://… and still get the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def validate(config: dict, *, serving: bool = True) -> None:
    """Refuse settings the application cannot run with; a missing secret only when it is to serve."""
    if serving and not config.get("SECRET_KEY"):
        raise ConfigError(
            "PUFA_SECRET_KEY 未设置：提供网页服务需要密钥。生产环境请设置环境变量 PUFA_SECRET_KEY"
            "（例如 python -c 'import secrets; print(secrets.token_urlsafe(48))' 生成）；"
            "开发/演示环境请以 PUFA_ENV=development 运行（make run 即是），会在 instance 目录生成并保存密钥。"
        )
