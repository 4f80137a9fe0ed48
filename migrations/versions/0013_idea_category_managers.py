"""idea boards' discussion categories let the product team in (audience managed_by)

Revision ID: 0013_idea_category_managers
Revises: 0012_moderation_tools
Create Date: 2026-11-29 09:45:00.000000

A gated idea board's forum category mirrored the board's audience without the product
team, who manage every board: their comments on its ideas were refused (404). Boards saved
from now on write `managed_by` (app.community.ideas.boards._sync_category); this adds it to
the categories of the boards that exist.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_idea_category_managers'
down_revision = '0012_moderation_tools'
branch_labels = None
depends_on = None

boards = sa.table(
    'idea_boards',
    sa.column('category_id', sa.Integer()),
    sa.column('audience', sa.JSON()),
)
categories = sa.table(
    'categories',
    sa.column('id', sa.Integer()),
    sa.column('audience', sa.JSON()),
)


def _set(managed: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(boards.c.category_id, boards.c.audience).where(
            boards.c.category_id.is_not(None)
        )
    ).all()
    for category_id, audience in rows:
        rule = {k: v for k, v in dict(audience or {}).items() if k != 'managed_by'}
        if managed and rule:
            rule['managed_by'] = ['product']
        bind.execute(
            sa.update(categories).where(categories.c.id == category_id).values(audience=rule)
        )


def upgrade():
    _set(True)


def downgrade():
    _set(False)
