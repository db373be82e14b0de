"""reminders: outbox states and attempts, next-reminder table, inbox reads

Revision ID: 81065be0ba4f
Revises: 8d84abb96853
Create Date: 2026-11-21 20:14:13.187835

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa

OLD_CHANNELS = ('email', 'sms', 'inapp')
NEW_CHANNELS = ('email', 'sms', 'in_app', 'wecom', 'dingtalk')
OLD_STATES = ('pending', 'sent', 'failed')
NEW_STATES = ('pending', 'sending', 'sent', 'failed', 'held')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _checks(channels, states, old_channels, old_states):
    """The CHECKs of the channel and status columns: a table rebuild on SQLite,
    drop and add on PostgreSQL."""
    if op.get_bind().dialect.name == 'postgresql':
        for name, column, values in (('outbox_channel', 'channel', channels), ('outbox_status', 'status', states)):
            op.execute(f'ALTER TABLE outbox_messages DROP CONSTRAINT IF EXISTS ck_outbox_messages_{name}')
            listed = ', '.join(f"'{v}'" for v in values)
            op.execute(f'ALTER TABLE outbox_messages ADD CONSTRAINT ck_outbox_messages_{name} CHECK ({column} IN ({listed}))')
        return
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('channel', existing_type=_enum(old_channels, 'outbox_channel'),
                              type_=_enum(channels, 'outbox_channel'), existing_nullable=False)
        batch_op.alter_column('status', existing_type=_enum(old_states, 'outbox_status'),
                              type_=_enum(states, 'outbox_status'), existing_nullable=False)


# revision identifiers, used by Alembic.
revision = '81065be0ba4f'
down_revision = '8d84abb96853'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder_preferences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('sms', sa.Boolean(), nullable=False),
    sa.Column('mode', _enum(('immediate', 'digest'), 'reminder_mode'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_reminder_preferences_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reminder_preferences_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_preferences')),
    sa.UniqueConstraint('contact_id', name=op.f('uq_reminder_preferences_contact_id'))
    )
    with op.batch_alter_table('reminder_preferences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_preferences_unit_id'), ['unit_id'], unique=False)

    op.create_table('reminder_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=20), nullable=False),
    sa.Column('ran_for', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_runs'))
    )
    with op.batch_alter_table('reminder_runs', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_runs_job_id', ['job', 'id'], unique=False)

    op.create_table('reminder_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=30), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('ladder', sa.String(length=40), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.Column('swept_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_schedules')),
    sa.UniqueConstraint('object_type', 'object_id', 'ladder', name=op.f('uq_reminder_schedules_object_type'))
    )
    with op.batch_alter_table('reminder_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_schedules_next_at'), ['next_at'], unique=False)

    op.create_table('outbox_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('sent', 'retry', 'failed', 'deferred', 'expired', name='outbox_attempt_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=False),
    sa.Column('provider', sa.String(length=50), nullable=False),
    sa.Column('provider_message_id', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], name=op.f('fk_outbox_attempts_message_id_outbox_messages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempts'))
    )
    with op.batch_alter_table('outbox_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempts_message_id'), ['message_id'], unique=False)

    op.create_table('inbox_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], name=op.f('fk_inbox_reads_message_id_outbox_messages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_inbox_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_reads')),
    sa.UniqueConstraint('user_id', 'message_id', name=op.f('uq_inbox_reads_user_id'))
    )
    with op.batch_alter_table('inbox_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_reads_message_id'), ['message_id'], unique=False)

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipient_role', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('recipient_name', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('kind', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('local_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('template', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('variables', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('link', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('provider_message_id', sa.String(length=200), nullable=True))
        batch_op.create_index('ix_outbox_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_outbox_sending', ['lease_until'], unique=False, sqlite_where=sa.text("status = 'sending'"), postgresql_where=sa.text("status = 'sending'"))
        batch_op.create_unique_constraint('uq_outbox_messages_reminder', ['object_type', 'object_id', 'recipient', 'channel', 'kind', 'local_day'])

    # rows written before: their key already names them; the day is the Shanghai day they were written
    outbox = sa.table('outbox_messages', sa.column('id'), sa.column('channel'), sa.column('kind'),
                      sa.column('key'), sa.column('created_at', sa.DateTime), sa.column('local_day', sa.Date))
    bind = op.get_bind()
    for row_id, created, key in bind.execute(sa.select(outbox.c.id, outbox.c.created_at, outbox.c.key)).all():
        created = created if not isinstance(created, str) else datetime.fromisoformat(created)
        day = (created + timedelta(hours=8)).date()
        bind.execute(outbox.update().where(outbox.c.id == row_id).values(local_day=day, kind=key[:80]))
    # widen, rename inapp → in_app (the engine's name), narrow
    _checks(NEW_CHANNELS + ('inapp',), NEW_STATES, OLD_CHANNELS, OLD_STATES)
    op.execute("UPDATE outbox_messages SET channel = 'in_app' WHERE channel = 'inapp'")
    _checks(NEW_CHANNELS, NEW_STATES, NEW_CHANNELS + ('inapp',), NEW_STATES)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('local_day', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('recipient_role', existing_type=sa.String(length=20), server_default=None)
        batch_op.alter_column('recipient_name', existing_type=sa.String(length=50), server_default=None)
        batch_op.alter_column('kind', existing_type=sa.String(length=80), server_default=None)


def downgrade():
    _checks(NEW_CHANNELS + ('inapp',), NEW_STATES, NEW_CHANNELS, NEW_STATES)
    op.execute("UPDATE outbox_messages SET channel = 'inapp' WHERE channel = 'in_app'")
    op.execute("DELETE FROM outbox_messages WHERE channel IN ('wecom', 'dingtalk')")
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status IN ('sending', 'held')")
    _checks(OLD_CHANNELS, OLD_STATES, NEW_CHANNELS + ('inapp',), NEW_STATES)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint('uq_outbox_messages_reminder', type_='unique')
        batch_op.drop_index('ix_outbox_sending', sqlite_where=sa.text("status = 'sending'"), postgresql_where=sa.text("status = 'sending'"))
        batch_op.drop_index('ix_outbox_object')
        batch_op.drop_column('provider_message_id')
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('link')
        batch_op.drop_column('variables')
        batch_op.drop_column('template')
        batch_op.drop_column('html')
        batch_op.drop_column('local_day')
        batch_op.drop_column('kind')
        batch_op.drop_column('recipient_name')
        batch_op.drop_column('recipient_role')

    with op.batch_alter_table('inbox_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_reads_message_id'))

    op.drop_table('inbox_reads')
    with op.batch_alter_table('outbox_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attempts_message_id'))

    op.drop_table('outbox_attempts')
    with op.batch_alter_table('reminder_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_schedules_next_at'))

    op.drop_table('reminder_schedules')
    with op.batch_alter_table('reminder_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_runs_job_id')

    op.drop_table('reminder_runs')
    with op.batch_alter_table('reminder_preferences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_preferences_unit_id'))
    op.drop_table('reminder_preferences')
