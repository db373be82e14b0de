"""Fixtures: an app with a fresh database per test, on SQLite and PostgreSQL.

Every test that takes ``app`` runs once per backend. PostgreSQL is used when
it answers on PUFA_TEST_POSTGRES (default 127.0.0.1:5432, trust auth); when
it does not, those runs are skipped with the reason. PUFA_TEST_BACKENDS=sqlite
limits a run to one backend.
"""
from __future__ import annotations

import functools
import os
import socket
import uuid

import pytest
from flask.testing import FlaskClient
import sqlalchemy as sa

from pufa_flow import create_app
from pufa_flow.extensions import db

PG_ADMIN_URL = os.environ.get("PUFA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = [b for b in os.environ.get("PUFA_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
LOOPBACK = ("127.", "::1", "localhost")
_pg_state: dict = {}


# -- the network guard -------------------------------------------------------
class OutboundConnection(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_outbound_network(monkeypatch, request):
    """Fail a test that opens a connection beyond this machine it did not ask for."""
    if request.node.get_closest_marker("allow_network"):
        return
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if self.family in (socket.AF_INET, socket.AF_INET6) and not str(host).startswith(LOOPBACK):
            raise OutboundConnection(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


#: the longest files, collected first: `make test`'s workers take files in collection order, so
#: starting these early keeps one worker from finishing minutes after the other
SLOW_FIRST = ("tests/test_schemathesis.py", "tests/browser/", "tests/test_workflow_units_of_work.py",
              "tests/test_reminders_reliability.py", "tests/test_documents_downloads.py", "tests/test_demo.py",
              "tests/test_filings_demo.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))
    items.sort(key=rank)  # stable: a file's tests keep their order


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_network: the test may connect beyond loopback")


# -- databases ---------------------------------------------------------------
def _postgres_database() -> str:
    """Create one throw-away database for this session; reason string if impossible."""
    if "url" in _pg_state or "skip" in _pg_state:
        return _pg_state.get("url")
    name = f"pufa_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        _pg_state["skip"] = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        return None
    _pg_state["url"] = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    _pg_state["name"] = name
    return _pg_state["url"]


def pytest_sessionfinish(session, exitstatus):
    if "name" in _pg_state:
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{_pg_state["name"]}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    if request.param == "postgresql" and _postgres_database() is None:
        pytest.skip(_pg_state["skip"])
    return request.param


def _database_url(backend: str, tmp_path) -> str:
    if backend == "postgresql":
        return _pg_state["url"]
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


def _empty_tables() -> None:
    """Every row gone and every id counter back to 1, as on a new database.

    DELETE, not TRUNCATE: on PostgreSQL TRUNCATE makes new files for each of
    the tables (~150 ms a test); deleting the few rows a test wrote, and
    setting the sequences back, takes a few milliseconds.
    """
    conn = db.session.connection()
    for table in reversed(db.metadata.sorted_tables):
        for fk in table.foreign_keys:  # rows pointing at rows of their own table: leaves first
            if fk.column.table is table:
                leaves = (f'DELETE FROM "{table.name}" WHERE "{fk.column.name}" NOT IN (SELECT "{fk.parent.name}" '
                          f'FROM "{table.name}" WHERE "{fk.parent.name}" IS NOT NULL)')
                while conn.exec_driver_sql(leaves).rowcount:
                    pass
        conn.exec_driver_sql(f'DELETE FROM "{table.name}"')
    if conn.dialect.name == "postgresql":
        sequences = _pg_state.setdefault("sequences", conn.exec_driver_sql(
            "SELECT sequence_name FROM information_schema.sequences").scalars().all())
        if sequences:
            conn.exec_driver_sql("SELECT " + ", ".join(f"setval('\"{s}\"', 1, false)" for s in sequences))
    elif conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").first():
        conn.exec_driver_sql("DELETE FROM sqlite_sequence")
    db.session.commit()


def make_test_app(backend: str, tmp_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-not-for-production",
        # given by a caller that imported this module again (tests.conftest: its own, empty _pg_state)
        "SQLALCHEMY_DATABASE_URI": overrides.get("SQLALCHEMY_DATABASE_URI") or _database_url(backend, tmp_path),
        "WTF_CSRF_ENABLED": False,
        "PUFA_UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = BufferedClient
    return app


class BufferedClient(FlaskClient):
    """Responses read whole and closed: a walk that only looks at the status of a
    file download (send_file) must not leave the file open (ResourceWarning)."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def _session_app(backend, tmp_path_factory):
    """One app per backend for the whole run, its tables made once.

    Building an app compiles its ~220 URL rules (~0.1 s) and making the tables
    on a new database costs as much again: per test, that was a third of the
    suite's time. Each test gets it back as new (see ``app``).
    """
    app = make_test_app(backend, tmp_path_factory.mktemp(f"app-{backend}"))
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return app


@pytest.fixture
def app(_session_app, tmp_path):
    """The session's app as if new: empty tables, its own upload folder, and
    whatever a test changed in its config or extensions put back afterwards."""
    app = _session_app
    config, extensions = dict(app.config), dict(app.extensions)
    app.config["PUFA_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    with app.app_context():
        _empty_tables()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            app.config.clear()
            app.config.update(config)
            app.extensions.clear()
            app.extensions.update(extensions)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- factories ---------------------------------------------------------------
PASSWORD = "Secret123"


@functools.lru_cache(maxsize=8)
def _hashed(password: str) -> str:
    """scrypt once per password, not once per user: it dominated set-up time."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password)


@pytest.fixture
def make_unit(app):
    from pufa_flow.models import Unit

    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, kind: str = "city_department", **fields):
        unit = Unit(name=name or f"测试单位{next(counter)}", kind=kind, **fields)
        db.session.add(unit)
        db.session.commit()
        return unit
    return factory


@pytest.fixture
def make_user(app):
    from pufa_flow.models import User

    counter = iter(range(1, 10_000))

    def factory(role: str = "office", unit=None, username: str | None = None, password: str = PASSWORD):
        user = User(username=username or f"{role}{next(counter)}", role=role,
                    unit_id=unit.id if unit is not None else None, display_name="")
        user.password_hash = _hashed(password)
        db.session.add(user)
        db.session.commit()
        return user
    return factory


@pytest.fixture
def office_user(make_user):
    return make_user("office", username="office")


@pytest.fixture
def token_for(app):
    from pufa_flow.services.auth import issue_token

    def factory(user) -> dict:
        return {"Authorization": f"Bearer {issue_token(user, name='test')}"}
    return factory


@pytest.fixture
def login(client):
    def do(user, password: str = PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response
    return do
