"""Finding 3: a socket lives no longer than the credential it was opened with, nor than its
owner's membership, joined to a territory or not."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import socketio
import sqlalchemy as sa

from concert.db import db
from concert.models import ApiToken, LoginSession, utcnow

from .conftest import cookie_of, new_id


def test_revoking_a_token_closes_its_sockets_joined_or_not(server, world, api, connect, general):
    idle, joined = connect(world.actor), connect(world.actor)
    assert joined.join(world.slug)["ok"]
    other = api(world.actor).post("/tokens", json={"email": world.actor.email,
                                                   "password": world.actor.password})
    token_id = db.session.scalar(sa.select(ApiToken.id).where(
        ApiToken.user_id == world.actor.id).order_by(ApiToken.id))
    answer = requests.delete(f"{server.url}/api/v1/tokens/{token_id}", timeout=30,
                             headers={"Authorization": f"Bearer {other.json()['token']}"})
    assert answer.status_code == 204
    assert idle.wait_closed() and joined.wait_closed()


def test_signing_out_closes_the_cookie_sockets(server, world, login, connect, csrf_from):
    browser, cookie = cookie_of(server, world, login)
    live = connect(auth=None, headers={"Cookie": cookie})
    page = browser.get(server.url + "/logout")
    browser.post(server.url + "/logout", data={"csrf_token": csrf_from(page.text)})
    assert live.wait_closed()


def test_an_expired_sign_in_closes_its_sockets(server, world, login, connect):
    _browser, cookie = cookie_of(server, world, login)
    db.session.execute(sa.update(LoginSession).values(expires_at=utcnow() + timedelta(seconds=2)))
    db.session.commit()
    live = connect(auth=None, headers={"Cookie": cookie})
    assert live.wait_closed()


def test_removing_a_member_closes_their_sockets_joined_or_not(server, world, api, connect):
    idle, joined = connect(world.actor), connect(world.actor)
    assert joined.join(world.slug)["ok"]
    membership = next(m for m in api(world.facilitator).get(
        f"/territories/{world.slug}/members").json()["items"]
        if m["user"]["id"] == world.actor.id)
    answer = api(world.facilitator).delete(f"/territories/{world.slug}/members/{membership['id']}")
    assert answer.status_code == 204
    assert idle.wait_closed() and joined.wait_closed()


def test_each_event_rechecks_the_credential(server, world, connect, general):
    """Even if the closing never arrived: a revoked token's socket is answered 401."""
    live = connect(world.actor)
    assert live.join(world.slug)["ok"]
    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    ack = live.post(world.slug, general, "après révocation", client_id=new_id())
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    assert live.wait_closed()


def test_an_expiring_token_closes_its_sockets_and_opens_no_more(server, world, connect, api):
    connect(world.actor)  # issues the actor's token
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() + timedelta(seconds=2)))
    db.session.commit()
    live = connect(world.actor)
    assert live.join(world.slug)["ok"]
    assert live.wait_closed()  # by the server's timer: no event was needed
    assert api(world.actor).get("/me").status_code == 401
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(world.actor, label="after expiry")


def test_each_event_rechecks_the_token_expiry(server, world, connect, general):
    live = connect(world.actor)
    assert live.join(world.slug)["ok"]
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    ack = live.post(world.slug, general, "après expiration", client_id=new_id())
    assert ack["ok"] is False and ack["error"]["code"] == "unauthorized"
    assert live.wait_closed()
