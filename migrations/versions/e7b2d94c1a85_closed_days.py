"""the board's closed on time / late figures per past closing day (closed_days)

Revision ID: e7b2d94c1a85
Revises: c4e8a2f6d013
Create Date: 2026-11-22 03:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7b2d94c1a85'
down_revision = 'c4e8a2f6d013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('closed_days',
    sa.Column('day', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('on_time >= 0 AND late >= 0', name=op.f('ck_closed_days_figures_counted')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_closed_days'))
    )


def downgrade():
    op.drop_table('closed_days')
