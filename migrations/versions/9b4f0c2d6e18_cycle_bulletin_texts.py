"""the office's texts of a cycle's 考评情况通报 (cycle_bulletins)

Revision ID: 9b4f0c2d6e18
Revises: a3f9c2d1e7b4
Create Date: 2026-11-21 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9b4f0c2d6e18'
down_revision = "a3f9c2d1e7b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cycle_bulletins',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('achievements', sa.Text(), nullable=False),
    sa.Column('problems', sa.Text(), nullable=False),
    sa.Column('next_steps', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_bulletins_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_cycle_bulletins_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_cycle_bulletins'))
    )


def downgrade():
    op.drop_table('cycle_bulletins')
