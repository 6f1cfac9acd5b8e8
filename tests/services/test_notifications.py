"""Notifications, on the services directly, on SQLite and PostgreSQL: who gets each kind,
the audience rule (restricted channels, removed members, never the author), preferences,
reading, and the mails they become (immediate and digests) through the real SMTP server."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Digest, Notification, utcnow
from concert.schemas.contract import VersionInput
from concert.schemas.facilitation import (
    CommitmentInput, DeclineInput, MeasurementInput, MergeInput, PromotionInput,
)
from concert.schemas.notifications import MarkRead, NotificationsQuery, PreferencesInput
from concert.schemas.territories import PhaseInput
from concert.schemas.workshops import CancelInput, WorkshopInput, WorkshopPatch
from concert.schemas.workspace import BodyInput, ChannelChanges, ChannelInput, PostInput
from concert.services import (
    accounts, channels, commitments, contract, facilitation, mail, members, notifications, posts,
    territories, workshops,
)
from tests.conftest import as_
from tests.services.conftest import contribute

pytestmark = pytest.mark.usefixtures("french")


def user(person):
    return accounts.find_user(person.email)


def got(person, type_: str | None = None) -> list[dict]:
    """What `person` reads in their list, oldest first (only of `type_` if given)."""
    items = [notifications.serialise(n, t) for n, t in
             notifications.list_for(user(person), NotificationsQuery())]
    return [i for i in reversed(items) if type_ is None or i["type"] == type_]


def rows(type_: str) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.type == type_)))


def reply(person, parent, body="Réponse", **extra):
    post, _ = posts.create_post(as_(person), PostInput(
        channel=parent.channel_id, kind="message", body=body, reply_to=parent.id, **extra))
    return post


@pytest.fixture
def state_channel(world) -> int:
    """Restricted to the préfecture and the police nationale."""
    return channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"])).id


# --- posts ---------------------------------------------------------------------------------

def test_a_reply_notifies_the_author_of_the_message_it_answers(world):
    police, bailleur = world.actors
    parent = contribute(police, "message", "Qui a les chiffres des gares ?")
    answer = reply(bailleur, parent, "Nous les avons, je les partage demain.")
    [item] = got(police, "post.reply")
    assert item["territory"] == world.slug and not item["read"]
    assert item["data"]["post"] == answer.id and item["data"]["author"] == bailleur.name
    assert "partage demain" in item["data"]["excerpt"]
    assert f"#post-{answer.id}" in item["data"]["url"]
    assert got(bailleur) == [] and got(world.facilitator) == []
    reply(police, parent, "Merci !")  # answering in my own thread tells me nothing
    assert len(got(police, "post.reply")) == 1
    reply(world.facilitator, answer, "Je relaie.")  # answering the answer: both hear of it
    assert len(got(police, "post.reply")) == 2 and len(got(bailleur, "post.reply")) == 1


def test_mentions_reach_members_who_see_the_channel_never_the_author(world, state_channel):
    police, bailleur = world.actors
    post = contribute(police, "message", "Point sensible sur les stupéfiants",
                      channel=state_channel)
    made = notifications.notify_mentions(post, [world.facilitator.id, bailleur.id, police.id,
                                                world.outsider.id, world.observer.id])
    db.session.commit()
    assert made == 1  # the bailleur and the parquet cannot see the channel; the author is me
    assert [i["data"]["post"] for i in got(world.facilitator, "post.mention")] == [post.id]
    for person in (bailleur, police, world.outsider, world.observer):
        assert got(person) == []
    assert "stupéfiants" not in str([n.data for n in rows("post.mention")
                                     if n.user_id != world.facilitator.id])


def test_writing_a_mention_notifies_and_an_edit_only_the_newly_mentioned(world):
    """The post service reads the mentions (services/mentions) and notifies them."""
    police, bailleur = world.actors
    post = contribute(police, "message", f"@{bailleur.name} avez-vous le plan des caméras ?")
    [item] = got(bailleur, "post.mention")
    assert item["data"]["post"] == post.id and "plan des caméras" in item["data"]["excerpt"]
    posts.edit_post(as_(police), post.id, BodyInput(
        body=f"@{bailleur.name} et @{world.facilitator.name} : le plan des caméras ?"))
    assert len(got(bailleur, "post.mention")) == 1
    assert [i["data"]["post"] for i in got(world.facilitator, "post.mention")] == [post.id]
    assert got(police) == []


def test_a_mention_in_a_reply_does_not_notify_the_replied_to_twice(world):
    police, bailleur = world.actors
    parent = contribute(police, "message", "Question")
    answer = reply(bailleur, parent, "@Paul Police réponse")
    notifications.notify_mentions(answer, [police.id, world.facilitator.id])
    db.session.commit()
    assert [i["type"] for i in got(police)] == ["post.reply"]
    assert [i["type"] for i in got(world.facilitator)] == ["post.mention"]


def test_a_channel_restricted_later_hides_what_was_notified(world):
    police, bailleur = world.actors
    parent = contribute(bailleur, "message", "Horaires des rondes")
    reply(police, parent, "Rondes de nuit renforcées")
    assert len(got(bailleur)) == 1
    channels.update_channel(as_(world.facilitator), parent.channel_id, ChannelChanges(
        restricted_to=["police_nationale"]))
    assert got(bailleur) == []
    assert notifications.unread_count(user(bailleur)) == 0


def test_a_removed_member_gets_nothing_more(world):
    police, bailleur = world.actors
    parent = contribute(bailleur, "message", "Message")
    reply(police, parent)
    membership = members.list_members(as_(world.facilitator))
    leaving = next(m for m in membership if m.user_id == bailleur.id)
    members.remove_member(as_(world.facilitator), leaving.id)
    assert rows("post.reply") == []
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="concertation"))
    assert {n.user_id for n in rows("territory.phase")} == {
        police.id, world.observer.id}  # not the facilitator who changed it, not the removed


def test_deleting_a_post_removes_its_words_from_notifications(world):
    police, bailleur = world.actors
    parent = contribute(bailleur, "message", "Message")
    answer = reply(police, parent, "Texte à retirer")
    posts.delete_post(as_(police), answer.id)
    assert got(bailleur) == []


# --- decisions on contributions ------------------------------------------------------------

def test_promoted_merged_declined_tell_the_author_with_the_reason(world):
    police, bailleur = world.actors
    kept = contribute(police, "need", "Éclairage du parvis de la gare")
    duplicate = contribute(bailleur, "need", "Éclairer le parvis")
    declined = contribute(bailleur, "proposal", "Fermer la gare la nuit")
    fac = as_(world.facilitator)
    commitment = facilitation.promote(fac, PromotionInput(
        title="Éclairage du parvis", party="collectivite", source_posts=[kept.id]))
    facilitation.merge(fac, duplicate.id, MergeInput(into=kept.id))
    facilitation.decline(fac, declined.id, DeclineInput(reason="Hors du champ du contrat"))
    [promoted] = got(police, "contribution.promoted")
    assert promoted["data"]["commitments"][0]["id"] == commitment.id
    assert [i["type"] for i in got(bailleur)] == ["contribution.merged",
                                                  "contribution.declined"]
    assert got(bailleur)[1]["data"]["reason"] == "Hors du champ du contrat"
    with_reason = notifications.describe("contribution.declined", got(bailleur)[1]["data"])
    assert "Hors du champ du contrat" in with_reason and "Fermer la gare" in with_reason


# --- commitments, workshops, contract, phase -------------------------------------------------

def test_commitment_status_and_measurement_reach_its_pilot_and_partners(world):
    police, bailleur = world.actors
    source = contribute(bailleur, "need", "Patrouilles aux abords")
    fac = as_(world.facilitator)
    commitment = facilitation.promote(fac, PromotionInput(
        title="Patrouilles communes", party="etat", pilot="DDSP 13", partners=["habitat 13"],
        indicators=[{"name": "Patrouilles", "unit": "par mois", "baseline": 0, "target": 8}],
        source_posts=[source.id]))
    commitments.update(fac, commitment.id, CommitmentInput(status="validated"))
    commitments.update(fac, commitment.id, CommitmentInput(title="Patrouilles conjointes"))
    indicator = commitment.indicators[0].id
    commitments.add_measurement(fac, commitment.id, indicator,
                                MeasurementInput(date="2027-02-01", value=4))
    for person in (police, bailleur):
        assert [i["type"] for i in got(person) if i["type"].startswith("commitment")] == [
            "commitment.status", "commitment.measurement"]
    assert got(police)[-1]["data"]["value"] == 4
    assert got(world.observer) == []


def test_a_measurement_due_is_announced_once_to_the_pilot_s_members(world):
    """services/evaluation says which indicators are due; the daily round tells the pilot's
    members once per due date, and again only when the next period falls due."""
    police, bailleur = world.actors
    fac = as_(world.facilitator)
    commitment = facilitation.promote(fac, PromotionInput(
        title="Patrouilles communes", party="etat", pilot="DDSP 13", partners=["habitat 13"],
        start_date="2027-01-01", indicators=[{"name": "Patrouilles", "unit": "par mois",
                                              "baseline": 0, "target": 8,
                                              "frequency": "quarterly"}]))
    assert notifications.remind_due_measurements(date(2027, 6, 1)) == 0  # a draft: none
    commitments.update(fac, commitment.id, CommitmentInput(status="validated"))
    assert notifications.remind_due_measurements(date(2027, 3, 31)) == 0  # not due yet
    assert notifications.remind_due_measurements(date(2027, 4, 2)) == 1
    assert notifications.remind_due_measurements(date(2027, 4, 3)) == 0
    [item] = got(police, "commitment.measurement_due")
    assert item["data"]["due_on"] == "2027-04-01" and item["data"]["name"] == "Patrouilles"
    assert "Mesure attendue" in notifications.describe(item["type"], item["data"])
    # The partners and the facilitators do not record the measurements.
    assert got(bailleur, item["type"]) == [] == got(world.facilitator, item["type"])
    commitments.add_measurement(as_(police), commitment.id, commitment.indicators[0].id,
                                MeasurementInput(date="2027-04-10", value=3))
    assert notifications.remind_due_measurements(date(2027, 5, 1)) == 0
    assert notifications.remind_due_measurements(date(2027, 7, 10)) == 1


def test_workshop_planned_changed_cancelled_reach_the_invited(world):
    police, _bailleur = world.actors
    fac = as_(world.facilitator)
    workshop = workshops.create(fac, WorkshopInput(
        title="Atelier gares", starts_at="2030-12-03T14:00", invited=["DDSP 13"], place="Gare",
        agenda=[{"title": "Tour de table", "minutes": 10}]))
    workshops.update(fac, workshop.id, WorkshopPatch(place="Mairie"))
    workshops.cancel(fac, workshop.id, CancelInput(reason="Grève"))
    assert [i["type"] for i in got(police)] == [
        "workshop.planned", "workshop.changed", "workshop.cancelled"]
    assert got(world.observer) == []
    # The calendar invitation is their mail: no second one.
    assert not any(n.mail_pending for n in rows("workshop.planned"))


def test_contract_version_and_phase_reach_every_member_but_the_author(world):
    fac = as_(world.facilitator)
    contract.freeze(fac, VersionInput(note="Pour relecture"))
    territories.set_phase(fac, PhaseInput(phase="drafting"))
    everyone = {world.actors[0].id, world.actors[1].id, world.observer.id}
    assert {n.user_id for n in rows("contract.version")} == everyone
    assert {n.user_id for n in rows("territory.phase")} == everyone
    assert got(world.outsider) == []


# --- reading, preferences ----------------------------------------------------------------------

def test_marking_read_touches_only_my_own(world):
    police, bailleur = world.actors
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="drafting"))
    mine = got(police)[0]["id"]
    theirs = got(bailleur)[0]["id"]
    assert notifications.mark_read(user(police), MarkRead(ids=[mine, theirs])) == 1
    assert got(police)[0]["read"] and not got(bailleur)[0]["read"]
    assert notifications.list_for(user(police), NotificationsQuery(unread="1")) == []
    assert notifications.mark_read(user(bailleur), MarkRead(all=True)) == 1
    assert notifications.unread_count(user(bailleur)) == 0


def test_preferences_default_and_change(world):
    police = user(world.actor)
    assert notifications.preferences(police) == notifications.DEFAULT_FREQUENCIES
    chosen = notifications.set_preferences(police, PreferencesInput(
        notifications={"reply": "weekly", "phase": "never"}))
    assert chosen["reply"] == "weekly" and chosen["phase"] == "never"
    assert chosen["mention"] == "immediate"
    parent = contribute(world.actor, "message", "Question")
    reply(world.actors[1], parent)
    assert not rows("post.reply")[0].mail_pending  # weekly: in the digest, not at once


# --- mail -------------------------------------------------------------------------------------

def test_an_immediate_notification_is_mailed_once_in_the_recipients_language(world, smtp):
    police, bailleur = world.actors
    accounts.find_user(police.email).locale = "en"
    db.session.commit()
    parent = contribute(police, "message", "Who has the station figures?")
    reply(bailleur, parent, "We do, sharing tomorrow.")
    assert notifications.mail_due() == 1
    assert notifications.mail_due() == 0  # once
    mail.deliver_due()
    [received] = smtp.wait_for(1)
    message = received.message
    assert received.recipients == [police.email]
    assert message["Content-Language"] == "en"
    assert "replied to your message" in received.part("plain")
    assert "sharing tomorrow" in received.part("html")
    assert "Change your preferences" in received.part("html")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http")


def test_the_one_click_post_unsubscribes_without_cookie(world, smtp, app):
    police, bailleur = world.actors
    parent = contribute(police, "message", "Question")
    reply(bailleur, parent, "Réponse")
    notifications.mail_due()
    mail.deliver_due()
    [received] = smtp.wait_for(1)
    url = received.message["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = app.test_client()  # no session, no CSRF token
    answer = client.post("/" + path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert notifications.preferences(user(police))["reply"] == "never"
    assert client.post("/notifications/unsubscribe/forged").status_code == 404


def test_no_mail_once_the_reader_may_no_longer_see_it(world, smtp):
    police, bailleur = world.actors
    parent = contribute(bailleur, "message", "Rondes de nuit")
    reply(police, parent, "Mot sensible")
    channels.update_channel(as_(world.facilitator), parent.channel_id, ChannelChanges(
        restricted_to=["police_nationale"]))
    assert notifications.mail_due() == 0


def test_the_daily_digest_gathers_each_territory_once(world, smtp, state_channel):
    police, bailleur = world.actors
    contribute(police, "need", "Mot restreint confidentiel", channel=state_channel)
    contribute(police, "proposal", "Vidéoprotection du parvis")
    declined = contribute(police, "need", "Fermer la place")
    facilitation.decline(as_(world.facilitator), declined.id, DeclineInput(reason="Trop tôt"))
    workshops.create(as_(world.facilitator), WorkshopInput(
        title="Atelier parvis", starts_at=(utcnow() + timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"), invited=["Habitat 13"], place="Mairie",
        agenda=[{"title": "Tour de table", "minutes": 10}]))
    now = utcnow() + timedelta(minutes=1)
    sent = notifications.send_digests("daily", now)
    assert sent >= 2
    assert notifications.send_digests("daily", now) == 0  # once per person and day
    mail.deliver_due()
    by_recipient = {r.recipients[0]: r for r in smtp.wait_for(sent)}
    text = by_recipient[bailleur.email].part("plain")
    assert "Métropole test" in text and "Vidéoprotection du parvis" in text
    assert "Trop tôt" in text and "Atelier parvis" in text
    assert "confidentiel" not in text and "confidentiel" not in by_recipient[
        bailleur.email].part("html")
    assert "confidentiel" in by_recipient[world.facilitator.email].part("plain")
    assert by_recipient[bailleur.email].message["List-Unsubscribe-Post"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Digest)) >= sent


def test_the_daily_round_reminds_once_a_day(world, monkeypatch):
    """run_due comes every minute; the reminders of due measurements go once a day."""
    calls = []
    monkeypatch.setattr(notifications, "remind_due_measurements", calls.append)
    monkeypatch.setattr(notifications, "_reminded", {})
    morning = datetime(2027, 4, 2, 8, 0, tzinfo=timezone.utc)  # 10:00 in Paris
    for minutes in (0, 1, 2):
        notifications.run_due(morning + timedelta(minutes=minutes))
    notifications.run_due(morning + timedelta(days=1))
    assert calls == [date(2027, 4, 2), date(2027, 4, 3)]
