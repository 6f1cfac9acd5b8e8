"""One of two server processes killed (SIGKILL) while members post: its members reconnect
to the other one and catch up, the others miss nothing, and no post is lost or doubled."""
from __future__ import annotations

import pytest

from .conftest import Writers, stored_once, wait_until

pytestmark = pytest.mark.slow

SLUG = "metropole"


def test_members_of_a_killed_process_reconnect_elsewhere_and_nothing_is_lost(
        pair, base, world, members):
    one, two = pair
    general = base.Api(two.url, world.facilitator).get(
        f"/territories/{SLUG}/channels").json()["items"][0]["id"]
    people = [members(world.facilitator, [one.url, two.url]),
              members(world.actors[0], [two.url]),
              members(world.actors[1], [one.url, two.url]),
              members(world.observer, [two.url])]
    with Writers(people[:3], general) as writers:
        wait_until(lambda: writers.count() >= 20, "a few posts before the kill")
        one.process.kill()
        before = writers.count()
        wait_until(lambda: writers.count() >= before + 30, "posts after the kill")
    assert writers.errors == []

    ids = stored_once(writers.acknowledged)
    for member in people:
        member.stay_connected()
        member.wait_for_posts(ids)
    assert [m.reconnections for m in people] == [1, 0, 1, 0]
