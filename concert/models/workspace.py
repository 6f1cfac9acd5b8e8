"""The live workspace: channels, posts, supports, and the per-territory event log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

POST_KINDS = ("message", "need", "proposal")
POST_STATUSES = ("open", "promoted", "merged", "declined")
CONTRIBUTION_KINDS = ("need", "proposal")  # the posts a facilitator consolidates


class Channel(Model):
    __tablename__ = "channels"
    __table_args__ = (sa.UniqueConstraint("territory_id", "name", name="uq_channel_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    # None: every member; otherwise the organisation kinds that may see it.
    restricted_to: Mapped[list[str] | None] = mapped_column(JSONType)
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Post(Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.UniqueConstraint("author_id", "client_id", name="uq_post_client_id"),
        sa.CheckConstraint(_in("kind", POST_KINDS), name="ck_post_kind"),
        sa.Index("ix_posts_territory_seq", "territory_id", "seq"),
        sa.Index("ix_posts_channel_seq", "channel_id", "seq"),
        # Lists of contributions, most supported or newest first, all or of one status,
        # and the needs of a channel newest first: read in index order, a page at a time.
        sa.Index("ix_posts_territory_supports", "territory_id", "support_count", "seq"),
        sa.Index("ix_posts_territory_status_supports", "territory_id", "status",
                 "support_count", "seq"),
        sa.Index("ix_posts_territory_status_seq", "territory_id", "status", "seq"),
        sa.Index("ix_posts_channel_kind_seq", "channel_id", "kind", "deleted_at", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channels.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Whom the author spoke for when posting (kept if their membership changes later).
    author_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    author_organisation_kind: Mapped[str] = mapped_column(sa.String(32), default="")
    kind: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    # Needs and proposals only; messages have none.
    status: Mapped[str | None] = mapped_column(sa.String(16))
    reply_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )
    client_id: Mapped[str | None] = mapped_column(sa.String(64))
    # Facilitation: a duplicate points to the post it was merged into; a decline says why.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="SET NULL")
    )
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    support_count: Mapped[int] = mapped_column(default=0)
    # Made from a live workshop's page, during one of its agenda items.
    workshop_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    reply_count: Mapped[int] = mapped_column(default=0)
    seq: Mapped[int]  # the seq of its post.created event: chat order
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship()
    channel: Mapped[Channel] = relationship()

    # Attached documents (models/files.py), in their order; written by services/files.py.
    attachments: Mapped[list["File"]] = relationship(
        primaryjoin="File.post_id == Post.id", order_by="File.position", viewonly=True,
        lazy="selectin")


class PostRevision(Model):
    """The body a post had before each edit."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostMention(Model):
    """Whom a post's current text mentions (services/mentions): a member, or an organisation
    of the territory, named as its members' memberships spell it. Replaced on each edit."""

    __tablename__ = "post_mentions"
    __table_args__ = (sa.CheckConstraint("(user_id IS NULL) <> (organisation IS NULL)",
                                         name="ck_post_mention_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str | None] = mapped_column(sa.String(200))


class PostWord(Model):
    """The significant words of an open need or proposal (services/duplicates): where
    candidates for a likely duplicate, and the consolidation page's text filter, are found."""

    __tablename__ = "post_words"
    __table_args__ = (sa.Index("ix_post_words_territory_word", "territory_id", "word",
                               "post_id"),)

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"))


class DuplicateSuggestion(Model):
    """Two open contributions whose wording overlaps, with the score: stored when one of
    them is written or edited, removed when either leaves the open state. `post_id` is the
    smaller id of the pair."""

    __tablename__ = "duplicate_suggestions"
    __table_args__ = (sa.Index("ix_duplicate_suggestions_territory_score", "territory_id",
                               "score"),)

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"))
    score: Mapped[float]


class Support(Model):
    __tablename__ = "supports"

    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Model):
    """One change in a territory, in commit order. `channel_id` carries the audience: an
    event of a restricted channel is seen only by the kinds the channel allows."""

    __tablename__ = "events"
    __table_args__ = (sa.UniqueConstraint("territory_id", "seq", name="uq_event_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"))
    seq: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="CASCADE")
    )
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"),
                                                index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Connection(Model):
    """A live Socket.IO connection joined to a territory: presence across server processes."""

    __tablename__ = "connections"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
