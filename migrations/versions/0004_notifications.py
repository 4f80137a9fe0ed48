"""notifications and realtime

Revision ID: 0004_notifications
Revises: 0003_durable_events
Create Date: 2026-11-29 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_notifications'
down_revision = '0003_durable_events'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
