"""self-assessment: the unit's choice on each deduction the filing record suggests, with its note

Revision ID: a3c5e7f9b1d2
Revises: 5d8e2a7c41b9
Create Date: 2026-11-21 23:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c5e7f9b1d2'
down_revision = '5d8e2a7c41b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_choices', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_column('record_choices')
