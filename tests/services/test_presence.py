"""What a live connection may do in a territory, called on the services directly (as the
Socket.IO handlers, a command or a test would): join with a catch-up, then show a workshop;
and what a catch-up replays, for each reader."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Connection
from concert.schemas import events as schemas
from concert.services import (
    amendments, channels, commitments, contract, events, facilitation, posts, presence,
    territories, workshops,
)
from concert.services.access import access
from concert.services.accounts import find_user
from concert.services.errors import Conflict, Invalid
from concert.schemas.workspace import BodyInput, ChannelInput, PostInput
from concert.schemas.workshops import DotInput, VoteInput, WorkshopInput
from concert.schemas.facilitation import DeclineInput, MeasurementInput, PromotionInput
from concert.schemas.contract import SectionInput, VersionInput
from concert.schemas.evaluation import AmendmentInput
from concert.schemas.territories import PhaseInput

SLUG = "metropole"


def who(person):
    return access(find_user(person.email), SLUG)


@pytest.mark.parametrize("after_seq", ["3", True, 1.5, 2**70, -10**30])
def test_a_bad_after_seq_is_refused_before_joining_anything(world, after_seq):
    with pytest.raises(Invalid) as refused:
        presence.join(who(world.actor), "sid-1", after_seq)
    assert refused.value.field == "after_seq"
    assert not db.session.info.get("after_commit")  # no room to enter, nothing to announce
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0


def test_join_enters_the_territory_and_catches_up(world):
    general = channels.list_channels(who(world.facilitator))[0].id
    first, _ = posts.create_post(who(world.facilitator), PostInput(channel=general, kind="need",
                                                                   body="Un besoin"))

    joined = presence.join(who(world.actor), "sid-1", 0)
    assert joined["seq"] == first.seq and joined["more"] is False
    assert [json.loads(text)["data"]["id"] for text in joined["missed"]] == [first.id]
    assert world.actor.name in [p["name"] for p in joined["presence"]]
    assert presence.join(who(world.actor), "sid-1", None)["missed"] == []


def test_a_workshop_page_is_shown_after_join_only(world):
    general = channels.list_channels(who(world.facilitator))[0].id
    workshop = workshops.create(who(world.facilitator), WorkshopInput(**{
        "title": "Atelier", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Tour de table", "minutes": 10, "channel": general}]}))
    with pytest.raises(Conflict):
        workshops.enter(who(world.actor), workshop.id, "sid-1")
    db.session.rollback()

    presence.join(who(world.actor), "sid-1", None)
    present = workshops.enter(who(world.actor), workshop.id, "sid-1")
    assert [p["name"] for p in present] == [world.actor.name]


def test_every_catch_up_matches_the_event_models_for_every_reader(world):
    """Each reader's catch-up is worded for them (quoted posts of hidden channels lose their
    words): every wording must still be an event as the models define it."""
    anim, actor = who(world.facilitator), who(world.actor)
    general = channels.list_channels(anim)[0].id
    state = channels.create_channel(anim, ChannelInput(
        name="État", restricted_to=["prefecture", "police_nationale"])).id
    need, _ = posts.create_post(actor, PostInput(channel=general, kind="need",
                                                 body="Éclairer le parvis"))
    proposal, _ = posts.create_post(actor, PostInput(channel=general, kind="proposal",
                                                     body="Des patrouilles"))
    secret, _ = posts.create_post(anim, PostInput(channel=state, kind="need", body="Renseignement"))
    posts.toggle_support(anim, need.id)
    posts.edit_post(actor, proposal.id, BodyInput(body="Des patrouilles à pied"))
    promoted = facilitation.promote(anim, PromotionInput(**{
        "title": "Engagement", "party": "etat", "source_posts": [need.id, secret.id],
        "indicators": [{"name": "Soirées"}]}))
    commitments.add_measurement(anim, promoted.id, promoted.indicators[0].id,
                                MeasurementInput(date="2026-11-02", value=3))
    facilitation.decline(anim, proposal.id, DeclineInput(reason="Hors sujet"))
    facilitation.reopen(anim, proposal.id)
    workshop = workshops.create(anim, WorkshopInput(**{
        "title": "Atelier", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Priorités", "minutes": 20}]}))
    workshops.start(anim, workshop.id)
    vote = workshops.open_vote(anim, workshop.id, VoteInput(posts=[need.id, proposal.id]))
    workshops.place_dot(actor, workshop.id, vote.id, DotInput(post=proposal.id))
    workshops.close(anim, workshop.id)
    contract.freeze(anim, VersionInput(note="Première version"))
    territories.set_phase(anim, PhaseInput(phase="signed"))
    contract.set_section(anim, "governance", SectionInput(body="Un COPIL par an."))
    amendments.freeze(anim, AmendmentInput())
    posts.delete_post(actor, proposal.id)

    seen = set()
    for person in (world.facilitator, world.actor, world.actors[1], world.observer):
        membership = who(person).membership
        for message in events.missed(membership, 0):
            schemas.check_event(message)
            seen.add(message["type"])
        assert [json.loads(text) for text in events.missed_json(membership, 0)] == \
            events.missed(membership, 0)
    assert seen == set(schemas.STORED) - {"workshop.agenda"}
