"""Live workshops: a concertation meeting run inside concert (agenda, timer, presence,
dot-voting, minutes)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

WORKSHOP_STATUSES = ("planned", "live", "closed", "cancelled")
VOTE_STATUSES = ("open", "closed")


class Workshop(Model):
    __tablename__ = "workshops"
    __table_args__ = (
        sa.CheckConstraint(_in("status", WORKSHOP_STATUSES), name="ck_workshop_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # Organisations invited (names or kinds, as the facilitator wrote them): informative.
    invited: Mapped[list[str]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="planned")
    # Position of the current agenda item while live; the timer runs from item_started_at.
    current_item: Mapped[int | None]
    item_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A planned workshop called off: when, and why (shown on its page).
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # RFC 5545 SEQUENCE of the invitation last mailed: calendars keep the highest one.
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")

    agenda: Mapped[list["AgendaItem"]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position",
    )

    # Attached documents (models/files.py), in their order; written by services/files.py.
    attachments: Mapped[list["File"]] = relationship(
        primaryjoin="File.workshop_id == Workshop.id", order_by="File.position", viewonly=True,
        lazy="selectin")

    @property
    def live_item(self) -> "AgendaItem | None":
        """The agenda item under way, while live."""
        if self.status != "live" or self.current_item is None:
            return None
        return self.agenda[self.current_item]


class AgendaItem(Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        sa.UniqueConstraint("workshop_id", "position", name="uq_agenda_item_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    minutes: Mapped[int]
    # The channel the item focuses on (contributions made during it go there by default).
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="SET NULL")
    )


class Attendance(Model):
    """Who was present during a workshop (its minutes' attendance by organisation)."""

    __tablename__ = "workshop_attendance"

    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    organisation_kind: Mapped[str] = mapped_column(sa.String(32), default="")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkshopPresence(Model):
    """A live connection showing a workshop's page now (across server processes); it counts
    while its territory connection (`connections`) is fresh."""

    __tablename__ = "workshop_presence"

    sid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE")
    )


class Vote(Model):
    """Dot-voting on a selection of proposals: each participant places `dots` dots."""

    __tablename__ = "workshop_votes"
    __table_args__ = (
        sa.CheckConstraint(_in("status", VOTE_STATUSES), name="ck_workshop_vote_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    question: Mapped[str] = mapped_column(sa.String(300))
    dots: Mapped[int]
    post_ids: Mapped[list[int]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Dot(Model):
    """One dot of one participant: (vote, user, slot) is unique, so a retried or concurrent
    placement never counts twice; moving a dot changes its post."""

    __tablename__ = "workshop_dots"

    vote_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop_votes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
