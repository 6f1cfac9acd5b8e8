"""Redis restarted under two server processes while members post: the members who stay
connected end with every event, without reconnecting."""
from __future__ import annotations

import time

import pytest

from .conftest import Member, Writers, stored_once, wait_until

pytestmark = pytest.mark.slow

SLUG = "metropole"


def test_members_who_stay_connected_get_what_was_posted_while_redis_restarted(
        pair, private_redis, base, world):
    one, two = pair
    general = base.Api(one.url, world.facilitator).get(
        f"/territories/{SLUG}/channels").json()["items"][0]["id"]
    members = [Member(world.facilitator, [one.url], SLUG),
               Member(world.actors[0], [one.url], SLUG),
               Member(world.actors[1], [two.url], SLUG),
               Member(world.observer, [two.url], SLUG)]
    with Writers(members[:3], general) as writers:
        wait_until(lambda: writers.count() >= 10, "a few posts before the restart")
        private_redis.stop()
        before = writers.count()
        time.sleep(3)
        private_redis.start()
        wait_until(lambda: writers.count() >= before + 20, "posts during and after the restart")
        wait_until(lambda: private_redis.listeners() >= 2, "both servers listen again")
    assert writers.errors == []

    ids = stored_once(writers.acknowledged)
    for member in members:
        member.wait_for_posts(ids)
        assert member.live.sio.connected and member.reconnections == 0, member.label
