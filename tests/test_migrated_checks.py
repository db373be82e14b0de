"""The migrated database refuses exactly what the workflows refuse.

The suite builds its schema with ``create_all``, and Alembic's autogenerate
does not compare CHECK constraints: a state added to a workflow passes every
other test while a database built by ``db upgrade`` still refuses it. Here
the schema is built by the migrations, on both backends, and each state
column's CHECK is read back and compared with its workflow's states.
"""
from __future__ import annotations

import os
import re
import uuid
import warnings

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from pufa_flow import create_app
from pufa_flow.models import STATEFUL_MODELS

# the same default as conftest's (imported by name it would be the browser tests' conftest)
PG_ADMIN_URL = os.environ.get("PUFA_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

_QUOTED = re.compile(r"'((?:[^']|'')*)'")


def allowed_values(inspector, table: str, column: str) -> set[str] | None:
    """The values the CHECK on ``column`` lists (None if no CHECK names the column)."""
    for check in inspector.get_check_constraints(table):
        text = check["sqltext"]
        if re.search(rf"\b{column}\b", text) and re.search(r"\bIN\b|= ANY", text, re.I):
            return {v.replace("''", "'") for v in _QUOTED.findall(text)}
    return None



@pytest.fixture
def migrated(backend, tmp_path):
    """A fresh database of the backend, built by ``db upgrade`` alone."""
    if backend == "postgresql":
        name = f"pufa_mig_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret-not-for-production",
                      "SQLALCHEMY_DATABASE_URI": url, "PUFA_UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        upgrade()
        engine = sa.create_engine(url)
        try:
            yield sa.inspect(engine)
        finally:
            engine.dispose()
            from pufa_flow.extensions import db
            db.engine.dispose()
    if backend == "postgresql":
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def drift(inspector) -> dict[str, tuple[set, set]]:
    """object_type -> (states the database refuses, values it allows that are no state)."""
    found = {}
    for object_type, model in STATEFUL_MODELS.items():
        allowed = allowed_values(inspector, model.__tablename__, "status")
        states = set(model.workflow.states)
        if allowed != states:
            found[object_type] = (states - (allowed or set()), (allowed or set()) - states)
    return found


def test_migrated_status_checks_match_the_workflows(migrated):
    assert set(STATEFUL_MODELS) == {"cycle", "assessment", "item", "notice", "filing"}
    assert drift(migrated) == {}


def test_a_state_added_without_a_migration_is_caught(migrated, monkeypatch):
    from pufa_flow.models import RectificationItem
    wf = RectificationItem.workflow
    monkeypatch.setattr(wf, "states", [*wf.states, "suspended"])
    assert drift(migrated) == {"item": ({"suspended"}, set())}


def test_migrated_schema_matches_the_models(migrated):
    """Tables, columns and indexes (what Alembic compares) agree, so the drop-
    and-add of indexes in the models has its migration, and back again."""
    from alembic.migration import MigrationContext
    from alembic.autogenerate import compare_metadata
    from flask_migrate import downgrade

    from pufa_flow.extensions import db
    with migrated.bind.connect() as conn, warnings.catch_warnings():
        # uq_units_parent_name is an expression index, which reflection skips
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index",
                                sa.exc.SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index",
                                UserWarning)
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert [d for d in diff if "uq_units_parent_name" not in repr(d)] == []
    downgrade(revision="e491d527c228")
    upgrade()
