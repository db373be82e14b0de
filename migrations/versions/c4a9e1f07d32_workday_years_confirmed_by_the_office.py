"""workday_years: years whose holidays the office has entered in full

Revision ID: c4a9e1f07d32
Revises: b7d2c4e6f813
Create Date: 2026-11-21 20:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a9e1f07d32'
down_revision = 'b7d2c4e6f813'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workday_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_workday_years_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_workday_years'))
    )


def downgrade():
    op.drop_table('workday_years')
