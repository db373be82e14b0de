"""How fast a province-sized data set goes in: Core executemany vs the ORM row by row.

* ``datagen.core_bulk``: ``datagen.generate(db.session, units=5000)`` + commit
  (5,000 units, 15,000 contacts, 501 users = 20,501 rows) on a fresh database.
* ``datagen.orm_one_by_one`` (the baseline): the same planned rows for fewer
  units (500 full / 100 small), each object ``session.add``-ed and flushed on
  its own (one INSERT round trip per row, as an import that creates units one
  at a time would), one commit at the end. Its rows/s is per row, so the
  ratio extrapolates it to the bulk size.
* ``datagen.orm_add_all``: for reference, the same small set added with
  relationships and flushed once: SQLAlchemy 2's unit of work then batches
  INSERTs itself (insertmanyvalues), which is the fair "ORM done right" figure.

The plan (the random names and numbers) is built inside the timed region for
core_bulk, since generate() builds it; the shared password hash is computed
once before any timing.
"""
from __future__ import annotations

from . import datagen
from .context import Result

NAME = "datagen"


def _core(units: int):
    def work(app, state):
        from pufa_flow.extensions import db

        counts = datagen.generate(db.session, units=units, seed=1)
        db.session.commit()
        work.counts = counts
    work.counts = None
    return work


def _orm_one_by_one(units: int):
    plan = datagen.plan(units, seed=1)

    def work(app, state):
        from pufa_flow.extensions import db
        from pufa_flow.models import Contact, Unit, User

        session = db.session
        hashed = datagen.password_hash()
        unit_objs: list[Unit] = []
        for row in plan.units:
            parent = row["parent"]
            unit = Unit(name=row["name"], kind=row["kind"],
                        parent_id=None if parent is None else unit_objs[parent].id,
                        has_enforcement_power=row["has_enforcement_power"], is_active=True)
            session.add(unit)
            session.flush()
            unit_objs.append(unit)
        for row in plan.contacts:
            session.add(Contact(unit_id=unit_objs[row["unit"]].id, role=row["role"], name=row["name"],
                                phone=row["phone"], email=row["email"]))
            session.flush()
        for row in plan.users:
            session.add(User(username=row["username"], display_name=row["display_name"], role=row["role"],
                             unit_id=None if row["unit"] is None else unit_objs[row["unit"]].id,
                             password_hash=hashed))
            session.flush()
        session.commit()
    return plan, work


def _orm_add_all(units: int):
    plan = datagen.plan(units, seed=1)

    def work(app, state):
        from pufa_flow.extensions import db
        from pufa_flow.models import Contact, Unit, User

        hashed = datagen.password_hash()
        unit_objs = []
        for row in plan.units:
            unit = Unit(name=row["name"], kind=row["kind"], has_enforcement_power=row["has_enforcement_power"],
                        is_active=True)
            if row["parent"] is not None:
                unit.parent = unit_objs[row["parent"]]
            unit_objs.append(unit)
        for row in plan.contacts:
            unit_objs[row["unit"]].contacts.append(
                Contact(role=row["role"], name=row["name"], phone=row["phone"], email=row["email"]))
        users = [User(username=row["username"], display_name=row["display_name"], role=row["role"],
                      unit=None if row["unit"] is None else unit_objs[row["unit"]], password_hash=hashed)
                 for row in plan.users]
        db.session.add_all(unit_objs + users)
        db.session.commit()
    return plan, work


def run(ctx) -> list[Result]:
    bulk_units = ctx.size(5000, 500)
    orm_units = ctx.size(500, 100)
    datagen.password_hash()  # one scrypt, outside every timing
    bulk_rows = datagen.plan(bulk_units, seed=1).rows
    results = []
    for backend in ctx.available_backends():
        core = _core(bulk_units)
        times = ctx.time_fresh(backend, core, label=f"core_bulk {bulk_units} units")
        results.append(Result(
            name=f"{NAME}.core_bulk", backend=backend, n=bulk_rows, times=times, unit="rows",
            baseline=f"{NAME}.orm_one_by_one",
            note=f"{bulk_units} units + 3 contacts each + users, Core executemany",
            extra={"counts": core.counts, "units": bulk_units},
        ))
        plan, work = _orm_one_by_one(orm_units)
        times = ctx.time_fresh(backend, work, label=f"orm_one_by_one {orm_units} units")
        one = Result(
            name=f"{NAME}.orm_one_by_one", backend=backend, n=plan.rows, times=times, unit="rows",
            note=f"{orm_units} units, session.add + flush per row",
            extra={"units": orm_units},
        )
        one.extra["extrapolated_s_for_bulk"] = bulk_rows / one.ops_per_s
        results.append(one)
        plan, work = _orm_add_all(orm_units)
        times = ctx.time_fresh(backend, work, label=f"orm_add_all {orm_units} units")
        results.append(Result(
            name=f"{NAME}.orm_add_all", backend=backend, n=plan.rows, times=times, unit="rows",
            baseline=f"{NAME}.orm_one_by_one",
            note=f"{orm_units} units, add_all + one flush (ORM batches)",
            extra={"units": orm_units},
        ))
    return results
