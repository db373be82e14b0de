"""accounts: session epoch on users, revocation time on API tokens

Revision ID: 8d84abb96853
Revises: 61cdd5fa0fb8
Create Date: 2026-11-21 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8d84abb96853'
down_revision = '61cdd5fa0fb8'
branch_labels = None
depends_on = None


def upgrade():
    # plain ALTER TABLE (SQLite >= 3.35 drops columns itself): a batch copy of
    # users would reflect units and its expression index, which it cannot
    op.add_column('users', sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    op.add_column('api_tokens', sa.Column('revoked_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('api_tokens', 'revoked_at')
    op.drop_column('users', 'session_epoch')
