"""One transaction per operation, and the translation of database refusals.

Whatever raises inside rolls everything back: the state change, its audit row
and its outbox rows go together or not at all.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, stale_object_conflict
from ..extensions import db


@contextmanager
def transaction():
    session = db.session
    try:
        yield session
        session.commit()
    except StaleDataError:
        session.rollback()
        raise stale_object_conflict() from None
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("数据与已有记录冲突（可能是重复提交或重名），未作任何修改",
                       details={"reason": "integrity"}) from exc
    except OperationalError as exc:
        session.rollback()
        if _is_lock_conflict(exc):
            raise Conflict("该记录正被他人修改，请稍后重试", details={"reason": "locked"}) from exc
        raise
    except BaseException:
        session.rollback()
        raise


def _is_lock_conflict(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text
