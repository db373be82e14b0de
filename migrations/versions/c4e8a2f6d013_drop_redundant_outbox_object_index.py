"""outbox_messages: drop ix_outbox_object, a prefix of uq_outbox_messages_reminder

The unique key starts with (object_type, object_id) and serves every lookup
the index did; the index only cost a write per outbox row.

Revision ID: c4e8a2f6d013
Revises: d5a81c3e9f47
Create Date: 2026-11-22 03:15:00

"""
from alembic import op


revision = 'c4e8a2f6d013'
down_revision = 'd5a81c3e9f47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_object')


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_object', ['object_type', 'object_id'], unique=False)
