"""After signature: the signed version, its avenants, the contract's governance bodies and
the yearly evaluation's synthesis."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .contract import ContractVersion
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

GOVERNANCE_KINDS = ("copil", "comite_suivi")


class ContractSignature(Model):
    """Which frozen version the parties signed (the last one when the phase became
    `signed`): avenants amend it."""

    __tablename__ = "contract_signatures"

    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_signature_territory"),
        primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("contract_versions.id", ondelete="CASCADE", name="fk_signature_version"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_signature_user"))

    version: Mapped[ContractVersion] = relationship()


class Amendment(Model):
    """Avenant n° N: the changes since the signed version or the previous avenant, stated
    as articles. Frozen: never updated."""

    __tablename__ = "amendments"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "number", name="uq_amendment_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_amendment_territory"))
    number: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_amendment_author"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # The contract as amended (the next avenant's starting point), as versions store it.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)

    author: Mapped[User | None] = relationship()


class GovernanceBody(Model):
    """The comité de pilotage or the comité de suivi: who sits, how often, how it relates
    to the CLSPD / CISPD."""

    __tablename__ = "governance_bodies"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "kind", name="uq_governance_kind"),
        sa.CheckConstraint(_in("kind", GOVERNANCE_KINDS), name="ck_governance_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_governance_territory"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    chair: Mapped[str] = mapped_column(sa.String(200), default="")
    # [{"organisation": str, "quality": str}, ...]
    composition: Mapped[list[dict[str, str]]] = mapped_column(JSONType, default=list)
    frequency: Mapped[str] = mapped_column(sa.String(200), default="")
    clspd_link: Mapped[str] = mapped_column(sa.Text, default="")
    missions: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_governance_user"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvaluationSynthesis(Model):
    """The facilitators' synthesis of one year's bilan."""

    __tablename__ = "evaluation_syntheses"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "year", name="uq_evaluation_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_evaluation_territory"))
    year: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_evaluation_user"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
