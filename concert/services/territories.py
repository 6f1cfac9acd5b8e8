"""Territories and who may see them. `access()` is the gate every territory request goes through."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Membership, Territory, User
from . import audit, validation
from .errors import Conflict, Forbidden, Invalid, NotFound

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
DEPARTEMENT_RE = re.compile(r"^(?:\d{2,3}|2[AB])$")


@dataclass(frozen=True)
class Access:
    """A user's standing in one territory: their membership, or none for an admin.

    `system` is the command line, run by whoever operates the server: no user, every right.
    """

    user: User | None
    territory: Territory
    membership: Membership | None
    system: bool = False

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
    return Access(None, territory, None, system=True)


def territories_for(user: User) -> list[tuple[Territory, Membership | None]]:
    """The territories a user belongs to; an admin also sees the others (without a role)."""
    rows = db.session.execute(
        sa.select(Territory, Membership)
        .join(
            Membership,
            sa.and_(Membership.territory_id == Territory.id, Membership.user_id == user.id),
            isouter=user.is_admin,
        )
        .order_by(Territory.name)
    )
    return [(territory, membership) for territory, membership in rows]


def create_territory(
    actor: User | None,
    slug: Any,
    name: Any,
    departement: Any = "",
    communes: Any = None,
) -> Territory:
    """`actor` None means the command line, run by whoever administers the server."""
    if actor is not None and not actor.is_admin:
        raise Forbidden(_l("Seul un administrateur de la plateforme peut créer un territoire."))
    slug = validation.text(slug, "slug", max_length=64).lower()
    if not SLUG_RE.match(slug):
        raise Invalid(
            _l("Identifiant invalide : lettres minuscules, chiffres et tirets."), field="slug"
        )
    territory = Territory(
        slug=slug,
        name=validation.text(name, "name", max_length=200),
        departement=_departement(departement),
        communes=_communes(communes),
        phase="diagnostic",
    )
    if db.session.scalar(sa.select(Territory.id).where(Territory.slug == slug)) is not None:
        raise Conflict(_l("Un territoire porte déjà cet identifiant."), field="slug")
    db.session.add(territory)
    db.session.flush()
    audit.record("territory.create", actor=actor, territory=territory, obj=territory,
                 after=serialise(territory))
    db.session.commit()
    return territory


def _departement(value: Any) -> str:
    value = validation.text(value, "departement", max_length=3, required=False).upper()
    if value and not DEPARTEMENT_RE.match(value):
        raise Invalid(_l("Code de département invalide."), field="departement")
    return value


def _communes(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,;]+", value) if part]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise Invalid(_l("Liste de codes INSEE attendue."), field="communes")
    codes = [code.strip().upper() for code in value]
    bad = [code for code in codes if not INSEE_RE.match(code)]
    if bad:
        raise Invalid(
            _l("Codes INSEE invalides : %(codes)s.", codes=", ".join(bad[:5])), field="communes"
        )
    return list(dict.fromkeys(codes))


def serialise(territory: Territory) -> dict:
    return {
        "slug": territory.slug,
        "name": territory.name,
        "departement": territory.departement,
        "communes": list(territory.communes or []),
        "phase": territory.phase,
    }

