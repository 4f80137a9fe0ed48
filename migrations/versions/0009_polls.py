"""co-design polls

Revision ID: 0009_polls
Revises: 0008_ideas
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_polls'
down_revision = '0008_ideas'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('description_html_en', sa.Text(), nullable=False),
    sa.Column('description_html_fr', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('min_choices', sa.Integer(), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=False),
    sa.Column('number_min', sa.Float(), nullable=True),
    sa.Column('number_max', sa.Float(), nullable=True),
    sa.Column('number_step', sa.Float(), nullable=True),
    sa.Column('min_label_en', sa.String(length=80), nullable=False),
    sa.Column('min_label_fr', sa.String(length=80), nullable=False),
    sa.Column('max_label_en', sa.String(length=80), nullable=False),
    sa.Column('max_label_fr', sa.String(length=80), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('outsiders', sa.String(length=16), nullable=False),
    sa.Column('results_visibility', sa.String(length=16), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_early_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('quota_attribute', sa.String(length=16), nullable=True),
    sa.Column('weight_attribute', sa.String(length=16), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('single', 'multiple', 'number', 'ranked')", name=op.f('ck_polls_kind_known')),
    sa.CheckConstraint("outsiders IN ('read_only', 'hidden')", name=op.f('ck_polls_outsiders_known')),
    sa.CheckConstraint("results_visibility IN ('always', 'after_vote', 'after_close', 'staff')", name=op.f('ck_polls_results_known')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_polls_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_polls_idea_id_ideas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_polls_topic_id_topics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index('ix_polls_opens_at', ['opens_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_topic_id'), ['topic_id'], unique=False)

    op.create_table('poll_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('label_fr', sa.String(length=200), nullable=False),
    sa.Column('image_url', sa.String(length=500), nullable=True),
    sa.Column('image_alt_en', sa.String(length=200), nullable=False),
    sa.Column('image_alt_fr', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options'))
    )
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_options_poll_id'), ['poll_id'], unique=False)

    op.create_table('poll_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('number_value', sa.Float(), nullable=True),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('value_band', sa.String(length=16), nullable=False),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_poll_answers_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_answers_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_answers')),
    sa.UniqueConstraint('poll_id', 'member_id', name='uq_poll_answers_poll_member')
    )
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.create_index('ix_poll_answers_poll_created', ['poll_id', 'created_at'], unique=False)
        batch_op.create_index('ix_poll_answers_poll_tier', ['poll_id', 'tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_answers_member_id'), ['member_id'], unique=False)

    op.create_table('poll_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answer_id'], ['poll_answers.id'], name=op.f('fk_poll_choices_answer_id_poll_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['poll_options.id'], name=op.f('fk_poll_choices_option_id_poll_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_choices_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_choices')),
    sa.UniqueConstraint('answer_id', 'option_id', name='uq_poll_choices_answer_option')
    )
    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.create_index('ix_poll_choices_poll_option', ['poll_id', 'option_id'], unique=False)

    op.create_table('poll_quota_cells',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('filled', sa.Integer(), nullable=False),
    sa.CheckConstraint('filled <= capacity', name=op.f('ck_poll_quota_cells_within_capacity')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_quota_cells_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'value', name=op.f('pk_poll_quota_cells'))
    )
    # The feedback report's covering index on the ideas' votes (app/community/reports/models.py).
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_report', ['created_at', 'idea_id', 'tier', 'stage', 'value_band'], unique=False)


def downgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_report')
    op.drop_table('poll_quota_cells')
    with op.batch_alter_table('poll_choices', schema=None) as batch_op:
        batch_op.drop_index('ix_poll_choices_poll_option')
    op.drop_table('poll_choices')
    with op.batch_alter_table('poll_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_answers_member_id'))
        batch_op.drop_index('ix_poll_answers_poll_tier')
        batch_op.drop_index('ix_poll_answers_poll_created')
    op.drop_table('poll_answers')
    with op.batch_alter_table('poll_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_options_poll_id'))
    op.drop_table('poll_options')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_topic_id'))
        batch_op.drop_index(batch_op.f('ix_polls_idea_id'))
        batch_op.drop_index('ix_polls_opens_at')
    op.drop_table('polls')
