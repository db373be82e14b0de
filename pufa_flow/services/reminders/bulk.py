"""Many rows in one statement: the sweep's outbox rows and next-reminder moves.

On PostgreSQL the rows travel as one JSON parameter (an array of arrays)
that the server unpacks itself (``jsonb_array_elements``). A thousand rows
of twenty columns are then one short statement with one parameter, instead
of pages of multi-row VALUES with thousands of placeholders, which psycopg
parses anew each time (it caches only short statements: ≤ 4 KiB, ≤ 50
parameters), and an executemany of UPDATEs. Each value is first turned into
what the column's type would have bound (an enum's checked string, a JSON
column's text, a date's ISO text), so the rows stored are the ones an
ordinary INSERT would have stored.

On SQLite, in the process, there is no parsing to save: SQLAlchemy's own
multi-row INSERT … RETURNING and an executemany of UPDATEs are faster there
than unpacking a JSON document with ``json_each`` (measured: ~8% on the
sweep). The JSON form works on SQLite too (3.33+ with its JSON functions);
``JSON_ON_SQLITE`` turns it on, for comparing the two.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ...extensions import db


def _plain(value):
    """PostgreSQL reads dates and times from their ISO text (CAST in the statement)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _converter(column: sa.Column, dialect):
    """value → what goes into the JSON document for this column (None: as it is)."""
    if isinstance(column.type, sa.JSON):
        serialize = getattr(dialect, "_json_serializer", None) or json.dumps
        # the JSON type stores None as JSON null (none_as_null is off): the same here
        null = None if column.type.none_as_null else serialize(None)
        return lambda value: null if value is None else serialize(value)
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    if dialect.name == "sqlite" and isinstance(column.type, (sa.Date, sa.DateTime)):
        cache: dict = {}  # a batch shares a few times (now, the send times)

        def convert(value):
            if value is None:
                return None
            text = cache.get(value)
            if text is None:
                text = cache[value] = process(value)
            return text
        return convert
    return process


def _unpacked(columns, dialect, param: str) -> tuple[str, str]:
    """(the FROM clause that unpacks ``param``, the select list in column order)."""
    if dialect.name == "postgresql":
        types = [column.type.compile(dialect=dialect) for column in columns]
        exprs = [f"CAST(_r.value ->> {i} AS {t})" for i, t in enumerate(types)]
        return f"jsonb_array_elements(CAST(:{param} AS JSONB)) AS _r(value)", ", ".join(exprs)
    exprs = [f"json_extract(_r.value, '$[{i}]')" for i in range(len(columns))]
    return f"json_each(:{param}) AS _r", ", ".join(exprs)


def _document(rows: list[dict], columns, dialect) -> str:
    keys = [column.key for column in columns]
    get = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    converters = [(i, convert) for i, column in enumerate(columns) if (convert := _converter(column, dialect))]
    data = []
    for row in rows:
        try:
            values = list(get(row))
        except KeyError:  # a row without some of the columns: NULL there
            values = [row.get(key) for key in keys]
        for i, convert in converters:
            values[i] = convert(values[i])
        data.append(values)
    return json.dumps(data, ensure_ascii=False, default=_plain, separators=(",", ":"))


_statements: dict[tuple, sa.TextClause] = {}
#: use the JSON document on SQLite too (slower there; kept so the two can be compared)
JSON_ON_SQLITE = False


def insert_ignoring_duplicates(table: sa.Table, columns: tuple[str, ...], rows: list[dict],
                               returning: str) -> list:
    """INSERT the rows (``columns`` of each dict; a missing key is NULL) ON CONFLICT DO NOTHING
    (one statement on PostgreSQL); the ``returning`` column of the rows that went in."""
    if not rows:
        return []
    dialect = db.session.get_bind().dialect
    if dialect.name == "sqlite" and not JSON_ON_SQLITE:
        stmt = sqlite_insert(table).on_conflict_do_nothing().returning(table.c[returning])
        return list(db.session.scalars(stmt, [{name: row.get(name) for name in columns} for row in rows]))
    cols = [table.c[name] for name in columns]
    key = ("insert", table.name, columns, returning, dialect.name)
    stmt = _statements.get(key)
    if stmt is None:
        source, select_list = _unpacked(cols, dialect, "rows")
        names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in cols)
        # WHERE true: SQLite needs it to tell the upsert's ON CONFLICT from a join's ON
        stmt = _statements[key] = sa.text(
            f"INSERT INTO {table.name} ({names}) SELECT {select_list} FROM {source} WHERE 1 = 1 "
            f"ON CONFLICT DO NOTHING RETURNING {dialect.identifier_preparer.quote(returning)}")
    return list(db.session.scalars(stmt, {"rows": _document(rows, cols, dialect)}))


def update_by_id(table: sa.Table, columns: tuple[str, ...], rows: list[dict], *, same: dict | None = None) -> None:
    """UPDATE each row's ``columns`` by its ``id`` (and set ``same`` on all of them): one
    statement on PostgreSQL, an executemany on SQLite."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect
    same = same or {}
    if dialect.name == "sqlite" and not JSON_ON_SQLITE:
        stmt = sa.update(table).where(table.c.id == sa.bindparam("_id")) \
            .values({name: sa.bindparam(f"_{name}") for name in columns}).values(same)
        db.session.execute(stmt, [{"_id": row["id"], **{f"_{name}": row.get(name) for name in columns}}
                                  for row in rows])
        return
    cols = [table.c.id] + [table.c[name] for name in columns]
    key = ("update", table.name, columns, tuple(sorted(same)), dialect.name)
    stmt = _statements.get(key)
    if stmt is None:
        source, _ = _unpacked(cols, dialect, "rows")
        quote = dialect.identifier_preparer.quote
        extract = (lambda i, c: f"CAST(_r.value ->> {i} AS {c.type.compile(dialect=dialect)})") \
            if dialect.name == "postgresql" else (lambda i, c: f"json_extract(_r.value, '$[{i}]')")
        sets = [f"{quote(c.name)} = {extract(i, c)}" for i, c in enumerate(cols) if i > 0]
        sets += [f"{quote(name)} = :{name}" for name in sorted(same)]
        stmt = _statements[key] = sa.text(
            f"UPDATE {table.name} SET {', '.join(sets)} FROM {source} WHERE {table.name}.id = {extract(0, cols[0])}"
        ).bindparams(*[sa.bindparam(name, type_=table.c[name].type) for name in same])
    db.session.execute(stmt, {"rows": _document(rows, cols, dialect), **same})
