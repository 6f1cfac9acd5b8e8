"""Territories, their members and invitations."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from ..models import ORGANISATION_KINDS, PHASES, ROLES
from ..services import validation
from .common import Closed, Input, Output, choice, items_of, text


class TerritoryInput(Input):
    slug: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
    name: str
    departement: str = ""
    communes: list[str] | None = None


class PhaseInput(Closed):
    phase: choice(PHASES)


class Territory(Output):
    slug: str
    name: str
    departement: str
    communes: list[str]
    phase: Literal[PHASES]
    role: Literal[ROLES] | None = Field(
        None, description="My role there (null for a platform admin who is not a member)")


TerritoryList = items_of(Territory)


class MemberUser(Output):
    id: int
    name: str
    email: str | None = Field(None, description="To facilitators and platform admins only")


class Member(Output):
    id: int
    user: MemberUser
    role: Literal[ROLES]
    organisation: str
    organisation_kind: Literal[ORGANISATION_KINDS]


MemberList = items_of(Member)


def _email(value: Any) -> str:
    return validation.email(value)


# A value left out is refused as the service always did ("Valeur invalide ; valeurs
# possibles…" for a choice): hence the validated defaults.
class RoleInput(Input):
    role: choice(ROLES) = Field(None, validate_default=True)


class InvitationInput(Input):
    email: Annotated[str, BeforeValidator(_email)] = Field(None, validate_default=True)
    role: choice(ROLES) = Field(None, validate_default=True)
    organisation: text(200)
    organisation_kind: choice(ORGANISATION_KINDS) = Field(None, validate_default=True)


class InvitationTerms(Output):
    """What an invitation offers, as its link's page and its mail describe it."""

    email: str
    role: Literal[ROLES]
    organisation: str
    organisation_kind: Literal[ORGANISATION_KINDS]
    expires_at: datetime


class Invitation(InvitationTerms):
    id: int
    created_at: datetime
    url: str | None = Field(None, description=(
        "Only in the answer that creates or re-sends it, and only when no SMTP server is "
        "configured (development): otherwise the link is only in the mail"))


InvitationList = items_of(Invitation)


class TerritoryName(Output):
    slug: str
    name: str


class InvitationInfo(InvitationTerms):
    territory: TerritoryName


class AcceptInput(Input):
    name: str | None = None
    password: str | None = Field(None, min_length=12)


class Accepted(Output):
    territory: Territory
    membership: Member
