"""Workshops as calendar events (RFC 5545, iTIP RFC 5546): planning, editing and cancelling
a workshop mails its invited organisations' members an invitation (`METHOD:REQUEST`, or
`CANCEL`), and members download the same event as an `.ics` file.

One UID per workshop and a SEQUENCE raised at each change mailed: calendars update, then
remove, the same event. Each member's copy names only the channels they may see."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_datetime, gettext as _
from icalendar import Calendar, Event, vCalAddress

from ..db import db
from ..labels import KIND_LABELS
from ..models import Channel, Membership, Territory, User, utcnow
from ..models.workshops import Workshop
from . import audience, mail
from .access import Access


# --- who is invited ----------------------------------------------------------------------

def invitees(workshop: Workshop) -> list[Membership]:
    """Members whose organisation the workshop invites: the facilitator writes names of
    organisations or of organisation kinds (as the minutes read them)."""
    wanted = {name.casefold() for name in workshop.invited}
    if not wanted:
        return []
    members = db.session.scalars(sa.select(Membership).where(
        Membership.territory_id == workshop.territory_id).order_by(Membership.id))
    return [m for m in members if wanted & _names_of(m)]


def _names_of(membership: Membership) -> set[str]:
    names = {membership.organisation.casefold(), membership.organisation_kind}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            names.add(str(KIND_LABELS.get(membership.organisation_kind, "")).casefold())
    return names


# --- mailing -----------------------------------------------------------------------------

def planned(workshop: Workshop) -> None:
    """Within the transaction that plans the workshop: its invitations."""
    db.session.flush()  # its id makes its UID
    for membership in invitees(workshop):
        _mail(workshop, membership, "REQUEST", "planned")


def changed(workshop: Workshop, invited_before: list[Membership]) -> None:
    """Within the transaction that edits it: the invitees get the new version; members no
    longer invited get it cancelled."""
    workshop.calendar_sequence += 1
    now_invited = invitees(workshop)
    kept = {m.id for m in now_invited}
    for membership in now_invited:
        _mail(workshop, membership, "REQUEST", "changed")
    for membership in invited_before:
        if membership.id not in kept:
            _mail(workshop, membership, "CANCEL", "uninvited")


def cancelled(workshop: Workshop) -> None:
    """Within the transaction that calls it off."""
    workshop.calendar_sequence += 1
    for membership in invitees(workshop):
        _mail(workshop, membership, "CANCEL", "cancelled")


def _mail(workshop: Workshop, membership: Membership, method: str, kind: str) -> None:
    user: User = membership.user
    territory = db.session.get(Territory, workshop.territory_id)
    language = mail.language_of(user)
    with force_locale(language):
        when = format_datetime(workshop.starts_at, "EEEE d MMMM y, HH:mm")
        subject = _subject(kind, workshop.title, when)
        ics = event_file(workshop, method, membership, attendee=user)
        agenda = agenda_lines(workshop, membership)
    message = mail.compose(
        user.email, "workshop", language, subject, calendar=(method, ics), kind=kind,
        workshop=workshop, territory=territory.name, organisation=membership.organisation,
        when=when, agenda=agenda, url=page_url(workshop, territory))
    mail.enqueue(message, "workshop", territory_id=territory.id)


def _subject(kind: str, title: str, when: str) -> str:
    if kind == "planned":
        return _("Invitation : « %(title)s », %(date)s", title=title, date=when)
    if kind == "changed":
        return _("Atelier modifié : « %(title)s », %(date)s", title=title, date=when)
    if kind == "uninvited":
        return _("Votre organisation n'est plus invitée : « %(title)s »", title=title)
    return _("Atelier annulé : « %(title)s »", title=title)


# --- the event ---------------------------------------------------------------------------

def download(access: Access, workshop: Workshop) -> bytes:
    """The event as a member saves it (`METHOD:PUBLISH`): same UID and SEQUENCE as the
    invitations, so importing it again updates the same event."""
    return event_file(workshop, "PUBLISH", access.membership)


def event_file(workshop: Workshop, method: str, reader: Membership | None, *,
               attendee: User | None = None) -> bytes:
    territory = db.session.get(Territory, workshop.territory_id)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    event = Event()
    event.add("uid", uid(workshop))
    event.add("sequence", workshop.calendar_sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", workshop.starts_at.astimezone(zone))
    event.add("dtend", (workshop.starts_at + duration(workshop)).astimezone(zone))
    event.add("summary", workshop.title)
    event.add("location", workshop.place or workshop.online_url)
    event.add("description", _description(workshop, reader, territory))
    event.add("url", page_url(workshop, territory))
    cancelled_ = method == "CANCEL" or workshop.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled_ else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{mail.sender().addr_spec}")
    organizer.params["cn"] = territory.name
    event.add("organizer", organizer)
    if attendee is not None:
        guest = vCalAddress(f"mailto:{attendee.email}")
        guest.params.update({"cn": attendee.name, "role": "REQ-PARTICIPANT",
                             "partstat": "NEEDS-ACTION", "rsvp": "FALSE"})
        event.add("attendee", guest)
    calendar = Calendar()
    calendar.add("prodid", "-//concert//ateliers//FR")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def uid(workshop: Workshop) -> str:
    return f"workshop-{workshop.id}@{mail.sender().domain or 'concert'}"


def duration(workshop: Workshop) -> timedelta:
    return timedelta(minutes=sum(item.minutes for item in workshop.agenda) or 60)


def page_url(workshop: Workshop, territory: Territory) -> str:
    return mail.absolute_url(f"/t/{territory.slug}/workshops/{workshop.id}")


def agenda_lines(workshop: Workshop, reader: Membership | None) -> list[str]:
    """"1. Title (30 min) — « channel »", the channel named only to whom may see it."""
    lines = []
    for number, item in enumerate(workshop.agenda, start=1):
        line = _("%(number)d. %(title)s (%(minutes)d min)", number=number, title=item.title,
                 minutes=item.minutes)
        channel = db.session.get(Channel, item.channel_id) if item.channel_id else None
        if channel is not None and (
                audience.can_see_channel(Access.of_member(reader), channel) if reader
                else audience.open_to_all(channel)):
            line += _(" — canal « %(channel)s »", channel=channel.name)
        lines.append(line)
    return lines


def _description(workshop: Workshop, reader: Membership | None, territory: Territory) -> str:
    parts = [_("Atelier du territoire « %(territory)s ».", territory=territory.name)]
    if workshop.status == "cancelled":
        parts.append(_("Cet atelier est annulé."))
        if workshop.cancel_reason:
            parts.append(_("Motif : %(reason)s", reason=workshop.cancel_reason))
    parts.append(_("Ordre du jour :") + "\n" + "\n".join(agenda_lines(workshop, reader)))
    if workshop.online_url:
        parts.append(_("En ligne : %(url)s", url=workshop.online_url))
    parts.append(_("Page de l'atelier : %(url)s", url=page_url(workshop, territory)))
    return "\n\n".join(parts)
