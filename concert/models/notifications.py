"""Notifications: one row per person and thing that concerns them, their preferences by
category, and the digests already sent."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

# type → category (preferences are by category).
NOTIFICATION_TYPES = {
    "post.reply": "reply",
    "post.mention": "mention",
    "contribution.promoted": "decision",
    "contribution.merged": "decision",
    "contribution.declined": "decision",
    "commitment.status": "commitment",
    "commitment.measurement": "commitment",
    "commitment.measurement_due": "commitment",
    "workshop.planned": "workshop",
    "workshop.changed": "workshop",
    "workshop.cancelled": "workshop",
    "contract.version": "contract",
    "territory.phase": "phase",
}
FREQUENCIES = ("immediate", "daily", "weekly", "never")
# What concerns me personally comes at once; what concerns the territory, once a day.
DEFAULT_FREQUENCIES = {
    "reply": "immediate",
    "mention": "immediate",
    "decision": "immediate",
    "commitment": "daily",
    "workshop": "daily",
    "contract": "daily",
    "phase": "daily",
}
CATEGORIES = tuple(DEFAULT_FREQUENCIES)
DIGEST_PERIODS = ("daily", "weekly")


class Notification(Model):
    """Something that concerns one person in one territory. `channel_id` is the audience of
    its words: the list and the mails show it only while the person may see that channel.
    `mail_pending`: to be mailed at once (the person's preference when it was made); the
    mailer composes it outside the request that made it."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_user_read", "user_id", "read_at", "id"),
        sa.Index("ix_notifications_mail_pending", "mail_pending"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    category: Mapped[str] = mapped_column(sa.String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    mail_pending: Mapped[bool] = mapped_column(default=False)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class NotificationPreference(Model):
    """How often one person wants one category; absent: DEFAULT_FREQUENCIES."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.CheckConstraint(_in("frequency", FREQUENCIES),
                                         name="ck_notification_frequency"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    frequency: Mapped[str] = mapped_column(sa.String(10))


class Digest(Model):
    """One digest per person and period (`period` daily or weekly, `key` the day or ISO
    week): the row is claimed by inserting it, so two processes never send the same one."""

    __tablename__ = "notification_digests"
    __table_args__ = (sa.UniqueConstraint("user_id", "period", "key", name="uq_digest_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(sa.String(10))
    key: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
