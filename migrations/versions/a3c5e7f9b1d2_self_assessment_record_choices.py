"""self-assessment: the unit's choice on each deduction the filing record suggests, with its note

Revision ID: a3c5e7f9b1d2
Revises: 3b6f0d92e1a4
Create Date: 2026-11-21 23:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c5e7f9b1d2'
down_revision = "3b6f0d92e1a4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('self_assessments', sa.Column('record_choices', sa.JSON(), nullable=True))


def downgrade():
    # a plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy would reflect the
    # expression index on units and trip over its warning
    op.drop_column('self_assessments', 'record_choices')
