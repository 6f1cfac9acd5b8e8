"""Documents attached to a post, a commitment or a workshop. A file is addressed by a random
128-bit token, never by a number one could count through; it belongs to its uploader alone
until it is attached, and goes with what it is attached to."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Model
from .types import UTCDateTime, utcnow

MAX_NAME = 200


class File(Model):
    __tablename__ = "files"
    __table_args__ = (
        # Attached to one thing at most (none: just uploaded, its uploader's only).
        sa.CheckConstraint(
            "(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN commitment_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN workshop_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="ck_file_attached_once"),
        sa.Index("ix_files_unattached", "attached_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # secrets.token_hex(16)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    uploader_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(MAX_NAME))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    # For search: the words of a PDF, office document or text file (empty if none or failed).
    text: Mapped[str] = mapped_column(sa.Text, default="")
    has_thumbnail: Mapped[bool] = mapped_column(default=False)
    post_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
