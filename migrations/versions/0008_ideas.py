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
    pass


def downgrade():
    pass
