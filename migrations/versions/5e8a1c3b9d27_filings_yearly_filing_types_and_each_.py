"""filings: yearly filing types (报备), the units that must file them, and each unit's filings

Revision ID: 5e8a1c3b9d27
Revises: cae316c8b59f
Create Date: 2026-11-21 20:18:13.588033

"""
from alembic import op
import sqlalchemy as sa


revision = '5e8a1c3b9d27'
down_revision = 'cae316c8b59f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('filing_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('single', 'stream', name='filing_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('target', sa.Integer(), nullable=True),
    sa.Column('requires_url', sa.Boolean(), nullable=False),
    sa.Column('names_people', sa.Boolean(), nullable=False),
    sa.Column('unit_kinds', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('target IS NULL OR target >= 1', name=op.f('ck_filing_types_target_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filing_types')),
    sa.UniqueConstraint('year', 'code', name=op.f('uq_filing_types_year_code')),
    sa.UniqueConstraint('year', 'name', name=op.f('uq_filing_types_year_name'))
    )
    with op.batch_alter_table('filing_types', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_types_year'), ['year'], unique=False)

    op.create_table('filing_type_units',
    sa.Column('filing_type_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['filing_type_id'], ['filing_types.id'], name=op.f('fk_filing_type_units_filing_type_id_filing_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_filing_type_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('filing_type_id', 'unit_id', name=op.f('pk_filing_type_units'))
    )
    with op.batch_alter_table('filing_type_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filing_type_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filing_type_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('item_date', sa.Date(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('people', sa.JSON(), nullable=False),
    sa.Column('first_submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('late_workdays', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'submitted', 'returned', 'received', name='filing_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_filings_seq_positive')),
    sa.ForeignKeyConstraint(['filing_type_id'], ['filing_types.id'], name=op.f('fk_filings_filing_type_id_filing_types'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_filings_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_filings')),
    sa.UniqueConstraint('filing_type_id', 'unit_id', 'seq', name=op.f('uq_filings_filing_type_id'))
    )
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_filings_filing_type_id'), ['filing_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_filings_status'), ['status'], unique=False)
        batch_op.create_index('ix_filings_unit_year', ['unit_id', 'year'], unique=False)



def downgrade():
    with op.batch_alter_table('filings', schema=None) as batch_op:
        batch_op.drop_index('ix_filings_unit_year')
        batch_op.drop_index(batch_op.f('ix_filings_status'))
        batch_op.drop_index(batch_op.f('ix_filings_filing_type_id'))

    op.drop_table('filings')
    with op.batch_alter_table('filing_type_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_type_units_unit_id'))

    op.drop_table('filing_type_units')
    with op.batch_alter_table('filing_types', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_filing_types_year'))

    op.drop_table('filing_types')
