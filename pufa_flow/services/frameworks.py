"""The framework library and each cycle's copies: seed, copy, edit while not frozen.

Every score is computed against the copy its cycle holds; the library is
where the office prepares next year's table. Edits go through ``update`` so
the freeze rule and the consistency checks of ``Framework`` always apply.
"""
from __future__ import annotations

import sqlalchemy as sa

from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..frameworks import FrameworkInvalid
from ..frameworks.registry import FRAMEWORKS
from ..frameworks.serial import from_dict, to_dict
from ..models import UNIT_KINDS, FrameworkVersion
from ..models.frameworks import DEFAULT_BY_KIND
from . import audit
from .transaction import transaction



def library() -> list[FrameworkVersion]:
    stmt = (sa.select(FrameworkVersion).where(FrameworkVersion.cycle_id.is_(None))
            .order_by(FrameworkVersion.code, FrameworkVersion.id))
    return list(db.session.scalars(stmt))


def _library_row(code: str, version: str | None = None) -> FrameworkVersion | None:
    stmt = sa.select(FrameworkVersion).where(FrameworkVersion.cycle_id.is_(None), FrameworkVersion.code == code)
    if version is not None:
        stmt = stmt.where(FrameworkVersion.version == version)
    return db.session.scalars(stmt.order_by(FrameworkVersion.id.desc()).limit(1)).first()


def seed(*, actor=None) -> list[FrameworkVersion]:
    """Add the registry's frameworks the library lacks (same code and version); idempotent."""
    added = []
    with transaction():
        for fw in FRAMEWORKS.values():
            if _library_row(fw.id, fw.version) is not None:
                continue
            row = FrameworkVersion(code=fw.id, version=fw.version, name=fw.name, kind=fw.kind,
                                   definition=to_dict(fw))
            db.session.add(row)
            db.session.flush()
            audit.record("framework.seed", "framework", row.id, actor=actor,
                         data={"code": fw.id, "version": fw.version})
            added.append(row)
    return added


def ensure_library() -> None:
    """Fill an empty library from the registry: the shipped tables are reference data every install has."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(FrameworkVersion)
                         .where(FrameworkVersion.cycle_id.is_(None))) == 0:
        seed()


def default_for(unit_kind: str) -> FrameworkVersion:
    """The newest library row of the kind's default framework (seeded on first use)."""
    code = DEFAULT_BY_KIND[unit_kind]
    row = _library_row(code)
    if row is None:
        seed()
        row = _library_row(code)
    return row


def clean_choice(raw, errors: dict) -> dict[str, FrameworkVersion]:
    """{unit kind: library row} from ``{"county": <framework id>, …}``; defaults fill the rest."""
    chosen: dict[str, FrameworkVersion] = {}
    if raw is not None:
        if not isinstance(raw, dict) or set(raw) - set(UNIT_KINDS):
            errors["frameworks"] = f"frameworks 的键只能是单位类别：{'、'.join(UNIT_KINDS)}"
            return {}
        for kind, fid in raw.items():
            row = db.session.get(FrameworkVersion, fid) if isinstance(fid, int) and not isinstance(fid, bool) else None
            if row is None or row.cycle_id is not None:
                errors[f"frameworks.{kind}"] = f"指标体系不存在：{fid}"
            else:
                chosen[kind] = row
    return chosen


def copy_into_cycle(cycle, chosen: dict[str, FrameworkVersion]) -> None:
    """The cycle's own frozen-to-be copy for every unit kind (inside the caller's transaction)."""
    for kind in UNIT_KINDS:
        source = chosen.get(kind) or default_for(kind)
        db.session.add(FrameworkVersion(code=source.code, version=source.version, name=source.name,
                                        kind=source.kind, definition=source.definition, cycle_id=cycle.id,
                                        unit_kind=kind, based_on_id=source.id))
    db.session.flush()


def copy(row: FrameworkVersion, version, *, actor) -> FrameworkVersion:
    """A new library version of ``row`` for the office to edit for a new cycle."""
    errors: dict[str, str] = {}
    if not isinstance(version, str) or not version.strip() or len(version.strip()) > 20:
        errors["version"] = "新版本号不能为空，且不超过20个字符"
    elif _library_row(row.code, version.strip()) is not None:
        errors["version"] = f"版本“{version.strip()}”已存在"
    if errors:
        raise ValidationFailed(errors)
    version = version.strip()
    definition = dict(row.definition, version=version)
    with transaction():
        new = FrameworkVersion(code=row.code, version=version, name=row.name, kind=row.kind,
                               definition=definition, based_on_id=row.id)
        db.session.add(new)
        db.session.flush()
        audit.record("framework.copy", "framework", new.id, actor=actor,
                     data={"from": row.id, "code": row.code, "version": version})
    return new


def update(row: FrameworkVersion, definition, *, actor) -> FrameworkVersion:
    """Replace the table of a framework not yet frozen; refused with the reason otherwise."""
    reason = row.frozen_reason
    if reason:
        raise Conflict(reason, details={"reason": "frozen"})
    try:
        fw = from_dict(definition)
    except FrameworkInvalid as exc:
        raise ValidationFailed({"definition": str(exc)}, f"指标体系有误：{exc}") from None
    if fw.id != row.code or fw.kind != row.kind or fw.version != row.version:
        raise ValidationFailed({"definition": "不能修改指标体系的编号、类型或版本号；请复制为新版本"})
    with transaction():
        row.definition = to_dict(fw)
        row.name = fw.name
        row.__dict__.pop("framework", None)
        db.session.flush()
        audit.record("framework.update", "framework", row.id, actor=actor,
                     data={"code": row.code, "version": row.version, "cycle_id": row.cycle_id})
    return row
