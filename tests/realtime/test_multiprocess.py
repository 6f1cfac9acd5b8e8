"""Two `concert run` processes on one PostgreSQL database, delivering each other's events
through a Redis message queue (CONCERT_MESSAGE_QUEUE)."""
from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter

import pytest
import redis
import socketio
import sqlalchemy as sa

from concert.db import db
from concert.models import Event

from .conftest import CHANNEL, WAIT, Live, PrivateRedis, fence, new_id, presence_of

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("multiprocess")]  # one pair of servers

SLUG = "metropole"
POSTS_PER_CLIENT = 20
API_POSTS_PER_SERVER = 3
@pytest.fixture(scope="module")
def message_queue(tmp_path_factory):
    """A Redis URL for this test run alone. Redis pub/sub ignores the database number, and
    room names repeat between test runs (territory ids restart at 1): servers of two runs
    sharing a Redis would deliver each other's events. So a private redis-server when
    there is one; CONCERT_TEST_REDIS_URL chooses another."""
    if url := os.environ.get("CONCERT_TEST_REDIS_URL"):
        yield url
        return
    if shutil.which("redis-server") is None:
        yield "redis://127.0.0.1:6379/0"
        return
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def pair(request, database_url, instance_path, base):
    """Two servers on the same PostgreSQL database and the same Redis channel."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share a PostgreSQL database")
    message_queue = request.getfixturevalue("message_queue")
    servers = []
    try:
        for _ in range(2):
            servers.append(base.Server(database_url, instance_path,
                                       CONCERT_MESSAGE_QUEUE=message_queue))
        for server in servers:
            # A process subscribes at its first Engine.IO connection, even a refused one.
            with pytest.raises(socketio.exceptions.ConnectionError):
                Live("wake-up").sio.connect(server.url, transports=["websocket"],
                                            wait_timeout=WAIT)
        queue = redis.Redis.from_url(message_queue)
        deadline = time.monotonic() + WAIT
        while queue.pubsub_numsub(CHANNEL)[0][1] < 2:  # both listen on the one channel
            assert time.monotonic() < deadline, queue.pubsub_numsub(CHANNEL)
            time.sleep(0.1)
        queue.close()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def cluster(pair, world):
    return pair


@pytest.fixture
def general(cluster, base, world) -> int:
    items = base.Api(cluster[0].url, world.facilitator).get(
        f"/territories/{SLUG}/channels").json()["items"]
    return items[0]["id"]


def on(server, sockets, person, slug=SLUG) -> Live:
    live = sockets(server.url, person, label=f"{person.name} @{server.port}")
    assert live.join(slug)["ok"]
    return live


def stored_posts(base, server, person) -> list[dict]:
    """Every post of the territory, in database (seq) order."""
    answer = base.Api(server.url, person).get(f"/territories/{SLUG}/posts",
                                              params={"after_seq": 0, "limit": 200})
    assert answer.status_code == 200
    return answer.json()["items"]


def test_clients_on_two_servers_all_get_every_post_once_in_seq_order(
        cluster, sockets, base, world, general):
    extra = [base.join(SLUG, f"extra{n}@example.org", f"Acteur {n}", "actor",
                       f"Commune {n}", "commune") for n in range(3)]
    one, two = cluster
    people = [(one, world.facilitator), (one, world.actors[0]), (one, extra[0]),
              (two, world.actors[1]), (two, extra[1]), (two, extra[2])]
    clients = [on(server, sockets, person) for server, person in people]
    api_posters = [base.Api(one.url, world.facilitator), base.Api(two.url, extra[2])]
    acks: dict[str, list[dict]] = {live.label: [] for live in clients}
    through_api: list[dict] = []
    start = threading.Barrier(len(clients) + len(api_posters))

    def post_by_socket(live: Live) -> None:
        start.wait()
        for n in range(POSTS_PER_CLIENT):
            acks[live.label].append(live.post(SLUG, general, f"{live.label} n°{n}"))

    def post_by_api(poster) -> None:
        start.wait()
        for n in range(API_POSTS_PER_SERVER):
            answer = poster.post(f"/territories/{SLUG}/posts", json={
                "channel": general, "kind": "need", "body": f"Par l'API n°{n}",
                "client_id": new_id()})
            through_api.append(answer.json() if answer.status_code == 201 else answer.text)

    threads = [threading.Thread(target=post_by_socket, args=(live,)) for live in clients]
    threads += [threading.Thread(target=post_by_api, args=(poster,)) for poster in api_posters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    total = len(clients) * POSTS_PER_CLIENT + len(api_posters) * API_POSTS_PER_SERVER
    refused = [a for answers in acks.values() for a in answers if not a.get("ok")]
    assert refused == [] and all(isinstance(p, dict) for p in through_api), (refused,
                                                                              through_api)
    stored = stored_posts(base, two, world.observer)
    assert len(stored) == total
    stored_ids = [p["id"] for p in stored]
    assert {p["id"] for p in through_api} <= set(stored_ids)
    first = stored[0]["seq"]
    assert [p["seq"] for p in stored] == list(range(first, first + total))
    db.session.rollback()  # a fresh snapshot
    logged = db.session.execute(sa.select(Event.seq, Event.post_id).order_by(Event.id)).all()
    assert logged == [(p["seq"], p["id"]) for p in stored]  # written in seq order

    for live in clients:
        live.wait_for(lambda events: sum(e["type"] == "post.created" for e in events) >= total)
        created = live.of("post.created")
        assert Counter(e["data"]["id"] for e in created) == Counter(stored_ids), live.label
        by_seq = sorted(created, key=lambda e: e["seq"])
        assert [e["seq"] for e in by_seq] == list(range(first, first + total)), live.label
        assert [e["data"]["id"] for e in by_seq] == stored_ids, live.label
        assert {(a["post"]["id"], a["post"]["seq"]) for a in acks[live.label]} <= {
            (e["data"]["id"], e["seq"]) for e in created}
    assert all(len(answers) == POSTS_PER_CLIENT for answers in acks.values())


def test_a_client_that_leaves_one_server_catches_up_on_the_other(
        cluster, sockets, base, world, general):
    one, two = cluster
    away = on(one, sockets, world.actors[1])
    witness = on(one, sockets, world.observer)
    writers = [on(two, sockets, world.actors[0]), on(two, sockets, world.facilitator)]
    before = writers[0].post(SLUG, general, "Avant la coupure")["post"]
    last_seq = away.wait_event("post.created", id=before["id"])["seq"]
    away.sio.disconnect()

    def write(live: Live) -> None:
        for n in range(5):
            assert live.post(SLUG, general, f"{live.label} pendant la coupure {n}")["ok"]

    threads = [threading.Thread(target=write, args=(live,)) for live in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    by_api = base.Api(two.url, world.facilitator)
    need = by_api.post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "need", "body": "Besoin pendant la coupure",
        "client_id": new_id()}).json()
    assert base.Api(two.url, world.actors[0]).patch(
        f"/posts/{before['id']}", json={"body": "Corrigé pendant la coupure"}).ok
    witness.wait_event("post.updated", id=before["id"])

    back = sockets(two.url, world.actors[1], label="back @two")
    answer = back.join(SLUG, after_seq=last_seq)
    assert answer["ok"]
    missed = answer["missed"]
    assert [e["seq"] for e in missed] == list(range(last_seq + 1, last_seq + 13))
    assert Counter(e["type"] for e in missed) == {"post.created": 11, "post.updated": 1}
    assert missed[-1]["data"]["id"] == before["id"] and need["id"] in [
        e["data"]["id"] for e in missed]
    assert answer["seq"] == missed[-1]["seq"]
    seen_live = {e["seq"]: e for e in witness.events if e["seq"] is not None}
    assert missed == [seen_live[e["seq"]] for e in missed]

    # Back on the other server, live delivery from the first one resumes.
    greeting = on(one, sockets, world.facilitator).post(SLUG, general, "Bon retour")["post"]
    assert back.wait_event("post.created", id=greeting["id"])["seq"] == answer["seq"] + 1


def test_a_member_removed_on_one_server_is_evicted_on_the_other(
        cluster, sockets, base, world, general):
    one, two = cluster
    gone = world.actors[1]
    base.join("autre", gone.email, gone.name, "actor", "Habitat 13", "bailleur_social")
    removed = on(two, sockets, gone)
    assert removed.join("autre")["ok"]
    police = on(one, sockets, world.actors[0])
    witness = on(two, sockets, world.observer)
    fence([(police, SLUG, general)], [removed])
    seen = len(removed.events)

    facilitator = base.Api(one.url, world.facilitator)
    membership = next(m for m in facilitator.get(f"/territories/{SLUG}/members").json()["items"]
                      if m["user"]["id"] == gone.id)
    assert facilitator.delete(f"/territories/{SLUG}/members/{membership['id']}").ok
    for other in (police, witness):
        presence_of(other, gone.id, False)
    assert police.post(SLUG, general, "Après le départ")["ok"]
    assert police.typing(SLUG, general)["ok"]
    # Their sockets were closed on the other process too, joined or not (services/presence).
    assert removed.wait_closed()
    assert [e for e in removed.events[seen:] if e["territory"] == SLUG] == []
    again = on(two, sockets, gone, "autre")  # still signed in: their other territory only
    assert again.join(SLUG)["error"]["code"] == "not_found"


def test_revoking_a_token_closes_its_sockets_on_every_process(cluster, sockets, base, world):
    one, two = cluster
    live = sockets(one.url, world.actor)  # not joined
    answer = base.Api(two.url, world.actor).get("/tokens")
    [token] = answer.json()["items"]
    other = base.Api(two.url).post("/tokens", json={"email": world.actor.email,
                                                    "password": world.actor.password})
    answer = base.Api(two.url).session.delete(
        f"{two.url}/api/v1/tokens/{token['id']}", timeout=30,
        headers={"Authorization": f"Bearer {other.json()['token']}"})
    assert answer.status_code == 204
    assert live.wait_closed()
