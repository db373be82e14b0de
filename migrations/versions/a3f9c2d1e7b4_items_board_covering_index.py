"""rectification_items: the overdue board's covering indexes

(status, due_date, unit_id, category, notice_id) replaces ix_items_status_due,
(unit_id, status, due_date) replaces ix_items_unit_status (their leading
columns), and (created_at, closed_at, updated_at, status, due_date) serves the
12-week trend: the board's scans read these columns only, so they read the
index, not the table.

Revision ID: a3f9c2d1e7b4
Revises: a3c5e7f9b1d2
Create Date: 2026-11-21 23:40:00

"""
from alembic import op


revision = 'a3f9c2d1e7b4'
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_status_due')
        batch_op.drop_index('ix_items_unit_status')
        batch_op.create_index('ix_items_status_due_cover', ['status', 'due_date', 'unit_id', 'category', 'notice_id'],
                              unique=False)
        batch_op.create_index('ix_items_unit_status_due', ['unit_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_items_trend', ['created_at', 'closed_at', 'updated_at', 'status', 'due_date'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_trend')
        batch_op.drop_index('ix_items_unit_status_due')
        batch_op.drop_index('ix_items_status_due_cover')
        batch_op.create_index('ix_items_unit_status', ['unit_id', 'status'], unique=False)
        batch_op.create_index('ix_items_status_due', ['status', 'due_date'], unique=False)
