"""Planning: a facilitator creates a workshop, edits or cancels it until it starts."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from ...db import db
from ...models import Channel, utcnow
from ...models.workshops import AgendaItem, Workshop
from .. import audience, audit, validation
from ..access import Access
from ..errors import Invalid, NotFound
from .base import MAX_INVITED, MAX_ITEMS, MAX_MINUTES, get, locked, require_planned
from .serialisation import announce


def create(access: Access, data: dict) -> Workshop:
    access.require("facilitator")
    plan = _plan(access, data)
    agenda = plan.pop("agenda")
    workshop = Workshop(territory_id=access.territory.id, status="planned",
                        created_by_id=access.user.id if access.user else None, **plan)
    workshop.agenda = agenda
    db.session.add(workshop)
    db.session.commit()
    return workshop


def editable(access: Access, workshop_id: Any) -> Workshop:
    """A workshop its facilitators may still edit or cancel: a planned one."""
    access.require("facilitator")
    workshop = get(access, workshop_id)
    require_planned(workshop)
    return workshop


def update(access: Access, workshop_id: Any, data: dict) -> Workshop:
    """Changes the fields given of a planned workshop; a new agenda replaces the old one as a
    whole (none of its items has started)."""
    access.require("facilitator")
    workshop = locked(access, workshop_id)
    require_planned(workshop)
    plan = _plan(access, data, workshop)
    before = _snapshot(workshop)
    agenda = plan.pop("agenda", None)
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
    db.session.commit()
    return workshop


def cancel(access: Access, workshop_id: Any, reason: Any = None) -> Workshop:
    """Calls off a planned workshop; the reason, if any, is shown on its page."""
    access.require("facilitator")
    workshop = locked(access, workshop_id)
    require_planned(workshop)
    reason = validation.text(reason, "reason", max_length=2000, required=False)
    workshop.status, workshop.cancelled_at = "cancelled", utcnow()
    workshop.cancel_reason = reason or None
    audit.record("workshop.cancel", actor=access.user, territory=access.territory,
                 obj=workshop, before={"status": "planned"},
                 after={"status": "cancelled", "reason": reason})
    # It will not take place: SPEC's end-of-workshop event, with status "cancelled".
    announce(access, workshop, "workshop.closed")
    db.session.commit()
    return workshop


def _plan(access: Access, data: Any, workshop: Workshop | None = None) -> dict:
    """The checked planning fields of a new workshop (all required), or of an edit of a
    planned `workshop` (those given; the others keep their value)."""
    if not isinstance(data, dict):
        raise Invalid(_l("Objet attendu."))

    def given(key: str) -> bool:
        return workshop is None or key in data

    plan: dict[str, Any] = {}
    if given("title"):
        plan["title"] = validation.text(data.get("title"), "title", max_length=200)
    if given("starts_at"):
        plan["starts_at"] = _datetime(data.get("starts_at"), "starts_at")
    if given("place"):
        plan["place"] = validation.text(data.get("place"), "place", max_length=200,
                                        required=False)
    if given("online_url"):
        plan["online_url"] = _url(data.get("online_url"))
    venue = {"place": workshop.place, "online_url": workshop.online_url} if workshop else {}
    venue.update((k, plan[k]) for k in ("place", "online_url") if k in plan)
    if not venue.get("place") and not venue.get("online_url"):
        raise Invalid(_l("Indiquez un lieu, ou un lien pour un atelier en ligne."),
                      field="place")
    if given("invited"):
        plan["invited"] = _texts(data.get("invited", []), "invited", max_items=MAX_INVITED,
                                 max_length=200)
    if given("agenda"):
        plan["agenda"] = _agenda(access, data.get("agenda"))
    return plan


def _snapshot(workshop: Workshop) -> dict:
    """What a facilitator plans, as the audit trail records it before and after an edit."""
    return {"title": workshop.title, "starts_at": workshop.starts_at.isoformat(),
            "place": workshop.place, "online_url": workshop.online_url,
            "invited": list(workshop.invited), "agenda": [_item(i) for i in workshop.agenda]}


def _item(item: AgendaItem) -> dict:
    return {"title": item.title, "minutes": item.minutes, "channel": item.channel_id}


def _datetime(value: Any, field: str) -> datetime:
    """ISO 8601; without an offset, the territory's local time (CONCERT_TIMEZONE)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."), field=field)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."), field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    if not 2000 <= parsed.year <= 2100:
        raise Invalid(_l("Date hors limites."), field=field)
    return parsed.astimezone(timezone.utc)


def _url(value: Any) -> str:
    url = validation.text(value, "online_url", max_length=500, required=False)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Invalid(_l("Le lien doit commencer par https:// ou http://."), field="online_url")
    return url


def _texts(value: Any, field: str, *, max_items: int, max_length: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > max_items:
        raise Invalid(_l("Liste de textes attendue (%(max)d au plus).", max=max_items),
                      field=field)
    texts = [validation.text(v, field, max_length=max_length, required=False) for v in value]
    return list(dict.fromkeys(t for t in texts if t))


def _agenda(access: Access, value: Any) -> list[AgendaItem]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise Invalid(_l("L'ordre du jour compte de 1 à %(max)d points.", max=MAX_ITEMS),
                      field="agenda")
    items = []
    for position, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise Invalid(_l("Chaque point : {title, minutes, channel}."), field="agenda")
        title = validation.text(entry.get("title"), "agenda", max_length=200)
        minutes = validation.integer(entry.get("minutes"), "agenda")
        if not 1 <= minutes <= MAX_MINUTES:
            raise Invalid(_l("Durée d'un point : de 1 à %(max)d minutes.", max=MAX_MINUTES),
                          field="agenda")
        channel_id = None
        if entry.get("channel") not in (None, ""):
            channel = db.session.get(Channel, validation.integer(entry["channel"], "agenda"))
            if channel is None or channel.territory_id != access.territory.id:
                raise NotFound(_l("Canal introuvable."), field="agenda")
            if not audience.open_to_all(channel):
                raise Invalid(_l("Un point d'atelier porte sur un canal ouvert à tous."),
                              field="agenda")
            channel_id = channel.id
        items.append(AgendaItem(position=position, title=title, minutes=minutes,
                                channel_id=channel_id))
    return items
