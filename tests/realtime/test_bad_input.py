"""Finding 5 on Socket.IO: bad input gets an `{ok: false, error}` ack, and a refused
`join` leaves no presence row and no room behind."""
from __future__ import annotations

import sqlalchemy as sa

from concert.db import db
from concert.models import Connection, Post

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


def test_inputs_that_do_not_match_their_model_get_an_invalid_ack_naming_the_field(
        connect, world, general):
    live = connect(world.actor)
    refused = live.join(world.slug, after_seq="3")
    assert refused["ok"] is False and refused["error"]["field"] == "after_seq", refused
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0
    assert live.join(world.slug)["ok"]
    post = {"territory": world.slug, "channel": general, "kind": "message", "body": "Bonjour",
            "client_id": new_id()}
    for event, data, field in [
            ("post", {**post, "channel": "général"}, "channel"),
            ("post", {**post, "kind": "rumeur"}, "kind"),
            ("post", {**post, "body": ["Bonjour"]}, "body"),
            ("post", {key: value for key, value in post.items() if key != "kind"}, "kind"),
            ("typing", {"territory": world.slug, "channel": True}, "channel"),
            ("workshop", {"territory": world.slug, "workshop": 1, "present": "non"},
             "present"),
            ("join", {"territory": 7}, "territory")]:
        ack = live.call(event, data)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", (event, data, ack)
        assert ack["error"]["field"] == field, (event, data, ack)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
