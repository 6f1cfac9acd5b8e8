from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Model
from .accounts import User
from .types import JSONType, UTCDateTime, utcnow

ROLES = ("facilitator", "actor", "observer")
ORGANISATION_KINDS = (
    "prefecture", "police_nationale", "gendarmerie", "justice", "education", "commune",
    "epci", "departement", "police_municipale", "transport", "bailleur_social",
    "prevention", "securite_privee", "other",
)
PHASES = ("diagnostic", "concertation", "drafting", "signed", "evaluation")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Territory(Model):
    __tablename__ = "territories"
    __table_args__ = (sa.CheckConstraint(_in("phase", PHASES), name="ck_territory_phase"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    departement: Mapped[str] = mapped_column(sa.String(3), default="")
    communes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    phase: Mapped[str] = mapped_column(sa.String(20), default="diagnostic")
    # The last event seq handed out; incremented under the row's lock (services/events.py).
    last_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    last_commitment_number: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="territory", cascade="all, delete-orphan"
    )


class Membership(Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "territory_id", name="uq_membership_user_territory"),
        sa.CheckConstraint(_in("role", ROLES), name="ck_membership_role"),
        sa.CheckConstraint(_in("organisation_kind", ORGANISATION_KINDS), name="ck_membership_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    organisation_kind: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    territory: Mapped[Territory] = relationship(back_populates="memberships")


class Invitation(Model):
    """A single-use link for one e-mail and role. Only the token's SHA-256 is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.CheckConstraint(_in("role", ROLES), name="ck_invitation_role"),
        sa.CheckConstraint(_in("organisation_kind", ORGANISATION_KINDS), name="ck_invitation_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(
        sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(sa.String(20))
    organisation: Mapped[str] = mapped_column(sa.String(200))
    organisation_kind: Mapped[str] = mapped_column(sa.String(32))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    territory: Mapped[Territory] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()
