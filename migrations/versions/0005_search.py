"""search

Revision ID: 0005_search
Revises: 0004_notifications
Create Date: 2026-11-29 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_search'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
