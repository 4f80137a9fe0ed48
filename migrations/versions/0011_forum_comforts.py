"""solved answers, reactions, bookmarks

Revision ID: 0011_forum_comforts
Revises: 0010_composer
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_forum_comforts'
down_revision = '0010_composer'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qa', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solution_post_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('solved', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_topics_category_solved', ['category_id', 'solved', 'last_posted_at'], unique=False)
        batch_op.create_index('ix_topics_created_at', ['created_at'], unique=False)

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reaction_counts', sa.JSON(), nullable=True))

    op.create_table('post_reactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('reaction', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_post_reactions_member_id_members')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_reactions_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_reactions')),
    sa.UniqueConstraint('post_id', 'member_id', 'reaction', name=op.f('uq_post_reactions_post_id'))
    )
    with op.batch_alter_table('post_reactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_reactions_member_id'), ['member_id'], unique=False)

    op.create_table('bookmarks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('post_number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_bookmarks_member_id_members')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_bookmarks_post_id_posts')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_bookmarks_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookmarks')),
    sa.UniqueConstraint('member_id', 'post_id', name=op.f('uq_bookmarks_member_id'))
    )
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.create_index('ix_bookmarks_member_created', ['member_id', 'created_at'], unique=False)
        batch_op.create_index('ix_bookmarks_member_topic', ['member_id', 'topic_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bookmarks', schema=None) as batch_op:
        batch_op.drop_index('ix_bookmarks_member_topic')
        batch_op.drop_index('ix_bookmarks_member_created')
    op.drop_table('bookmarks')

    with op.batch_alter_table('post_reactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_reactions_member_id'))
    op.drop_table('post_reactions')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('reaction_counts')

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_created_at')
        batch_op.drop_index('ix_topics_category_solved')
        batch_op.drop_column('solved')
        batch_op.drop_column('solution_post_id')

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('qa')
