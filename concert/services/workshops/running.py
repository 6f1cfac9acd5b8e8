"""Running a workshop: start, move through the agenda under the server's timer, close;
and tagging the posts made from its page."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ...db import db
from ...models import Membership, utcnow
from ...models.workshops import Attendance, Vote, Workshop
from ...schemas.workshops import MoveInput
from ..access import Access
from ..errors import Conflict, Invalid
from .base import facilitates, live, locked
from .presence import attend, present_ids
from .serialisation import announce, announce_vote


def start(access: Access, workshop_id: Any) -> Workshop:
    facilitates(access)
    workshop = locked(access, workshop_id)
    if workshop.status != "planned":
        raise Conflict({"live": _l("Cet atelier est déjà en cours."),
                        "closed": _l("Cet atelier est clos : il ne peut pas reprendre."),
                        "cancelled": _l("Cet atelier est annulé : il ne peut pas s'ouvrir.")
                        }[workshop.status], code=f"workshop_{workshop.status}")
    now = utcnow()
    workshop.status, workshop.started_at = "live", now
    workshop.current_item, workshop.item_started_at = 0, now
    for membership in db.session.scalars(sa.select(Membership).where(  # waiting on the page
            Membership.territory_id == workshop.territory_id,
            Membership.user_id.in_(present_ids(workshop)))):
        attend(workshop, membership)
    announce(access, workshop, "workshop.started")
    db.session.commit()
    return workshop


def move(access: Access, workshop_id: Any, data: MoveInput) -> Workshop:
    """To the "next" or "previous" agenda item, or to a position; its timer starts again."""
    facilitates(access)
    workshop = live(access, workshop_id)
    last, to = len(workshop.agenda) - 1, data.to
    if to == "next":
        if workshop.current_item >= last:
            raise Conflict(_l("C'est le dernier point de l'ordre du jour."), field="to")
        position = workshop.current_item + 1
    elif to == "previous":
        if workshop.current_item <= 0:
            raise Conflict(_l("C'est le premier point de l'ordre du jour."), field="to")
        position = workshop.current_item - 1
    else:
        if not 0 <= to <= last:
            raise Invalid(_l("« to » : « next », « previous » ou une position de l'ordre du "
                             "jour (0 à %(last)d).", last=last), field="to")
        position = to
    workshop.current_item, workshop.item_started_at = position, utcnow()
    announce(access, workshop, "workshop.agenda")
    db.session.commit()
    return workshop


def close(access: Access, workshop_id: Any) -> Workshop:
    facilitates(access)
    workshop = locked(access, workshop_id)
    if workshop.status != "live":
        raise Conflict({"planned": _l("Cet atelier n'a pas commencé."),
                        "closed": _l("Cet atelier est déjà clos."),
                        "cancelled": _l("Cet atelier est annulé.")}[workshop.status],
                       code=f"workshop_{workshop.status}")
    now = utcnow()
    for vote in db.session.scalars(sa.select(Vote).where(Vote.workshop_id == workshop.id,
                                                          Vote.status == "open")):
        vote.status, vote.closed_at = "closed", now
        announce_vote(access, workshop, vote)
    db.session.execute(sa.update(Attendance).where(Attendance.workshop_id == workshop.id,
                                                   Attendance.user_id.in_(present_ids(workshop)))
                       .values(last_seen=now))
    workshop.status, workshop.closed_at = "closed", now
    workshop.current_item = workshop.item_started_at = None
    announce(access, workshop, "workshop.closed")
    db.session.commit()
    return workshop
