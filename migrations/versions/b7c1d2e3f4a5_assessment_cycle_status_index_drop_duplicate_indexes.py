"""(cycle_id, status) on unit_assessments for the cycle guards; drop indexes another index already covers

unit_assessments.cycle_id is the leading column of uq (cycle_id, unit_id) and
of the new (cycle_id, status); rectification_items.status leads
ix_items_status_due (status, due_date).

Revision ID: b7c1d2e3f4a5
Revises: e491d527c228
Create Date: 2026-11-21 18:40:00

"""
from alembic import op


revision = 'b7c1d2e3f4a5'
down_revision = 'e491d527c228'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_assessments_cycle_id')
        batch_op.create_index('ix_unit_assessments_cycle_status', ['cycle_id', 'status'], unique=False)
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_items_status')


def downgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_items_status', ['status'], unique=False)
    with op.batch_alter_table('unit_assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_assessments_cycle_status')
        batch_op.create_index('ix_unit_assessments_cycle_id', ['cycle_id'], unique=False)
