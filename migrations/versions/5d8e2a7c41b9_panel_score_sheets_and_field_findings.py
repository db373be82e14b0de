"""panel score sheets (评议团评分表) and the teams' field findings

Revision ID: 5d8e2a7c41b9
Revises: 8ff713066444
Create Date: 2026-11-21 21:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d8e2a7c41b9'
down_revision = '8ff713066444'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('panel_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('total', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='panel_sheet_status', native_enum=False,
                                create_constraint=True, length=32), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['unit_assessments.id'], name=op.f('fk_panel_scores_assessment_id_unit_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_panel_scores_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_panel_scores_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_panel_scores_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_scores')),
    sa.UniqueConstraint('assessment_id', 'user_id', name=op.f('uq_panel_scores_assessment_id'))
    )
    with op.batch_alter_table('panel_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_panel_scores_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_panel_scores_user_id'), ['user_id'], unique=False)

    op.create_table('field_findings',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['unit_assessments.id'], name=op.f('fk_field_findings_assessment_id_unit_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_field_findings_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_field_findings_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_field_findings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_field_findings'))
    )
    with op.batch_alter_table('field_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_field_findings_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('field_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_field_findings_unit_id'))
    op.drop_table('field_findings')
    with op.batch_alter_table('panel_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_panel_scores_user_id'))
        batch_op.drop_index(batch_op.f('ix_panel_scores_unit_id'))
    op.drop_table('panel_scores')
