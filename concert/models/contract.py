"""The draft contract: its editable sections, the frameworks it takes in, its frozen versions."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .territories import _in
from .types import JSONType, UTCDateTime, utcnow

# The free Markdown sections facilitators write; the rest of the contract is assembled.
SECTION_KEYS = ("preamble", "diagnostic", "governance", "evaluation", "closing", "signatories")
FRAMEWORK_KINDS = ("cls", "stspd", "clspd", "pdpd", "contrat_de_ville", "qrr", "gltd", "pvd",
                   "convention_coordination", "other")
# Who signs: the State, the public prosecutor, each collectivité (a ville and its métropole
# are two parties), the partners.
SIGNATORY_ROLES = ("etat", "justice", "collectivite", "partenaire")


class ContractSection(Model):
    __tablename__ = "contract_sections"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "key", name="uq_contract_section_key"),
        sa.CheckConstraint(_in("key", SECTION_KEYS), name="ck_contract_section_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_contract_section_territory"))
    key: Mapped[str] = mapped_column(sa.String(32))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_contract_section_user"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractFramework(Model):
    """A plan or convention the CSI takes in (CLS, STSPD, contrat de ville…)."""

    __tablename__ = "contract_frameworks"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", FRAMEWORK_KINDS), name="ck_contract_framework_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_contract_framework_territory"),
        index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    integration: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractVersion(Model):
    """A frozen draft: the assembled document and what the diff compares. Never updated."""

    __tablename__ = "contract_versions"
    __table_args__ = (
        sa.UniqueConstraint("territory_id", "number", name="uq_contract_version_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_contract_version_territory"))
    number: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_contract_version_author"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # {"commitments": {number: {field: text}}, "sections": {key: text}}
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)

    author: Mapped[User | None] = relationship()


class ContractSignatory(Model):
    """A party to the act: the parties' paragraph ("Entre …") and the signature block are
    written from these rows, in `position` order."""

    __tablename__ = "contract_signatories"
    __table_args__ = (
        sa.CheckConstraint(_in("role", SIGNATORY_ROLES), name="ck_contract_signatory_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_contract_signatory_territory"),
        index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(sa.String(16))
    # As the act writes it: "l'État", "la commune de Marseille", "la métropole Aix-Marseille-Provence"
    organisation: Mapped[str] = mapped_column(sa.String(200))
    person: Mapped[str] = mapped_column(sa.String(200), default="")  # "Mme Claire Martin"
    quality: Mapped[str] = mapped_column(sa.String(300), default="")  # "préfète de …"
    deliberation_date: Mapped[date | None]
    deliberation_number: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContractAct(Model):
    """The act's settings, one row per territory (absent: every default). `visas` and `axes`
    are None until a facilitator edits them: the defaults then follow concert's."""

    __tablename__ = "contract_acts"

    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE", name="fk_contract_act_territory"),
        primary_key=True)
    visas: Mapped[list[str] | None] = mapped_column(JSONType)
    # [{"key": str, "label": str}], in the contract's order
    axes: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    signed_on: Mapped[date | None]
    originals: Mapped[int | None]
    effective_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    notice_months: Mapped[int] = mapped_column(default=3)
    court: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
