"""rectification_items: the board's covering index (status, due_date, unit_id, category, notice_id)

Replaces ix_items_status_due (its first two columns): the overdue board's
GROUP BYs read only these columns, so they scan the index, not the table.

Revision ID: a3f9c2d1e7b4
Revises: 5d8e2a7c41b9
Create Date: 2026-11-21 23:40:00

"""
from alembic import op


revision = 'a3f9c2d1e7b4'
down_revision = '5d8e2a7c41b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_status_due')
        batch_op.create_index('ix_items_status_due_cover', ['status', 'due_date', 'unit_id', 'category', 'notice_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_status_due_cover')
        batch_op.create_index('ix_items_status_due', ['status', 'due_date'], unique=False)
