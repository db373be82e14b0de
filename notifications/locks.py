"""One active scheduler: a file lock on one host, a PostgreSQL advisory lock
across hosts.

Both locks die with their holder (the kernel drops a dead process's flock;
PostgreSQL ends a dead client's session and with it the advisory lock), so a
waiting copy takes over without anyone cleaning up. The advisory lock lives
on a dedicated connection in autocommit mode: no transaction is held open,
and the pool can never hand that session to other work.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Protocol

#: the advisory lock's 64-bit key: derived from a name, stable across releases
DEFAULT_LOCK_NAME = "pufa-flow scheduler"


def advisory_key(name: str = DEFAULT_LOCK_NAME) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class SchedulerLock(Protocol):
    description: str

    def try_acquire(self) -> bool: ...

    def is_held(self) -> bool: ...

    def release(self) -> None: ...


class FileLock:
    """``fcntl.flock`` on a file that also records the holder's pid (for people)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.description = f"文件锁 {self.path}"
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def is_held(self) -> bool:
        return self._fd is not None

    def holder_pid(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or 0) or None
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _psycopg_url(url: str) -> str:
    """SQLAlchemy's plain ``postgresql://`` means psycopg2, which we do not ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class PostgresAdvisoryLock:
    """``pg_try_advisory_lock`` held on one dedicated autocommit connection."""

    def __init__(self, url: str, key: int | None = None):
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        self._sa = sa
        self.key = advisory_key() if key is None else key
        self._engine = sa.create_engine(_psycopg_url(url), poolclass=NullPool,
                                        connect_args={"application_name": "pufa-flow scheduler"})
        self.description = f"PostgreSQL 咨询锁 {self.key}（{self._engine.url.render_as_string(hide_password=True)}）"
        self._conn = None

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return True
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = conn.execute(self._sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def is_held(self) -> bool:
        """The session is alive and still holds the lock (a restarted server or a
        killed backend drops it; the scheduler must then stop)."""
        if self._conn is None:
            return False
        try:
            return bool(self._conn.execute(self._sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
                " AND granted AND objsubid = 1 AND classid::bigint = ((:key >> 32) & 4294967295)"
                " AND objid::bigint = (:key & 4294967295))"),
                {"key": self.key}).scalar())
        except self._sa.exc.SQLAlchemyError:
            return False

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(self._sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        except self._sa.exc.SQLAlchemyError:
            pass  # the session is gone, and the lock with it
        finally:
            self._conn.close()
            self._conn = None
            self._engine.dispose()


def lock_for(database_url: str, lock_dir: str | os.PathLike, key: int | None = None) -> SchedulerLock:
    """The right lock for the app's database: PostgreSQL → advisory lock,
    anything else (SQLite) → ``<lock_dir>/scheduler.lock``."""
    if database_url.startswith(("postgresql", "postgres:")):
        return PostgresAdvisoryLock(database_url, key)
    return FileLock(Path(lock_dir) / "scheduler.lock")
