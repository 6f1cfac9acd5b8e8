"""Finding 5: a lone surrogate in a JSON body answers the SPEC error shape, never a 500,
and stores nothing."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Channel, Post

LONE = '"x\\ud800"'  # JSON text: a valid escape, an unencodable string


@pytest.mark.parametrize("field", ["body", "client_id"])
def test_a_lone_surrogate_in_a_post_is_a_4xx(client, world, field):
    channel = db.session.scalar(sa.select(Channel.id).order_by(Channel.id))
    fields = {"channel": str(channel), "kind": '"message"', "body": '"Bonjour"',
              "client_id": '"abc"', field: LONE}
    raw = "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"
    answer = client.post(f"/api/v1/territories/{world.slug}/posts", data=raw,
                         content_type="application/json", headers=world.actor.bearer())
    assert 400 <= answer.status_code < 500
    assert answer.json["error"]["code"] == "invalid_text"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_a_lone_surrogate_anywhere_in_a_json_body_is_a_4xx(client, world):
    answer = client.post("/api/v1/tokens", data='{"email": ' + LONE + ', "password": "x"}',
                         content_type="application/json")
    assert answer.status_code == 422 and answer.json["error"]["code"] == "invalid_text"


def test_posting_is_rate_limited_per_person(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "POSTS_PER_MINUTE", 2)
    channel = db.session.scalar(sa.select(Channel.id).order_by(Channel.id))
    url = f"/api/v1/territories/{world.slug}/posts"
    answers = [client.post(url, json={"channel": channel, "kind": "message", "body": f"n°{n}",
                                      "client_id": f"c{n}"}, headers=world.actor.bearer())
               for n in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json["error"]["code"] == "rate_limited"
    # The same client_id again is still the first post, not a refusal.
    again = client.post(url, json={"channel": channel, "kind": "message", "body": "n°0",
                                   "client_id": "c0"}, headers=world.actor.bearer())
    assert again.status_code in (200, 201) and again.json["id"] == answers[0].json["id"]
