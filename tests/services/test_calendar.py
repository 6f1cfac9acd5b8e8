"""Workshop invitations as calendar events, delivered to a real SMTP server (aiosmtpd) and
parsed back with `icalendar`: who is invited, one UID, a rising SEQUENCE, the cancelling,
and no channel named to whom may not see it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from concert.services import accounts, channels, mail, workshops
from tests.conftest import as_, client_sign_in
from concert.schemas.workshops import CancelInput, WorkshopInput, WorkshopPatch
from concert.schemas.workspace import ChannelChanges

INVITED = ["DDSP 13", "Bailleur social"]  # an organisation's name, and a kind's label


@pytest.fixture
def general(world) -> int:
    return channels.list_channels(as_(world.facilitator))[0].id


def plan(world, general, **changes):
    data = {"title": "Atelier tranquillité publique", "starts_at": "2026-12-03T14:00",
            "place": "Salle du conseil, préfecture", "invited": INVITED,
            "agenda": [{"title": "Tour de table", "minutes": 10},
                       {"title": "Abords des gares", "minutes": 30, "channel": general}]}
    data.update(changes)
    return workshops.create(as_(world.facilitator), WorkshopInput(**data))


def delivered(smtp) -> dict[str, list]:
    """The workshop mails delivered since the last call, by recipient (the world's own
    invitations aside)."""
    mail.deliver_due()
    by_recipient: dict[str, list] = {}
    for received in smtp.messages:
        if not any(p.get_content_type() == "text/calendar" for p in received.message.walk()):
            continue
        by_recipient.setdefault(received.recipients[0], []).append(received)
    smtp.messages.clear()
    return by_recipient


def event_of(received) -> tuple[Calendar, object]:
    [part] = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["METHOD"])
    [attachment] = [p for p in received.message.iter_attachments()
                    if p.get_filename() == "invitation.ics"]
    assert Calendar.from_ical(attachment.get_content()) == calendar
    return calendar, calendar.walk("VEVENT")[0]


def test_planning_mails_an_invitation_to_the_invited_organisations_members(smtp, world,
                                                                            general):
    workshop = plan(world, general)
    mails = delivered(smtp)
    # DDSP 13 by name, Habitat 13 by its kind's label; not the prefecture, nor the observer.
    assert sorted(mails) == sorted([world.actors[0].email, world.actors[1].email])
    [received] = mails[world.actor.email]
    message = received.message
    assert message["Subject"] == ("Invitation : « Atelier tranquillité publique », "
                                  "jeudi 3 décembre 2026, 14:00")
    assert message["Content-Language"] == "fr" and "<img" not in received.part("html")
    assert "Tour de table (10 min)" in received.part("plain")
    assert "votre organisation (DDSP 13)" in received.part("plain")
    calendar, event = event_of(received)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"workshop-{workshop.id}@localhost"
    assert event["SEQUENCE"] == 0 and str(event["STATUS"]) == "CONFIRMED"
    paris = ZoneInfo("Europe/Paris")
    assert event.decoded("DTSTART") == datetime(2026, 12, 3, 14, 0, tzinfo=paris)
    assert event.decoded("DTEND") == datetime(2026, 12, 3, 14, 40, tzinfo=paris)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert str(event["LOCATION"]) == "Salle du conseil, préfecture"
    assert str(event["ORGANIZER"]) == "mailto:concert@localhost"
    assert str(event["ATTENDEE"]) == f"mailto:{world.actor.email}"
    description = str(event["DESCRIPTION"])
    assert "1. Tour de table (10 min)" in description
    assert "2. Abords des gares (30 min) — canal « " in description
    assert f"/t/metropole/workshops/{workshop.id}" in description


def test_an_edit_updates_the_same_event_and_a_cancel_removes_it(smtp, world, general):
    workshop = plan(world, general)
    [first] = delivered(smtp)[world.actor.email]
    _calendar, created = event_of(first)

    workshops.update(as_(world.facilitator), workshop.id, WorkshopPatch(**{
        "starts_at": "2026-12-03T15:00",
                                                           "invited": ["DDSP 13"]}))
    mails = delivered(smtp)
    [edited] = mails[world.actor.email]
    assert edited.message["Subject"].startswith("Atelier modifié : ")
    calendar, updated = event_of(edited)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert updated["UID"] == created["UID"] and updated["SEQUENCE"] > created["SEQUENCE"]
    assert updated.decoded("DTSTART").hour == 15
    # Habitat 13 is no longer invited: the event leaves its members' calendars.
    [dropped] = mails[world.actors[1].email]
    calendar, removed = event_of(dropped)
    assert str(calendar["METHOD"]) == "CANCEL" and removed["UID"] == created["UID"]

    workshops.cancel(as_(world.facilitator), workshop.id, CancelInput(reason="Salle indisponible"))
    [cancelled] = delivered(smtp)[world.actor.email]
    assert cancelled.message["Subject"] == "Atelier annulé : « Atelier tranquillité publique »"
    assert "Motif : Salle indisponible" in cancelled.part("plain")
    calendar, gone = event_of(cancelled)
    assert str(calendar["METHOD"]) == "CANCEL" and str(gone["STATUS"]) == "CANCELLED"
    assert gone["UID"] == created["UID"] and gone["SEQUENCE"] > updated["SEQUENCE"]


def test_each_invitee_reads_the_mail_in_their_language(smtp, world, general):
    accounts.set_locale(accounts.find_user(world.actor.email), "en")
    plan(world, general)
    received = delivered(smtp)[world.actor.email][0]
    assert received.message["Content-Language"] == "en"
    assert received.message["Subject"].startswith("Invitation: “Atelier tranquillité publique”")
    _calendar, event = event_of(received)
    assert "Agenda:" in str(event["DESCRIPTION"])


def test_no_invitee_reads_the_name_of_a_channel_hidden_from_them(smtp, world, general):
    workshop = plan(world, general)
    delivered(smtp)
    # The agenda's channel becomes restricted to the State's services after planning.
    channels.update_channel(as_(world.facilitator), general, ChannelChanges(
        restricted_to=["prefecture", "police_nationale"]))
    name = channels.get_channel(as_(world.facilitator), general).name
    workshops.update(as_(world.facilitator), workshop.id,
                     WorkshopPatch(**{"title": "Atelier modifié"}))
    mails = delivered(smtp)
    police, bailleur = mails[world.actors[0].email][0], mails[world.actors[1].email][0]
    assert name in str(event_of(police)[1]["DESCRIPTION"]) and name in police.part("plain")
    assert name not in str(event_of(bailleur)[1]["DESCRIPTION"])
    assert name not in bailleur.part("plain") and name not in bailleur.part("html")


def test_members_download_the_event_and_others_cannot(world, general, client):
    workshop = plan(world, general)
    path = f"/t/metropole/workshops/{workshop.id}.ics"
    assert client.get(path).status_code == 302  # to the sign-in page
    client_sign_in(client, world.observer.email)
    answer = client.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = Calendar.from_ical(answer.data)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"workshop-{workshop.id}@localhost"
    page = client.get(f"/t/metropole/workshops/{workshop.id}")
    assert path in page.get_data(as_text=True)
    outsider = client.application.test_client()
    client_sign_in(outsider, world.outsider.email)
    assert outsider.get(path).status_code == 404


def test_a_workshop_title_never_breaks_out_of_a_header(smtp, world, general):
    workshop = plan(world, general, title="Atelier\r\nBcc: victim@evil.example\r\n\r\nX",
                    invited=["DDSP 13"])
    [received] = delivered(smtp)[world.actor.email]
    assert received.recipients == [world.actor.email] and received.message["Bcc"] is None
    assert received.message["Subject"].startswith(
        "Invitation : « Atelier Bcc: victim@evil.example X », ")
    _calendar, event = event_of(received)
    # Within its property, escaped (RFC 5545 TEXT: a line break is written backslash-n).
    assert str(event["SUMMARY"]) == workshop.title.replace("\r\n", "\n")
