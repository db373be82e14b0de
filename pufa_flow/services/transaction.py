"""One transaction per operation, composable, and the translation of database refusals.

Whatever raises inside rolls everything back: the state change, its audit row
and its outbox rows go together or not at all.

``transaction()`` nests: an inner block joins the outer one and only the
outermost commits. So a service that fires one trigger (``fire`` opens its
own ``transaction()``) is also a step of a bigger unit of work::

    with transaction():
        for item in items:
            fire(item, "verify", actor=office)   # one commit for all, or none

An exception that leaves an inner block dooms the whole unit of work: even if
the caller catches it, the outermost block rolls back and raises
``TransactionDoomed`` instead of committing half of it.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, stale_object_conflict
from ..extensions import db

_DEPTH = "pufa_transaction_depth"
_DOOMED = "pufa_transaction_doomed"


class TransactionDoomed(RuntimeError):
    """An inner step failed and its error was swallowed: a defect in the caller."""


def in_transaction() -> bool:
    """True inside a ``transaction()`` block (of this session)."""
    return db.session.info.get(_DEPTH, 0) > 0


@contextmanager
def transaction():
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        if depth:
            yield from _joined(session)
        else:
            session.info[_DOOMED] = False
            yield from _outermost(session)
    finally:
        session.info[_DEPTH] = depth


def _joined(session):
    try:
        yield session
    except BaseException as exc:
        session.info[_DOOMED] = True
        _raise_translated(exc)


def _outermost(session):
    try:
        yield session
        if session.info.get(_DOOMED):
            raise TransactionDoomed("事务中的某一步已失败，整个操作未作任何修改")
        session.commit()
    except BaseException as exc:
        session.rollback()
        _raise_translated(exc)


def _raise_translated(exc: BaseException):
    if isinstance(exc, StaleDataError):
        raise stale_object_conflict() from None
    if isinstance(exc, IntegrityError):
        raise Conflict("数据与已有记录冲突（可能是重复提交或重名），未作任何修改",
                       details={"reason": "integrity"}) from exc
    if isinstance(exc, OperationalError) and _is_lock_conflict(exc):
        raise Conflict("该记录正被他人修改，请稍后重试", details={"reason": "locked"}) from exc
    raise exc


def _is_lock_conflict(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text
