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
    pass


def downgrade():
    pass
