"""Finding 5 on Socket.IO: bad input gets an `{ok: false, error}` ack, and a refused
`join` leaves no presence row and no room behind."""
from __future__ import annotations

import sqlalchemy as sa

from concert.db import db
from concert.models import Connection

from .conftest import new_id


def test_a_lone_surrogate_in_a_socket_post_gets_an_error_ack(connect, world, general):
    live = connect(world.actor)
    assert live.join(world.slug)["ok"]
    for field in ("body", "client_id"):
        ack = live.call("post", {"territory": world.slug, "channel": general,
                                 "kind": "message", "body": "Bonjour", "client_id": new_id(),
                                 field: "x\ud800"})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid_text", ack


def test_a_huge_after_seq_is_refused_before_joining(connect, world, general):
    live = connect(world.actor)
    ack = live.join(world.slug, after_seq=-10**30)
    assert ack["ok"] is False and ack["error"]["field"] == "after_seq", ack
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0
    # Nor did it enter the territory's rooms: a post there does not reach it.
    other = connect(world.facilitator)
    assert other.join(world.slug)["ok"]
    assert other.post(world.slug, general, "repère")["ok"]
    other.wait_event("post.created")
    assert live.events == []
