"""The shared diagnostic: SSMSI delinquency figures, the qualitative review of each
organisation's means and methods, and the facilitators' observations."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .types import UTCDateTime, utcnow


class DelinquencyFigure(Model):
    """One row of the SSMSI communal base kept for a territory: commune × year × indicator
    × unit. Non-published values ("ndiff") keep NULL facts and rate, never 0."""

    __tablename__ = "diagnostic_figures"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "commune", "year", "indicator", "unit",
                            name="uq_diagnostic_figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    commune: Mapped[str] = mapped_column(sa.String(10))
    year: Mapped[int]
    indicator: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(100))
    published: Mapped[bool]
    facts: Mapped[float | None]
    rate: Mapped[float | None]  # per 1,000 inhabitants or dwellings
    population: Mapped[int | None]
    population_year: Mapped[int | None]
    dwellings: Mapped[int | None]
    dwellings_year: Mapped[int | None]
    complement_facts: Mapped[float | None]
    complement_rate: Mapped[float | None]


class ReferenceFigure(Model):
    """A row of the SSMSI departmental base kept for a territory, to compare it with: one of
    its départements (area "13", "2A"…) or France ("FR", the sum of every département) ×
    year × indicator × unit. The departmental base publishes every figure."""

    __tablename__ = "diagnostic_reference_figures"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "area", "year", "indicator", "unit",
                            name="uq_diagnostic_reference_figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(sa.String(3))
    year: Mapped[int]
    indicator: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(100))
    facts: Mapped[float | None]
    rate: Mapped[float | None]  # per 1,000 inhabitants or dwellings
    population: Mapped[int | None]
    dwellings: Mapped[int | None]


class DiagnosticImport(Model):
    """Who imported which file when, and what it gave (shown on the diagnostic page)."""

    __tablename__ = "diagnostic_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(16), default="communal",
                                      server_default="communal")  # or departmental
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    edition: Mapped[str] = mapped_column(sa.String(40), default="")
    encoding: Mapped[str] = mapped_column(sa.String(20), default="")
    rows: Mapped[int]
    skipped: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User | None] = relationship()


class DiagnosticImportJob(Model):
    """An import running in the background for the page (or the API's asynchronous
    answer): its progress, then its result or its error, readable from every process."""

    __tablename__ = "diagnostic_import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="running")  # done, failed
    size: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # bytes of the file
    bytes_read: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    lines: Mapped[int] = mapped_column(default=0)
    kept: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    import_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("diagnostic_imports.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    result: Mapped[DiagnosticImport | None] = relationship()


class QualitativeEntry(Model):
    """An organisation's means and working methods, edited by its members."""

    __tablename__ = "diagnostic_entries"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "organisation", "organisation_kind",
                            name="uq_diagnostic_entry_organisation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(sa.String(200))
    organisation_kind: Mapped[str] = mapped_column(sa.String(32))
    staff: Mapped[str] = mapped_column(sa.Text, default="")
    equipment: Mapped[str] = mapped_column(sa.Text, default="")
    hours: Mapped[str] = mapped_column(sa.Text, default="")
    partnerships: Mapped[str] = mapped_column(sa.Text, default="")
    schemes: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    updated_by: Mapped[User | None] = relationship()


class DiagnosticObservation(Model):
    """A facilitator's observation on the diagnostic, or on one organisation's entry."""

    __tablename__ = "diagnostic_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("diagnostic_entries.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()
