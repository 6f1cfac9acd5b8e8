"""The `notification` event against a real server process: it reaches every socket of its
person, and no one else's."""
from __future__ import annotations

import threading
import time

from tests.realtime.conftest import WAIT


class Received(list):
    """The `notification`s one client gets."""

    def __init__(self, live) -> None:
        super().__init__()
        self.arrived = threading.Event()
        live.sio.on("notification", self.keep)

    def keep(self, item) -> None:
        self.append(item)
        self.arrived.set()


collect = Received


def test_a_notification_reaches_only_its_person(server, sockets, world, api, contribute):
    police, bailleur = world.actors
    mine = [collect(sockets(server.url, police)), collect(sockets(server.url, police))]
    others = [collect(sockets(server.url, p)) for p in (bailleur, world.facilitator,
                                                          world.observer)]
    parent = contribute(police, "message", "Qui a les chiffres ?")
    answer = api(bailleur).post(f"/territories/{world.slug}/posts", json={
        "channel": parent["channel"], "kind": "message", "body": "Nous.",
        "reply_to": parent["id"]}).json()
    for received in mine:
        assert received.arrived.wait(WAIT)
        [item] = received
        assert item["type"] == "post.reply" and item["data"]["post"] == answer["id"]
        assert item["territory"] == world.slug and item["read"] is False
    # The others' sockets are as fast: had anything been sent to them it would be there by
    # now; a later event they all get proves their connections deliver.
    api(world.facilitator).post(f"/territories/{world.slug}/posts", json={
        "channel": parent["channel"], "kind": "message", "body": "Merci",
        "reply_to": parent["id"]})
    deadline = time.monotonic() + WAIT
    while not mine[0][1:] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(received == [] for received in others[:2])
    assert others[2] == []
