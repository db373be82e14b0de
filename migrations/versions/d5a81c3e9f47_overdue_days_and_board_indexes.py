"""the board's past trend figures (overdue_days); item indexes for the totals, the per-inspection and the closed-late counts

Revision ID: d5a81c3e9f47
Revises: b7e3f19a2c60
Create Date: 2026-11-22 02:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a81c3e9f47'
down_revision = "b7e3f19a2c60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('overdue_days',
    sa.Column('day', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('open', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('open >= 0 AND overdue >= 0 AND overdue <= open',
                       name=op.f('ck_overdue_days_figures_counted')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_overdue_days'))
    )
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.create_index('ix_items_notice_status_due', ['notice_id', 'status', 'due_date'], unique=False)
        batch_op.create_index('ix_items_status_due_closed', ['status', 'due_date', 'closed_at', 'notice_id', 'unit_id'],
                              unique=False)
        batch_op.create_index('ix_items_status_category_due', ['status', 'category', 'due_date'], unique=False)


def downgrade():
    with op.batch_alter_table('rectification_items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_status_category_due')
        batch_op.drop_index('ix_items_status_due_closed')
        batch_op.drop_index('ix_items_notice_status_due')
    op.drop_table('overdue_days')
