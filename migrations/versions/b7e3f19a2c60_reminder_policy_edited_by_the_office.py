"""the reminder policy the office edits (reminder_policies)

Revision ID: b7e3f19a2c60
Revises: 5d8e2a7c41b9
Create Date: 2026-11-21 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e3f19a2c60'
down_revision = '5d8e2a7c41b9'
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


def downgrade():
    op.drop_table('reminder_policies')
