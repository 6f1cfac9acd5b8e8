"""Planning: a facilitator creates a workshop, edits or cancels it until it starts."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ...db import db
from ...models import Channel, utcnow
from ...models.workshops import AgendaItem, Workshop
from ...schemas.workshops import AgendaItemInput, CancelInput, WorkshopInput, WorkshopPatch
from .. import audience, audit, calendar, files, notifications, search
from ..access import Access
from ..errors import Invalid, NotFound
from .base import facilitates, get, locked, require_planned
from .serialisation import announce


def create(access: Access, data: WorkshopInput) -> Workshop:
    facilitates(access)
    plan = _plan(access, data)
    agenda = plan.pop("agenda")
    workshop = Workshop(territory_id=access.territory.id, status="planned",
                        created_by_id=access.user.id if access.user else None, **plan)
    workshop.agenda = agenda
    db.session.add(workshop)
    db.session.flush()
    if data.attachments:
        files.attach(access, data.attachments, workshop)
    search.index_workshop(workshop)
    calendar.planned(workshop)
    notifications.workshop_changed(access, workshop, "workshop.planned",
                                   calendar.invitees(workshop))
    db.session.commit()
    return workshop


def editable(access: Access, workshop_id: Any) -> Workshop:
    """A workshop its facilitators may still edit or cancel: a planned one."""
    facilitates(access)
    workshop = get(access, workshop_id)
    require_planned(workshop)
    return workshop


def update(access: Access, workshop_id: Any, data: WorkshopPatch) -> Workshop:
    """Changes the fields given of a planned workshop; a new agenda replaces the old one as a
    whole (none of its items has started)."""
    facilitates(access)
    workshop = locked(access, workshop_id)
    require_planned(workshop)
    plan = _plan(access, data, workshop)
    before = _snapshot(workshop)
    invited_before = calendar.invitees(workshop)
    agenda = plan.pop("agenda", None)
    if "attachments" in data.given():
        files.attach(access, data.attachments, workshop)
    for key, value in plan.items():
        setattr(workshop, key, value)
    if agenda is not None and [_item(i) for i in agenda] != before["agenda"]:
        workshop.agenda.clear()
        db.session.flush()  # the old positions go before the new ones take them
        workshop.agenda = agenda
    after = _snapshot(workshop)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit.record("workshop.update", actor=access.user, territory=access.territory,
                     obj=workshop, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
        # SPEC's event for a change of the workshop's plan; it carries the whole workshop.
        announce(access, workshop, "workshop.agenda")
        calendar.changed(workshop, invited_before)
        notifications.workshop_changed(access, workshop, "workshop.changed",
                                       calendar.invitees(workshop))
    db.session.commit()
    return workshop


def cancel(access: Access, workshop_id: Any, data: CancelInput | None = None) -> Workshop:
    """Calls off a planned workshop; the reason, if any, is shown on its page."""
    facilitates(access)
    workshop = locked(access, workshop_id)
    require_planned(workshop)
    reason = data.reason if data else ""
    workshop.status, workshop.cancelled_at = "cancelled", utcnow()
    workshop.cancel_reason = reason or None
    audit.record("workshop.cancel", actor=access.user, territory=access.territory,
                 obj=workshop, before={"status": "planned"},
                 after={"status": "cancelled", "reason": reason})
    # It will not take place: SPEC's end-of-workshop event, with status "cancelled".
    announce(access, workshop, "workshop.closed")
    calendar.cancelled(workshop)
    notifications.workshop_changed(access, workshop, "workshop.cancelled",
                                   calendar.invitees(workshop))
    db.session.commit()
    return workshop


def _plan(access: Access, data: WorkshopPatch, workshop: Workshop | None = None) -> dict:
    """The planning fields of a new workshop, or of an edit of a planned `workshop` (those
    given; the others keep their value). Their shape is checked by the model; here, what
    needs the database: the venue as it will be, the agenda's channels."""
    plan = {key: getattr(data, key) for key in data.given()
            if key not in ("agenda", "attachments")}
    venue = {"place": workshop.place, "online_url": workshop.online_url} if workshop else {}
    venue.update((k, plan[k]) for k in ("place", "online_url") if k in plan)
    if not venue.get("place") and not venue.get("online_url"):
        raise Invalid(_l("Indiquez un lieu, ou un lien pour un atelier en ligne."),
                      field="place")
    if "agenda" in data.given():
        plan["agenda"] = _agenda(access, data.agenda)
    return plan


def _snapshot(workshop: Workshop) -> dict:
    """What a facilitator plans, as the audit trail records it before and after an edit."""
    return {"title": workshop.title, "starts_at": workshop.starts_at.isoformat(),
            "place": workshop.place, "online_url": workshop.online_url,
            "invited": list(workshop.invited), "agenda": [_item(i) for i in workshop.agenda],
            "attachments": [f.name for f in workshop.attachments]}


def _item(item: AgendaItem) -> dict:
    return {"title": item.title, "minutes": item.minutes, "channel": item.channel_id}


def _agenda(access: Access, items: list[AgendaItemInput]) -> list[AgendaItem]:
    return [AgendaItem(position=position, title=item.title, minutes=item.minutes,
                       channel_id=_focus(access, item.channel))
            for position, item in enumerate(items)]


def _focus(access: Access, channel_id: int | None) -> int | None:
    """An agenda item's channel: of this territory and open to all."""
    if channel_id is None:
        return None
    channel = db.session.get(Channel, channel_id)
    if channel is None or channel.territory_id != access.territory.id:
        raise NotFound(_l("Canal introuvable."), field="agenda")
    if not audience.open_to_all(channel):
        raise Invalid(_l("Un point d'atelier porte sur un canal ouvert à tous."),
                      field="agenda")
    return channel.id
