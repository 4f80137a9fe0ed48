"""moderation tools: merges, splits, claims

Revision ID: 0012_moderation_tools
Revises: 0011_forum_comforts
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_moderation_tools'
down_revision = '0011_forum_comforts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('topic_structure_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('target_topic_id', sa.Integer(), nullable=True),
    sa.Column('from_category_id', sa.Integer(), nullable=False),
    sa.Column('to_category_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_topic_structure_changes_actor_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_category_id'], ['categories.id'], name=op.f('fk_topic_structure_changes_from_category_id_categories')),
    sa.ForeignKeyConstraint(['target_topic_id'], ['topics.id'], name=op.f('fk_topic_structure_changes_target_topic_id_topics')),
    sa.ForeignKeyConstraint(['to_category_id'], ['categories.id'], name=op.f('fk_topic_structure_changes_to_category_id_categories')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_topic_structure_changes_topic_id_topics')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['members.id'], name=op.f('fk_topic_structure_changes_undone_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_structure_changes'))
    )
    with op.batch_alter_table('topic_structure_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_topic_structure_changes_target_topic_id'), ['target_topic_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_topic_structure_changes_topic_id'), ['topic_id'], unique=False)

    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.drop_column('reason')

    with op.batch_alter_table('topic_structure_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_topic_structure_changes_topic_id'))
        batch_op.drop_index(batch_op.f('ix_topic_structure_changes_target_topic_id'))

    op.drop_table('topic_structure_changes')
