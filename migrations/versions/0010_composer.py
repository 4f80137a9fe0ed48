"""composer drafts and uploads

Revision ID: 0010_composer
Revises: 0009_polls
Create Date: 2026-11-29 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_composer'
down_revision = '0009_polls'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
