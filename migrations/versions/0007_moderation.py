"""moderation: trust levels, flags, review queue, sanctions, rules

Revision ID: 0007_moderation
Revises: 0006_customer_view
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_moderation'
down_revision = '0006_customer_view'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
