"""the single customer view: engagement, profiles, loyalty, API

Revision ID: 0006_customer_view
Revises: 0005_search
Create Date: 2026-11-29 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_customer_view'
down_revision = '0005_search'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('earning_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('per_unit', sa.Boolean(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_earning_rules')),
    sa.UniqueConstraint('event_type', name=op.f('uq_earning_rules_event_type'))
    )
    op.create_table('tiers',
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('perks_en', sa.Text(), nullable=False),
    sa.Column('perks_fr', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_tiers'))
    )
    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=100), nullable=False),
    sa.Column('events', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_api_keys_created_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('engagement_id', sa.BigInteger(), nullable=True),
    sa.Column('earned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_ledger_entries_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('source_key', name=op.f('uq_ledger_entries_source_key'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_member_earned', ['member_id', 'earned_at'], unique=False)
        batch_op.create_index('ix_ledger_reference', ['member_id', 'reference'], unique=False)

    op.create_table('points_daily',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_points_daily_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'day', 'source_type', name=op.f('pk_points_daily'))
    )
    op.create_table('member_active_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_active_days_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'member_id', name=op.f('pk_member_active_days'))
    )
    with op.batch_alter_table('member_active_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_active_days_member_id'), ['member_id'], unique=False)

    op.create_table('lifecycle_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('old_stage', sa.String(length=16), nullable=True),
    sa.Column('new_stage', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_lifecycle_changes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lifecycle_changes'))
    )
    with op.batch_alter_table('lifecycle_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lifecycle_changes_member_id'), ['member_id'], unique=False)

    op.create_table('member_affinities',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('interest_id', sa.Integer(), nullable=False),
    sa.Column('score_base', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['interest_id'], ['interests.id'], name=op.f('fk_member_affinities_interest_id_interests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_affinities_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'interest_id', name=op.f('pk_member_affinities'))
    )
    op.create_table('member_consents',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('personalisation', sa.Boolean(), nullable=False),
    sa.Column('personalisation_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('marketing_email', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_consents_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_consents'))
    )
    op.create_table('member_profiles',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('score_base', sa.Float(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('purchase_count', sa.Integer(), nullable=False),
    sa.Column('monetary_cents', sa.BigInteger(), nullable=False),
    sa.Column('last_purchase_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('stage_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_profiles_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_profiles'))
    )
    with op.batch_alter_table('member_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_profiles_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_profiles_monetary_cents'), ['monetary_cents'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_profiles_score_base'), ['score_base'], unique=False)
        batch_op.create_index('ix_member_profiles_stage', ['stage'], unique=False)

    op.create_table('pending_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['members.id'], name=op.f('fk_pending_profiles_claimed_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_profiles')),
    sa.UniqueConstraint('email', name=op.f('uq_pending_profiles_email')),
    sa.UniqueConstraint('external_id', name=op.f('uq_pending_profiles_external_id'))
    )
    with op.batch_alter_table('pending_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_profiles_claimed_by_id'), ['claimed_by_id'], unique=False)

    op.create_table('staff_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_staff_notes_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_staff_notes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notes'))
    )
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notes_member_id'), ['member_id'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('response_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_webhook_deliveries_endpoint_id_webhook_endpoints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('endpoint_id', 'event_id', name=op.f('uq_webhook_deliveries_endpoint_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_status'), ['status'], unique=False)

    op.create_table('engagement_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('visitor_id', sa.String(length=64), nullable=True),
    sa.Column('pending_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('object_type', sa.String(length=24), nullable=True),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('interest_id', sa.Integer(), nullable=True),
    sa.Column('value_cents', sa.BigInteger(), nullable=True),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_engagement_events_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pending_id'], ['pending_profiles.id'], name=op.f('fk_engagement_events_pending_id_pending_profiles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_events')),
    sa.UniqueConstraint('source_key', name=op.f('uq_engagement_events_source_key'))
    )
    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_events_pending_id'), ['pending_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_events_visitor_id'), ['visitor_id'], unique=False)
        batch_op.create_index('ix_engagement_member_time', ['member_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_engagement_type_time', ['type', 'occurred_at'], unique=False)
        batch_op.create_index('ix_engagement_time', ['occurred_at'], unique=False)

    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_members_external_id'), ['external_id'])

    # The default earning rules and tiers (admins change them in /admin/loyalty).
    rules = sa.table(
        "earning_rules",
        sa.column("event_type", sa.String), sa.column("points", sa.Integer),
        sa.column("per_unit", sa.Boolean), sa.column("daily_cap", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(rules, [
        {"event_type": t, "points": p, "per_unit": u, "daily_cap": c, "active": True}
        for t, p, u, c in (
            ("registered", 50, False, None),
            ("posted", 20, False, 100),
            ("replied", 10, False, 100),
            ("like_received", 5, False, 50),
            ("idea", 25, False, 100),
            ("poll_answer", 5, False, 25),
            ("purchase", 1, True, None),
            ("store_visit", 15, False, 15),
            ("newsletter_click", 2, False, 10),
        )
    ])
    tiers = sa.table(
        "tiers",
        sa.column("key", sa.String), sa.column("position", sa.Integer),
        sa.column("threshold", sa.Integer), sa.column("perks_en", sa.Text),
        sa.column("perks_fr", sa.Text),
    )
    op.bulk_insert(tiers, [
        {"key": "bronze", "position": 0, "threshold": 0,
         "perks_en": "Member newsletter\nEarly news of product launches",
         "perks_fr": "Lettre des membres\nNouveautés en avant-première"},
        {"key": "silver", "position": 1, "threshold": 500,
         "perks_en": "5% off every order\nSilver-only forums",
         "perks_fr": "5 % de remise sur chaque commande\nForums réservés Silver"},
        {"key": "gold", "position": 2, "threshold": 2000,
         "perks_en": "10% off every order\nFree repairs for two years\nCo-design polls",
         "perks_fr": "10 % de remise sur chaque commande\nRéparations offertes pendant deux ans\nSondages de co-conception"},
        {"key": "platinum", "position": 3, "threshold": 5000,
         "perks_en": "15% off every order\nInvitations to the product team's field tests\nA dedicated adviser",
         "perks_fr": "15 % de remise sur chaque commande\nInvitations aux tests terrain de l'équipe produit\nUn conseiller dédié"},
    ])


def downgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_members_external_id'), type_='unique')
        batch_op.drop_column('erased_at')
        batch_op.drop_column('external_id')

    with op.batch_alter_table('engagement_events', schema=None) as batch_op:
        batch_op.drop_index('ix_engagement_time')
        batch_op.drop_index('ix_engagement_type_time')
        batch_op.drop_index('ix_engagement_member_time')
        batch_op.drop_index(batch_op.f('ix_engagement_events_visitor_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_events_pending_id'))

    op.drop_table('engagement_events')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_status'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_endpoint_id'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notes_member_id'))

    op.drop_table('staff_notes')
    with op.batch_alter_table('pending_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_profiles_claimed_by_id'))

    op.drop_table('pending_profiles')
    with op.batch_alter_table('member_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_member_profiles_stage')
        batch_op.drop_index(batch_op.f('ix_member_profiles_score_base'))
        batch_op.drop_index(batch_op.f('ix_member_profiles_monetary_cents'))
        batch_op.drop_index(batch_op.f('ix_member_profiles_last_seen_at'))

    op.drop_table('member_profiles')
    op.drop_table('member_consents')
    op.drop_table('member_affinities')
    with op.batch_alter_table('lifecycle_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lifecycle_changes_member_id'))

    op.drop_table('lifecycle_changes')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_reference')
        batch_op.drop_index('ix_ledger_member_earned')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('member_active_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_active_days_member_id'))

    op.drop_table('member_active_days')
    op.drop_table('points_daily')
    op.drop_table('api_keys')
    op.drop_table('webhook_endpoints')
    op.drop_table('tiers')
    op.drop_table('earning_rules')
