"""the reminder policy the office edits (reminder_policies); work-group robot webhooks (robot_hooks)

Revision ID: b7e3f19a2c60
Revises: 9b4f0c2d6e18
Create Date: 2026-11-21 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e3f19a2c60'
down_revision = "9b4f0c2d6e18"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_reminder_policies_updated_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_policies'))
    )
    op.create_table('robot_hooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('platform', sa.Enum('wecom', 'dingtalk', name='robot_platform', native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_robot_hooks_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_robot_hooks')),
    sa.UniqueConstraint('unit_id', 'platform', name=op.f('uq_robot_hooks_unit_id'))
    )
    with op.batch_alter_table('robot_hooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_robot_hooks_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('robot_hooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_robot_hooks_unit_id'))
    op.drop_table('robot_hooks')
    op.drop_table('reminder_policies')
