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
    pass


def downgrade():
    pass
