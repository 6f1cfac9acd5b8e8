"""Notifications and mail preferences through the JSON API of a real server process, on
both databases: the wiring, and 4xx that change nothing for bad input."""
from __future__ import annotations

from tests.api.conftest import error

SLUG = "metropole"


def replied(api, contribute, world) -> dict:
    """The bailleur answers the police's message: the police has one notification."""
    police, bailleur = world.actors
    parent = contribute(police, "message", "Qui a les chiffres ?")
    response = api(bailleur).post(f"/territories/{SLUG}/posts", json={
        "channel": parent["channel"], "kind": "message", "body": "Nous les avons.",
        "reply_to": parent["id"]})
    assert response.status_code == 201, response.text
    return response.json()


def test_list_and_mark_read(api, contribute, world):
    answer = replied(api, contribute, world)
    police = api(world.actor)
    [item] = police.get("/notifications?unread=1").json()["items"]
    assert set(item) == {"id", "type", "territory", "data", "read", "created_at"}
    assert item["type"] == "post.reply" and item["territory"] == SLUG
    assert item["data"]["post"] == answer["id"] and item["read"] is False
    assert api(world.actors[1]).get("/notifications").json()["items"] == []

    other = api(world.actors[1]).post("/notifications/read", json={"ids": [item["id"]]})
    assert other.status_code == 200 and other.json() == {"read": 0}  # not theirs
    marked = police.post("/notifications/read", json={"ids": [item["id"]]})
    assert marked.json() == {"read": 1}
    assert police.get("/notifications?unread=1").json()["items"] == []
    assert police.get("/notifications").json()["items"][0]["read"] is True
    assert police.post("/notifications/read", json={"all": True}).json() == {"read": 0}


def test_bad_input_is_refused_and_changes_nothing(api, contribute, world):
    replied(api, contribute, world)
    police = api(world.actor)
    for body in ({}, {"ids": [1], "all": True}, {"ids": ["x"]}, {"ids": 3}, {"every": True}):
        error(police.post("/notifications/read", json=body), 422)
    error(police.post("/notifications/read", data="nope"), 400)
    error(police.get("/notifications?limit=0"), 422)
    assert len(police.get("/notifications?unread=1").json()["items"]) == 1
    error(api().get("/notifications"), 401)
    error(api().get("/me/preferences"), 401)


def test_preferences_get_and_put(api, world):
    police = api(world.actor)
    chosen = police.get("/me/preferences").json()["notifications"]
    assert chosen["reply"] == "immediate" and chosen["phase"] == "daily"
    changed = police.put("/me/preferences", json={"notifications": {"phase": "weekly",
                                                                    "reply": "never"}})
    assert changed.status_code == 200
    assert changed.json()["notifications"]["phase"] == "weekly"
    assert changed.json()["notifications"]["reply"] == "never"
    for body in ({}, {"notifications": {"phase": "hourly"}}, {"notifications": {"bells": "never"}},
                 {"notifications": "never"}, {"notifications": {}, "other": 1}):
        error(police.put("/me/preferences", json=body), 422)
    assert police.get("/me/preferences").json() == changed.json()
    assert api(world.actors[1]).get("/me/preferences").json()["notifications"][
        "phase"] == "daily"
