"""search

The search index (services/search.py): one row per post, commitment, workshop, contract
section or file; on PostgreSQL a tsvector made with the `concert_french` text search
configuration (unaccent, then French stems) under a GIN index, on SQLite an FTS5 table of
French stems. Existing data is indexed by `concert search-reindex` (README, upgrading).

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

# Any number of schemas of one database may run this at once (one per test worker): the
# extension is the database's, created once, in `public`, under a lock.
_LOCK = 150015


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        'search_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('object_id', sa.String(length=32), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=True),
        sa.Column('ref', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=True),
        sa.Column('organisation', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('document', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('post', 'commitment', 'workshop', 'section', 'file')",
                           name='ck_search_entry_kind'),
        sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'object_id', name='uq_search_entry_object'),
    )
    op.create_index('ix_search_entries_territory_created', 'search_entries',
                    ['territory_id', 'created_at'])
    op.create_index('ix_search_entries_document', 'search_entries', ['document'],
                    postgresql_using='gin')
    if not postgres:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(title, body, "
                   "tokenize='unicode61 remove_diacritics 2')")
        return
    op.execute(f"SELECT pg_advisory_xact_lock({_LOCK})")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    schema = op.get_bind().exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension "
        "WHERE extname = 'unaccent'").scalar_one()
    op.execute("CREATE TEXT SEARCH CONFIGURATION concert_french (COPY = pg_catalog.french)")
    op.execute("ALTER TEXT SEARCH CONFIGURATION concert_french ALTER MAPPING FOR "
               f"hword, hword_part, word WITH {schema}.unaccent, french_stem")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION concert_french")
    else:
        op.execute("DROP TABLE search_fts")
    op.drop_table('search_entries')
