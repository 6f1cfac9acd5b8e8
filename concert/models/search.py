"""The search index: one row per searchable thing of a territory (services/search.py)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from .territories import _in
from .types import UTCDateTime

SEARCH_KINDS = ("post", "commitment", "workshop", "section", "file")
# SQLite's full-text index: an FTS5 table (title, body) whose rowid is search_entries.id,
# holding the French stems of both (services/search.py). Not a model: the migration
# creates it, and the schema comparison leaves out every table whose name starts so.
SQLITE_FTS_TABLE = "search_fts"

# PostgreSQL: the tsvector of the title (weight A) and body, French stems without accents
# (the `concert_french` text search configuration); SQLite: unused, NULL.
SearchVector = sa.Text().with_variant(TSVECTOR(), "postgresql")


class SearchEntry(Model):
    """What a search finds: the text as written (for excerpts) and its audience. A post's
    or a post's file's `channel_id` decides who may find it (services/audience.py); the
    other kinds are read by every member and have none."""

    __tablename__ = "search_entries"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id", name="uq_search_entry_object"),
        sa.CheckConstraint(_in("kind", SEARCH_KINDS), name="ck_search_entry_kind"),
        sa.Index("ix_search_entries_territory_created", "territory_id", "created_at"),
        # GIN on PostgreSQL; on SQLite a plain index of a column always NULL (costs nothing).
        sa.Index("ix_search_entries_document", "document", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    # The id of what it finds, as text: posts, commitments… have numbers, files random hex.
    object_id: Mapped[str] = mapped_column(sa.String(32))
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="CASCADE"))
    # What the result links to besides its id: a contract section's key, a post's kind.
    ref: Mapped[str] = mapped_column(sa.String(32), default="")
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str | None] = mapped_column(sa.String(16))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document = mapped_column(SearchVector, nullable=True)
