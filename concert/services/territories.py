"""Territories and who may see them. `access()` is the gate every territory request goes through."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Membership, Territory, User
from . import amendments, audit, channels, notifications, validation
from .access import Access, access, system_access  # noqa: F401  (re-exported)
from .errors import Conflict, Forbidden, Invalid
from ..schemas.territories import PhaseInput

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
INSEE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
DEPARTEMENT_RE = re.compile(r"^(?:\d{2,3}|2[AB])$")


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
    channels.create_defaults(territory)
    audit.record("territory.create", actor=actor, territory=territory, obj=territory,
                 after=serialise(territory))
    db.session.commit()
    return territory


def set_phase(access: Access, data: PhaseInput) -> Territory:
    """Facilitators move the territory through the contract's phases (any order: a phase
    can be reopened)."""
    access.require("facilitator")
    phase = data.phase
    territory = access.territory
    if territory.phase != phase:
        if phase == "signed":
            amendments.record_signature(access)
        audit.record("territory.phase", actor=access.user, territory=territory, obj=territory,
                     before={"phase": territory.phase}, after={"phase": phase})
        before, territory.phase = territory.phase, phase
        notifications.phase_changed(access, before)
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

