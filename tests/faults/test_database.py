"""PostgreSQL stopped and started under two server processes while members post: every
answer meanwhile says "unavailable, try again", and the processes recover by themselves."""
from __future__ import annotations

import time

import pytest
import requests
import sqlalchemy as sa

from .conftest import Writers, new_id, seed, start_servers, stored_once, wait_until

pytestmark = pytest.mark.slow

SLUG = "metropole"


@pytest.fixture
def cluster(private_postgres, private_redis, base, tmp_path):
    people = seed(private_postgres.url, tmp_path)
    servers = start_servers(base, 2, private_postgres.url, tmp_path, private_redis)
    yield servers, people
    for server in servers:
        server.stop()


def health(server) -> requests.Response:
    return requests.get(server.url + "/healthz", timeout=10)


def test_while_the_database_is_stopped_answers_say_unavailable_and_then_all_resumes(
        cluster, private_postgres, base, members):
    (one, two), (facilitator, police, bailleur, observer) = cluster
    api = base.Api(one.url, facilitator)
    general = api.get(f"/territories/{SLUG}/channels").json()["items"][0]["id"]
    people = [members(facilitator, [one.url]), members(police, [one.url]),
              members(bailleur, [two.url]), members(observer, [two.url])]
    with Writers(people[:3], general) as writers:
        wait_until(lambda: writers.count() >= 10, "a few posts before the stop")
        private_postgres.stop()

        answer = health(one)
        assert answer.status_code == 503 and answer.headers["Retry-After"]
        assert answer.json()["status"] == "unavailable"
        assert answer.json()["database"] == "down" and answer.json()["message_queue"] == "ok"
        assert answer.json()["error"]["code"] == "unavailable"
        listing = api.get(f"/territories/{SLUG}/posts")
        assert listing.status_code == 503 and listing.headers["Retry-After"]
        assert listing.json()["error"]["code"] == "unavailable"
        ack = people[3].live.call("post", {"territory": SLUG, "channel": general,
                                           "kind": "message", "body": "?", "client_id": new_id()})
        assert ack["ok"] is False and ack["error"]["code"] == "unavailable"
        time.sleep(2)  # the writers keep trying meanwhile

        private_postgres.start()
        for server in (one, two):
            wait_until(lambda: health(server).status_code == 200, "the server recovers")
        after = writers.count()
        wait_until(lambda: writers.count() >= after + 20, "posts after the restart")
    assert writers.errors == []
    assert "unavailable" in [code for member in people for code in member.refusals]

    engine = sa.create_engine(private_postgres.url.replace("postgresql://",
                                                           "postgresql+psycopg2://"))
    try:
        ids = stored_once(writers.acknowledged, engine)
    finally:
        engine.dispose()
    for member in people:
        member.wait_for_posts(ids)
        assert member.live.sio.connected and member.reconnections == 0, member.label
