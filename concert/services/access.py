"""The gate every territory request goes through: who you are in that territory."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Membership, Territory, User
from . import validation
from .errors import Forbidden, NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Access:
    """A user's standing in one territory: their membership, or none for an admin.

    `system` is the command line, run by whoever operates the server: no user, every right.
    """

    user: User | None
    territory: Territory
    membership: Membership | None
    system: bool = False

    @classmethod
    def of_member(cls, membership: Membership) -> Access:
        """A connection already admitted to its territory (Socket.IO): no second lookup."""
        return cls(membership.user, membership.territory, membership)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def is_facilitator(self) -> bool:
        return self.role == "facilitator"

    def require(self, *roles: str, admin: bool = False) -> None:
        if self.system or self.role in roles or (admin and self.user.is_admin):
            return
        raise Forbidden(_l("Votre rôle dans ce territoire ne permet pas cette action."))


def access(user: User | None, slug: str, *, admin: bool = False) -> Access:
    """Non-members get NotFound, exactly as for a territory that does not exist.

    With `admin=True`, a platform admin who is not a member gets through (territory
    management: metadata and invitations), never to the territory's content.
    """
    if not isinstance(slug, str):
        raise NotFound(_l("Territoire introuvable."))
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == slug))
    membership = None
    if territory is not None and user is not None:
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.territory_id == territory.id, Membership.user_id == user.id
            )
        )
    if territory is None or user is None or (membership is None and not (admin and user.is_admin)):
        raise NotFound(_l("Territoire introuvable."))
    return Access(user, territory, membership)


def system_access(slug: str) -> Access:
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == slug))
    if territory is None:
        raise NotFound(_l("Territoire introuvable."))
    return system_reader(territory)


def system_reader(territory: Territory) -> Access:
    """The system reader: the command line and what it runs (exports, imports) act with
    every right and read what every member may read (services/audience.py); so do the
    documents every member reads alike (the contract)."""
    return Access(None, territory, None, system=True)


def in_territory(access: Access, model: type[T], object_id: Any, not_found,
                 field: str | None = None) -> T:
    """The `model` row with this id in the caller's territory. Malformed ids, unknown ids and
    other territories' ids answer the same 404: nothing tells that a row exists elsewhere."""
    row = db.session.get(model, object_id) if validation.is_id(object_id) else None
    if row is None or row.territory_id != access.territory.id:
        raise NotFound(not_found, field=field)
    return row


def access_via(user: User | None, model, object_id, not_found) -> Access:
    """For resources addressed by id alone (posts, commitments…): find their territory,
    then pass the same gate. Unknown ids and other territories' ids answer the same 404."""
    slug = None
    if validation.is_id(object_id):
        slug = db.session.scalar(
            sa.select(Territory.slug).join(model, model.territory_id == Territory.id)
            .where(model.id == object_id))
    if slug is None:
        raise NotFound(not_found)
    try:
        return access(user, slug)
    except NotFound:
        raise NotFound(not_found) from None  # not "unknown territory": that tells it exists
