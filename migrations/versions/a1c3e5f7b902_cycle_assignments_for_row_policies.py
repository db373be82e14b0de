"""cycle assignments: the units each evaluator and panel member examines (row policies)

Revision ID: a1c3e5f7b902
Revises: b7c1d2e3f4a5
Create Date: 2026-11-21 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c3e5f7b902'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cycle_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('evaluator', 'panel', name='assignment_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_assignments_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_cycle_assignments_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_cycle_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_assignments')),
    sa.UniqueConstraint('cycle_id', 'unit_id', 'user_id', name=op.f('uq_cycle_assignments_cycle_id'))
    )
    with op.batch_alter_table('cycle_assignments', schema=None) as batch_op:
        batch_op.create_index('ix_cycle_assignments_user_cycle', ['user_id', 'cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cycle_assignments_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('cycle_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_assignments_unit_id'))
        batch_op.drop_index('ix_cycle_assignments_user_cycle')
    op.drop_table('cycle_assignments')
