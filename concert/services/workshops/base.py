"""Reading a workshop: the one of this territory or 404, the lists, and what the other
modules of the package share (the row lock, the status checks, the channels a reader sees)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_datetime, lazy_gettext as _l

from ...db import db
from ...models import Channel, Post
from ...models.workshops import AgendaItem, Workshop
from .. import audience, posts
from ..access import Access, access_via, in_territory
from ..errors import Conflict

VOTER_ROLES = posts.CONTRIBUTOR_ROLES
DECISIONS = ("post.promote", "post.merge", "post.decline")


def facilitates(access: Access) -> None:
    """Facilitators plan, edit, cancel, run a workshop and its votes. The API checks it
    before reading a body too: anyone else is answered 403 whatever they sent."""
    access.require("facilitator")


def may_vote(access: Access) -> None:
    """Actors and facilitators place dots; observers follow."""
    access.require(*VOTER_ROLES)


def workshop_access(user, workshop_id: Any) -> Access:
    return access_via(user, Workshop, workshop_id, _l("Atelier introuvable."))


def get(access: Access, workshop_id: Any) -> Workshop:
    return in_territory(access, Workshop, workshop_id, _l("Atelier introuvable."))


def list_workshops(access: Access) -> tuple[list[Workshop], list[Workshop]]:
    """(live and upcoming, soonest first; past and cancelled, latest first)."""
    items = db.session.scalars(sa.select(Workshop).where(
        Workshop.territory_id == access.territory.id).order_by(Workshop.starts_at)).all()
    upcoming = [w for w in items if w.status in ("planned", "live")]
    past = [w for w in reversed(items) if w.status in ("closed", "cancelled")]
    return upcoming, past


def current_item(workshop: Workshop) -> AgendaItem | None:
    return workshop.live_item


def contributions(access: Access, workshop: Workshop, limit: int = 200) -> list[Post]:
    """Posts made from the workshop that this member may see, oldest first."""
    return list(db.session.scalars(sa.select(Post).where(
        Post.workshop_id == workshop.id, Post.deleted_at.is_(None),
        Post.channel_id.in_(audience.visible_channel_ids(access))).order_by(Post.seq.desc())
        .limit(limit)))[::-1]


def locked(access: Access, workshop_id: Any) -> Workshop:
    """The workshop, its row locked until commit: two facilitators pressing "next" at the
    same moment move one item each, in turn."""
    workshop = get(access, workshop_id)
    db.session.execute(sa.select(Workshop).where(Workshop.id == workshop.id)
                       .with_for_update().execution_options(populate_existing=True)).one()
    return workshop


def require_planned(workshop: Workshop) -> None:
    if workshop.status != "planned":
        raise Conflict({
            "live": _l("Cet atelier est en cours : il ne peut plus être modifié ni annulé."),
            "closed": _l("Cet atelier est clos : il ne peut plus être modifié ni annulé."),
            "cancelled": _l("Cet atelier est annulé : il ne peut plus être modifié."),
        }[workshop.status], code=f"workshop_{workshop.status}")


def live(access: Access, workshop_id: Any) -> Workshop:
    workshop = locked(access, workshop_id)
    if workshop.status != "live":
        raise Conflict(_l("Cet atelier n'est pas en cours."), code=f"workshop_{workshop.status}")
    return workshop



def channel_name(channel_id: int | None) -> str:
    channel = db.session.get(Channel, channel_id) if channel_id else None
    return channel.name if channel else "—"


def excerpt(post: Post, length: int = 160) -> str:
    text = " ".join(post.body.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def when(value: datetime | None) -> str:
    return format_datetime(value, "d MMMM y, HH:mm") if value else "—"
