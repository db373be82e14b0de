"""frameworks in the database, the 自评 workspace, per-unit deadline extensions

Revision ID: cae316c8b59f
Revises: 81065be0ba4f
Create Date: 2026-11-21 20:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'cae316c8b59f'
down_revision = '81065be0ba4f'
branch_labels = None
depends_on = None

UNIT_KINDS = ('city_department', 'county', 'town', 'other')


def upgrade():
    op.create_table('frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('score_sheet', 'checklist', name='framework_kind', native_enum=False,
                              create_constraint=True, length=32), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('unit_kind', sa.Enum(*UNIT_KINDS, name='framework_unit_kind', native_enum=False,
                                   create_constraint=True, length=32), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_frameworks_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['based_on_id'], ['frameworks.id'], name=op.f('fk_frameworks_based_on_id_frameworks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frameworks')),
    sa.UniqueConstraint('cycle_id', 'unit_kind', name=op.f('uq_frameworks_cycle_id'))
    )
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.create_index('ix_frameworks_code_version', ['code', 'version'], unique=False)

    op.create_table('self_assessments',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.Column('report_text', sa.Text(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=True),
    sa.Column('cases', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['unit_assessments.id'], name=op.f('fk_self_assessments_assessment_id_unit_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_self_assessments_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_self_assessments_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_self_assessments'))
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessments_unit_id'), ['unit_id'], unique=False)

    # plain ALTERs: SQLite adds and drops a column in place, no batch copy of the table
    op.add_column('unit_assessments', sa.Column('extended_due_on', sa.Date(), nullable=True))
    op.add_column('unit_assessments', sa.Column('extension_reason', sa.String(length=500), nullable=True))


def downgrade():
    op.drop_column('unit_assessments', 'extension_reason')
    op.drop_column('unit_assessments', 'extended_due_on')
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessments_unit_id'))
    op.drop_table('self_assessments')
    with op.batch_alter_table('frameworks', schema=None) as batch_op:
        batch_op.drop_index('ix_frameworks_code_version')
    op.drop_table('frameworks')
