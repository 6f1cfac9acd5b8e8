"""What a live connection may do in a territory, called on the services directly (as the
Socket.IO handlers, a command or a test would): join with a catch-up, then show a workshop."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Connection
from concert.services import channels, posts, presence, workshops
from concert.services.access import access
from concert.services.accounts import find_user
from concert.services.errors import Conflict, Invalid

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
    first, _ = posts.create_post(who(world.facilitator), general, "need", "Un besoin")

    joined = presence.join(who(world.actor), "sid-1", 0)
    assert joined["seq"] == first.seq and joined["more"] is False
    assert [json.loads(text)["data"]["id"] for text in joined["missed"]] == [first.id]
    assert world.actor.name in [p["name"] for p in joined["presence"]]
    assert presence.join(who(world.actor), "sid-1", None)["missed"] == []


def test_a_workshop_page_is_shown_after_join_only(world):
    general = channels.list_channels(who(world.facilitator))[0].id
    workshop = workshops.create(who(world.facilitator), {
        "title": "Atelier", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Tour de table", "minutes": 10, "channel": general}]})
    with pytest.raises(Conflict):
        workshops.enter(who(world.actor), workshop.id, "sid-1")
    db.session.rollback()

    presence.join(who(world.actor), "sid-1", None)
    present = workshops.enter(who(world.actor), workshop.id, "sid-1")
    assert [p["name"] for p in present] == [world.actor.name]
