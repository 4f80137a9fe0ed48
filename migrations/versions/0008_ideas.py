"""ideas, idea boards and the one audience rule

Revision ID: 0008_ideas
Revises: 0007_moderation
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_ideas'
down_revision = '0007_moderation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name_en', sa.String(length=60), nullable=False),
    sa.Column('name_fr', sa.String(length=60), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('accepts_votes', sa.Boolean(), nullable=False),
    sa.Column('roadmap', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('is_shipped', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_statuses')),
    sa.UniqueConstraint('slug', name=op.f('uq_idea_statuses_slug'))
    )
    op.create_table('idea_boards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('name_fr', sa.String(length=80), nullable=False),
    sa.Column('description_en', sa.String(length=500), nullable=False),
    sa.Column('description_fr', sa.String(length=500), nullable=False),
    sa.Column('product_interest_id', sa.Integer(), nullable=True),
    sa.Column('product', sa.String(length=80), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('idea_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_idea_boards_category_id_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_interest_id'], ['interests.id'], name=op.f('fk_idea_boards_product_interest_id_interests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_boards')),
    sa.UniqueConstraint('slug', name=op.f('uq_idea_boards_slug'))
    )
    with op.batch_alter_table('idea_boards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_boards_position'), ['position'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_boards_product_interest_id'), ['product_interest_id'], unique=False)

    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('board_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('importance_total', sa.Integer(), nullable=False),
    sa.Column('comment_count', sa.Integer(), nullable=False),
    sa.Column('follower_count', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_ideas_author_id_members')),
    sa.ForeignKeyConstraint(['board_id'], ['idea_boards.id'], name=op.f('fk_ideas_board_id_idea_boards')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_ideas_merged_into_id_ideas')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_ideas_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas')),
    sa.UniqueConstraint('topic_id', name=op.f('uq_ideas_topic_id'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_ideas_board_activity', ['board_id', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_ideas_board_created', ['board_id', 'created_at'], unique=False)
        batch_op.create_index('ix_ideas_board_status', ['board_id', 'status', 'vote_count'], unique=False)
        batch_op.create_index('ix_ideas_board_votes', ['board_id', 'vote_count', 'id'], unique=False)
        batch_op.create_index('ix_ideas_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index('ix_ideas_shipped_at', ['shipped_at'], unique=False)
        batch_op.create_index('ix_ideas_status_changed', ['status', 'status_changed_at'], unique=False)

    op.create_table('idea_follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_follows_idea_id_ideas')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_idea_follows_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_follows')),
    sa.UniqueConstraint('idea_id', 'member_id', name=op.f('uq_idea_follows_idea_id'))
    )
    with op.batch_alter_table('idea_follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_follows_member_id'), ['member_id'], unique=False)

    op.create_table('idea_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=40), nullable=True),
    sa.Column('new_status', sa.String(length=40), nullable=False),
    sa.Column('response', sa.Text(), nullable=False),
    sa.Column('response_html', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_idea_status_changes_actor_id_members')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_status_changes_idea_id_ideas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_status_changes'))
    )
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_changes_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_idea_status_changes_idea', ['idea_id', 'created_at'], unique=False)

    op.create_table('idea_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('importance', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('value_band', sa.String(length=16), nullable=False),
    sa.Column('interests', sa.JSON(), nullable=False),
    sa.Column('merged_from_idea_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('importance IN (1, 2, 3)', name=op.f('ck_idea_votes_importance_known')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_votes_idea_id_ideas')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_idea_votes_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_from_idea_id'], ['ideas.id'], name=op.f('fk_idea_votes_merged_from_idea_id_ideas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_votes')),
    sa.UniqueConstraint('idea_id', 'member_id', name=op.f('uq_idea_votes_idea_id'))
    )
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_idea_votes_idea_tier', ['idea_id', 'tier'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_votes_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_votes_merged_from_idea_id'), ['merged_from_idea_id'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audience', sa.JSON(), server_default=sa.text("'{}'"), nullable=False))

    # The default idea statuses (admins change them in /ideas/manage/).
    statuses = sa.table(
        "idea_statuses",
        sa.column("slug", sa.String), sa.column("name_en", sa.String),
        sa.column("name_fr", sa.String), sa.column("colour", sa.String),
        sa.column("position", sa.Integer), sa.column("accepts_votes", sa.Boolean),
        sa.column("roadmap", sa.Boolean), sa.column("is_default", sa.Boolean),
        sa.column("is_shipped", sa.Boolean),
    )
    op.bulk_insert(statuses, [
        {"slug": slug, "name_en": en, "name_fr": fr, "colour": colour, "position": (i + 1) * 10,
         "accepts_votes": votes, "roadmap": roadmap, "is_default": slug == "open",
         "is_shipped": shipped}
        for i, (slug, en, fr, colour, votes, roadmap, shipped) in enumerate((
            ("open", "Open", "Ouverte", "#4a5a8c", True, False, False),
            ("under_review", "Under review", "À l’étude", "#a86a12", True, False, False),
            ("planned", "Planned", "Prévue", "#2f6f8f", True, True, False),
            ("in_progress", "In progress", "En cours", "#7a4f9a", True, True, False),
            ("shipped", "Shipped", "Livrée", "#3d7a4f", False, True, True),
            ("declined", "Declined", "Refusée", "#8f3b5c", False, False, False),
            ("duplicate", "Duplicate", "Doublon", "#6b7280", False, False, False),
        ))
    ])

    # Closing the loop in points: the author of a shipped idea and each of its voters.
    rules = sa.table(
        "earning_rules",
        sa.column("event_type", sa.String), sa.column("points", sa.Integer),
        sa.column("per_unit", sa.Boolean), sa.column("daily_cap", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(rules, [
        {"event_type": "idea_shipped", "points": 100, "per_unit": False, "daily_cap": None, "active": True},
        {"event_type": "idea_shipped_vote", "points": 20, "per_unit": False, "daily_cap": 200, "active": True},
    ])


def downgrade():
    op.execute("DELETE FROM earning_rules WHERE event_type IN ('idea_shipped', 'idea_shipped_vote')")
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('audience')

    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_votes_merged_from_idea_id'))
        batch_op.drop_index(batch_op.f('ix_idea_votes_member_id'))
        batch_op.drop_index('ix_idea_votes_idea_tier')
        batch_op.drop_index('ix_idea_votes_created_at')

    op.drop_table('idea_votes')
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_status_changes_idea')
        batch_op.drop_index('ix_idea_status_changes_created_at')

    op.drop_table('idea_status_changes')
    with op.batch_alter_table('idea_follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_follows_member_id'))

    op.drop_table('idea_follows')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_status_changed')
        batch_op.drop_index('ix_ideas_shipped_at')
        batch_op.drop_index(batch_op.f('ix_ideas_merged_into_id'))
        batch_op.drop_index('ix_ideas_created_at')
        batch_op.drop_index('ix_ideas_board_votes')
        batch_op.drop_index('ix_ideas_board_status')
        batch_op.drop_index('ix_ideas_board_created')
        batch_op.drop_index('ix_ideas_board_activity')
        batch_op.drop_index(batch_op.f('ix_ideas_author_id'))

    op.drop_table('ideas')
    with op.batch_alter_table('idea_boards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_boards_product_interest_id'))
        batch_op.drop_index(batch_op.f('ix_idea_boards_position'))

    op.drop_table('idea_boards')
    op.drop_table('idea_statuses')
