"""The demo's filings: this year's types over the 36 units, in every standing the board shows."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from pufa_flow import clock
from pufa_flow.extensions import db
from pufa_flow.models import AuditEvent, Filing, Unit, User
from pufa_flow.services import demo, filing_record, filings

NOW = datetime(2026, 11, 21, 4, 0)


def test_demo_filings_cover_every_standing(app):
    with clock.frozen(NOW):
        demo.load()
        office = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
        board = filings.board(2026, user=office)
        by_code = {ft.code: ft for ft in board.types}
        plan = by_code["plan"].id
        assert board.counts[plan]["missing"] == 3 and board.counts[plan]["returned"] == 1
        assert board.counts[plan]["late"] >= 3 and board.counts[plan]["on_time"] >= 20
        info_counts = {c.count for _, cells in board.rows for c in cells if c.filing_type.code == "info"}
        assert info_counts == set(range(9))
        mz = db.session.scalars(sa.select(Unit).where(Unit.name == "区民政局")).one()
        refiled = db.session.scalars(sa.select(Filing).where(Filing.unit_id == mz.id,
                                                             Filing.filing_type_id == plan)).one()
        triggers = db.session.scalars(sa.select(AuditEvent.trigger).where(
            AuditEvent.object_type == "filing", AuditEvent.object_id == refiled.id).order_by(AuditEvent.id)).all()
        assert triggers == ["submit", "return_for_revision", "submit"]
        # a unit whose plan came late has the deduction suggested
        late_unit = next(u for u, cells in board.rows for c in cells if c.filing_type.id == plan and c.state == "late")
        assert "n23-03-c" in {s.rule_id for s in filing_record.suggested_deductions(late_unit.id, 2026)}
