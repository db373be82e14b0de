"""What every benchmark gets: fresh databases, timing, and the Result record.

``BenchContext.database(backend)`` builds an application on a database that
did not exist a moment ago (SQLite: a file in a new temporary directory;
PostgreSQL: ``CREATE DATABASE pufa_bench_<random>``), pushes an app context,
runs ``create_all`` and, on the way out, disposes the engine and removes the
file or drops the database. Nothing is shared between repeats.
"""
from __future__ import annotations

import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

BACKENDS = ("sqlite", "postgresql")
PG_ADMIN_URL = os.environ.get(
    "PUFA_BENCH_POSTGRES",
    os.environ.get("PUFA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
)
SCALES = ("small", "full")


@dataclass
class Result:
    """One measured figure: ``n`` operations per run, one wall time per repeat."""

    name: str
    backend: str
    n: int
    times: list[float]
    #: what one operation is: "rows", "transitions"…
    unit: str = "ops"
    #: name of another Result on the same backend to compare with (ops/s ÷ its ops/s)
    baseline: str | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)
    #: filled in by the runner
    ratio: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def ops_per_s(self) -> float:
        return self.n / self.median if self.median > 0 else float("inf")

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(median_s=self.median, ops_per_s=self.ops_per_s)
        return out


def settle(db) -> None:
    """Statistics and the visibility map after a bulk load, as autovacuum keeps them on a database in
    use: without them PostgreSQL plans blind and every index-only scan visits the table (for the app's
    queries and a baseline's alike)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _fast_commit(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous=OFF")
    else:
        cursor.execute("SET synchronous_commit = off")
        dbapi_connection.commit()
    cursor.close()


class BenchContext:
    def __init__(self, backends=BACKENDS, repeat: int = 3, scale: str = "full",
                 pg_admin_url: str = PG_ADMIN_URL, verbose: bool = True):
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {SCALES}")
        self.backends = list(backends)
        self.repeat = max(1, int(repeat))
        self.scale = scale
        self.pg_admin_url = pg_admin_url
        self.verbose = verbose
        self.unavailable: dict[str, str] = {}
        self.server_versions: dict[str, str] = {}

    # -- sizes -------------------------------------------------------------
    def size(self, full: int, small: int) -> int:
        return full if self.scale == "full" else small

    def log(self, message: str) -> None:
        if self.verbose:
            print(f"  · {message}", file=sys.stderr, flush=True)

    # -- backends ----------------------------------------------------------
    def available_backends(self) -> list[str]:
        """The requested backends that answer; the others go to ``unavailable``."""
        usable = []
        for backend in self.backends:
            if backend == "postgresql" and not self._postgres_reachable():
                continue
            usable.append(backend)
        return usable

    def _postgres_reachable(self) -> bool:
        if "postgresql" in self.unavailable:
            return False
        try:
            engine = sa.create_engine(self.pg_admin_url)
            with engine.connect() as conn:
                self.server_versions["postgresql"] = conn.scalar(sa.text("SHOW server_version"))
            engine.dispose()
            return True
        except Exception as exc:  # noqa: BLE001 - any failure means "not there"
            self.unavailable["postgresql"] = f"{self.pg_admin_url}: {exc.__class__.__name__}: {exc}"
            return False

    # -- databases ---------------------------------------------------------
    @contextmanager
    def database(self, backend: str, fast_commit: bool = False, **config) -> Iterator:
        """An app (context pushed) on a brand-new database with every table created.

        ``fast_commit`` turns off waiting for the disk at COMMIT (SQLite
        ``PRAGMA synchronous=OFF``, PostgreSQL ``synchronous_commit=off``):
        for figures that should show CPU cost, not the disk's fsync.
        """
        from pufa_flow import create_app
        from pufa_flow.extensions import db

        tmp = tempfile.mkdtemp(prefix="pufa_bench_")
        pg_name = None
        try:
            if backend == "sqlite":
                url = f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
                import sqlite3
                self.server_versions.setdefault("sqlite", sqlite3.sqlite_version)
            elif backend == "postgresql":
                pg_name = f"pufa_bench_{uuid.uuid4().hex[:8]}"
                self._admin(f'CREATE DATABASE "{pg_name}"')
                url = self.pg_admin_url.rsplit("/", 1)[0] + "/" + pg_name
            else:
                raise ValueError(f"unknown backend {backend!r}")
            app = create_app({
                "SECRET_KEY": "benchmark-secret-not-for-production",
                "SQLALCHEMY_DATABASE_URI": url,
                "PUFA_UPLOAD_FOLDER": os.path.join(tmp, "uploads"),
                "WTF_CSRF_ENABLED": False,
                **config,
            })
            with app.app_context():
                if fast_commit:
                    sa.event.listen(db.engine, "connect", _fast_commit)
                db.create_all()
                try:
                    yield app
                finally:
                    db.session.remove()
                    db.engine.dispose()
        finally:
            if pg_name:
                self._admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        engine = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()

    # -- timing ------------------------------------------------------------
    def time_fresh(self, backend: str, work: Callable, setup: Callable | None = None,
                   repeat: int | None = None, label: str = "", warmup: bool = True,
                   fast_commit: bool = False) -> list[float]:
        """Wall time of ``work(app, state)`` on a fresh database, once per repeat.

        ``setup(app)`` (untimed) prepares the database and returns ``state``.
        With ``warmup`` one extra, untimed run goes first (mapper configuration,
        imports, the page cache), so the first timed run is not an outlier.
        """
        if warmup:
            with self.database(backend, fast_commit) as app:
                work(app, setup(app) if setup else None)
        times = []
        for i in range(repeat or self.repeat):
            with self.database(backend, fast_commit) as app:
                state = setup(app) if setup else None
                gc.collect()
                started = time.perf_counter()
                work(app, state)
                times.append(time.perf_counter() - started)
            self.log(f"{label or work.__name__} [{backend}] run {i + 1}: {times[-1]:.3f} s")
        return times
