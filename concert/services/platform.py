"""The platform admin's overview: territories, people, invitations pending, the outbox."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import MAIL_STATUSES, Invitation, MailOutbox, Membership, Territory, User, utcnow
from . import validation
from .errors import Forbidden, NotFound

PEOPLE_PAGE = 50


def require_admin(user: Any) -> None:
    if not getattr(user, "is_admin", False):
        raise Forbidden(_l("Réservé aux administrateurs de la plateforme."))


def territories(admin: User) -> list[tuple[Territory, int]]:
    """Every territory and how many members it has."""
    require_admin(admin)
    members = (sa.select(sa.func.count()).select_from(Membership)
               .where(Membership.territory_id == Territory.id).scalar_subquery())
    return list(db.session.execute(sa.select(Territory, members).order_by(Territory.name)))


def people(admin: User, query: Any = "") -> list[tuple[User, int]]:
    """People whose name or address contains `query` (case folded), with how many
    territories each belongs to; the first PEOPLE_PAGE by name."""
    require_admin(admin)
    query = validation.text(query, "q", max_length=254, required=False).lower()
    memberships = (sa.select(sa.func.count()).select_from(Membership)
                   .where(Membership.user_id == User.id).scalar_subquery())
    select = sa.select(User, memberships).order_by(User.name, User.id).limit(PEOPLE_PAGE)
    if query:
        select = select.where(sa.or_(sa.func.lower(User.name).contains(query, autoescape=True),
                                     User.email.contains(query, autoescape=True)))
    return list(db.session.execute(select))


def person(admin: User, user_id: Any) -> User:
    require_admin(admin)
    user = db.session.get(User, user_id) if validation.is_id(user_id) else None
    if user is None:
        raise NotFound(_l("Personne introuvable."))
    return user


def pending_invitations(admin: User) -> list[Invitation]:
    require_admin(admin)
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.accepted_at.is_(None),
                                    Invitation.revoked_at.is_(None),
                                    Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())))


def outbox_counts(admin: User) -> dict[str, int]:
    """How many mails are pending, sent and failed."""
    require_admin(admin)
    counts = dict(db.session.execute(
        sa.select(MailOutbox.status, sa.func.count()).group_by(MailOutbox.status)).all())
    return {status: counts.get(status, 0) for status in MAIL_STATUSES}
