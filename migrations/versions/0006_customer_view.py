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
    pass


def downgrade():
    pass
