"""search: the index queue, and the documents of the PostgreSQL backend

`search_queue` holds the documents waiting to be (re)indexed; `search_documents` is the
PostgreSQL full-text backend's copy of the index (SEARCH_BACKEND=postgres), with a GIN
index on its weighted tsvector expression (PostgreSQL only; unused on SQLite).

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

VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B')"
)


def upgrade():
    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_key', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue')),
    sa.UniqueConstraint('doc_key', name=op.f('uq_search_queue_doc_key'))
    )
    op.create_table('search_documents',
    sa.Column('doc_key', sa.String(length=80), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('doc_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=40), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('visibility', sa.String(length=60), nullable=False),
    sa.Column('tags', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('digest', sa.String(length=40), nullable=False),
    sa.Column('title_terms', sa.Text(), nullable=False),
    sa.Column('body_terms', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('doc_key', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_author', ['author'], unique=False)
        batch_op.create_index('ix_search_documents_visibility_created', ['visibility', 'created_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_search_documents_vector ON search_documents USING gin (({VECTOR}))"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_documents_vector")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_visibility_created')
        batch_op.drop_index('ix_search_documents_author')
    op.drop_table('search_documents')
    op.drop_table('search_queue')
