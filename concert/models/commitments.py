"""Commitments: what the concertation turns into the contract."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

PARTIES = ("etat", "collectivite", "partenaire")
COMMITMENT_STATUSES = ("draft", "validated", "in_progress", "done", "abandoned")
# How often an indicator is measured.
FREQUENCIES = ("monthly", "quarterly", "semestrial", "annual")


class Commitment(Model):
    __tablename__ = "commitments"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "number", name="uq_commitment_number"),
        sa.CheckConstraint(_in("party", PARTIES), name="ck_commitment_party"),
        sa.CheckConstraint(_in("status", COMMITMENT_STATUSES), name="ck_commitment_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    party: Mapped[str] = mapped_column(sa.String(16))
    pilot: Mapped[str] = mapped_column(sa.String(200), default="")
    partners: Mapped[list[str]] = mapped_column(JSONType, default=list)
    channel_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("channels.id", ondelete="SET NULL")
    )
    actions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # {"staff": str, "budget": str, "equipment": str}
    means: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    start_date: Mapped[date | None]
    due_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")
    # The contract's axis (a key of the territory's axes, services/act.py), the financing
    # source ("FIPD", "budget communal"…), the area it targets (a QPV, a QRR) and the
    # framework it serves.
    axis: Mapped[str | None] = mapped_column(sa.String(64))
    financing: Mapped[str] = mapped_column(sa.String(200), default="")
    target_area: Mapped[str] = mapped_column(sa.String(200), default="")
    framework_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contract_frameworks.id", ondelete="SET NULL",
                      name="fk_commitment_framework"))
    abandon_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan",
        order_by="Indicator.position",
    )

    # Attached documents (models/files.py), in their order; written by services/files.py.
    attachments: Mapped[list["File"]] = relationship(
        primaryjoin="File.commitment_id == Commitment.id", order_by="File.position", viewonly=True,
        lazy="selectin")


class CommitmentSource(Model):
    """A need or proposal promoted into a commitment (its provenance)."""

    __tablename__ = "commitment_sources"

    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Indicator(Model):
    """An evaluation indicator of a commitment (name, unit, baseline, target)."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(40), default="")
    baseline: Mapped[float | None]
    target: Mapped[float | None]
    reference_year: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    # One of FREQUENCIES, or None: no measurement is ever due.
    frequency: Mapped[str | None] = mapped_column(sa.String(16))

    commitment: Mapped[Commitment] = relationship(back_populates="indicators")
    measurements: Mapped[list["Measurement"]] = relationship(
        cascade="all, delete-orphan", order_by="Measurement.measured_on"
    )


class Measurement(Model):
    __tablename__ = "measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        sa.ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    measured_on: Mapped[date]
    value: Mapped[float]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommitmentRevision(Model):
    """Who changed which fields of a commitment, when, from what to what."""

    __tablename__ = "commitment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # {field: {"before": ..., "after": ...}}
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType)

    author: Mapped[User | None] = relationship()
