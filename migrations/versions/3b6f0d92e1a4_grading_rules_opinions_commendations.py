"""grading rules, grade adjustments, 评估意见 and commendations (issue 12: 评分定等, 结果运用)

Revision ID: 3b6f0d92e1a4
Revises: 5d8e2a7c41b9
Create Date: 2026-11-21 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '3b6f0d92e1a4'
down_revision = '5d8e2a7c41b9'
branch_labels = None
depends_on = None

GRADES = ('excellent', 'good', 'pass', 'fail')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table('cycle_grading_rules',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('excellent_min', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('good_min', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('pass_min', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('excellent_quota', sa.Integer(), nullable=True),
    sa.Column('quota_kind', _enum(('count', 'percent'), 'quota_kind'), nullable=True),
    sa.Column('rectification_workdays', sa.Integer(), nullable=False),
    sa.Column('grades_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('excellent_min > good_min AND good_min > pass_min AND pass_min >= 0',
                       name=op.f('ck_cycle_grading_rules_thresholds_in_order')),
    sa.CheckConstraint('(excellent_quota IS NULL) = (quota_kind IS NULL)',
                       name=op.f('ck_cycle_grading_rules_quota_with_kind')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_cycle_grading_rules_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_cycle_grading_rules_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_cycle_grading_rules'))
    )
    op.create_table('grade_adjustments',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('proposed', _enum(GRADES, 'proposed_grade'), nullable=False),
    sa.Column('grade', _enum(GRADES, 'grade'), nullable=False),
    sa.Column('reason', sa.String(length=2000), nullable=False),
    sa.Column('adjusted_by_id', sa.Integer(), nullable=True),
    sa.Column('adjusted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['unit_assessments.id'], name=op.f('fk_grade_adjustments_assessment_id_unit_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_grade_adjustments_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_grade_adjustments_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['adjusted_by_id'], ['users.id'], name=op.f('fk_grade_adjustments_adjusted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_grade_adjustments'))
    )
    with op.batch_alter_table('grade_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grade_adjustments_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grade_adjustments_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('evaluation_opinions',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['unit_assessments.id'], name=op.f('fk_evaluation_opinions_assessment_id_unit_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_evaluation_opinions_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_evaluation_opinions_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_evaluation_opinions_notice_id_notices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_evaluation_opinions_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_evaluation_opinions'))
    )
    with op.batch_alter_table('evaluation_opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_opinions_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_opinions_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('commendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('kind', _enum(('collective', 'individual', 'model_county'), 'commendation_kind'), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('person_name', sa.String(length=50), nullable=False),
    sa.Column('post', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind = 'individual' OR person_name = ''", name=op.f('ck_commendations_person_only_individual')),
    sa.CheckConstraint("kind <> 'individual' OR person_name <> ''", name=op.f('ck_commendations_individual_has_person')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_commendations_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_commendations_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_commendations_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commendations'))
    )
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commendations_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commendations_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('commendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commendations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_commendations_cycle_id'))
    op.drop_table('commendations')
    with op.batch_alter_table('evaluation_opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_opinions_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_opinions_unit_id'))
    op.drop_table('evaluation_opinions')
    with op.batch_alter_table('grade_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grade_adjustments_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_grade_adjustments_unit_id'))
    op.drop_table('grade_adjustments')
    op.drop_table('cycle_grading_rules')
