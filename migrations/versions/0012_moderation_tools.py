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
    pass


def downgrade():
    pass
