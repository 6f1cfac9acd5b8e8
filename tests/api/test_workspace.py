"""The workspace's JSON API (channels and posts) through a real server process, on both
databases: the wiring of every route, and never a 500 whatever the input."""
from __future__ import annotations

import pytest
import requests
from tests.api.conftest import error, never_500

SLUG = "metropole"
CHANNELS = f"/territories/{SLUG}/channels"
POSTS = f"/territories/{SLUG}/posts"
HUGE = 10**30


def first_channel(client) -> int:
    return client.get(CHANNELS).json()["items"][0]["id"]


def new_post(client, body="Bonjour", kind="message", channel=None, **extra) -> dict:
    response = client.post(POSTS, json={"channel": channel or first_channel(client),
                                        "kind": kind, "body": body, **extra})
    assert response.status_code == 201, response.text
    return response.json()


# --- channels ------------------------------------------------------------------------------

def test_channels_list_create_update(api, world):
    anim = api(world.facilitator)
    listed = anim.get(CHANNELS)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 9 and items[0]["name"] == "Prévention de la délinquance"
    assert set(items[0]) >= {"id", "name", "restricted_to", "archived"}
    assert items[0]["restricted_to"] is None and items[0]["archived"] is False

    created = anim.post(CHANNELS, json={"name": "Rodéos urbains", "description": "Motos",
                                        "restricted_to": ["prefecture", "police_nationale"]})
    assert created.status_code == 201
    channel = created.json()
    assert channel["name"] == "Rodéos urbains"
    assert channel["restricted_to"] == ["police_nationale", "prefecture"]

    updated = anim.patch(f"{CHANNELS}/{channel['id']}", json={
        "name": "Rodéos", "archived": True, "restricted_to": None})
    assert updated.status_code == 200
    assert updated.json() == {**channel, "name": "Rodéos", "archived": True,
                              "restricted_to": None}
    # The actor now sees it too, archived.
    seen = {c["id"]: c for c in api(world.actors[1]).get(CHANNELS).json()["items"]}
    assert seen[channel["id"]]["archived"] is True


def test_channel_rules_and_bad_input(api, world):
    anim, actor = api(world.facilitator), api(world.actor)
    channel = first_channel(anim)
    error(actor.post(CHANNELS, json={"name": "À moi"}), 403)
    error(api(world.observer).post(CHANNELS, json={"name": "À moi"}), 403)
    error(actor.patch(f"{CHANNELS}/{channel}", json={"name": "Renommé"}), 403)
    error(anim.post(CHANNELS, json={"name": "Stupéfiants"}), 409, field="name")
    error(anim.post(CHANNELS, data="name=x"), 400)
    error(anim.post(CHANNELS, data="{not json", headers={"Content-Type": "application/json"}), 400)
    error(anim.post(CHANNELS, json=["name"]), 400)
    error(anim.patch(f"{CHANNELS}/{channel}", data="archived"), 400)
    for body, field in [({"name": 12}, "name"), ({"name": ""}, "name"), ({}, "name"),
                        ({"name": "x" * 81}, "name"), ({"name": ["a"]}, "name"),
                        ({"name": "ok", "restricted_to": "prefecture"}, "restricted_to"),
                        ({"name": "ok", "restricted_to": ["roi"]}, "restricted_to"),
                        ({"name": "ok", "restricted_to": [{"a": 1}]}, "restricted_to"),
                        ({"name": "ok", "description": 5}, "description")]:
        error(anim.post(CHANNELS, json=body), 422, field=field)
    for body, field in [({"archived": "yes"}, "archived"), ({"archived": None}, "archived"),
                        ({"name": None}, "name"), ({"restricted_to": {"x": 1}}, "restricted_to")]:
        error(anim.patch(f"{CHANNELS}/{channel}", json=body), 422, field=field)
    error(anim.patch(f"{CHANNELS}/999999", json={"name": "x"}), 404)
    error(anim.patch(f"{CHANNELS}/{HUGE}", json={"name": "x"}), 404)
    error(anim.patch(f"{CHANNELS}/abc", json={"name": "x"}), 404)
    error(anim.put(CHANNELS, json={"name": "x"}), 405)


def test_channels_of_another_territory_are_404(api, world):
    outsider = api(world.outsider)
    mine = first_channel(api(world.actor))
    error(outsider.get(CHANNELS), 404)
    error(outsider.post(CHANNELS, json={"name": "Intrus"}), 404)
    error(outsider.patch(f"{CHANNELS}/{mine}", json={"name": "Intrus"}), 404)
    # Nor through their own territory's address.
    error(outsider.patch(f"/territories/autre/channels/{mine}", json={"name": "Intrus"}), 404)
    assert api(world.actor).get(CHANNELS).json()["items"][0]["name"] != "Intrus"
    error(api().get(CHANNELS), 401)


# --- posting -------------------------------------------------------------------------------

def test_create_post_and_its_shape(api, world):
    actor = api(world.actor)
    channel = first_channel(actor)
    response = actor.post(POSTS, json={"channel": channel, "kind": "need",
                                       "body": "**Éclairage** du parking", "client_id": "c-1"})
    assert response.status_code == 201
    post = response.json()
    assert post["channel"] == channel and post["kind"] == "need" and post["status"] == "open"
    assert post["body"] == "**Éclairage** du parking"
    assert post["html"] == "<p><strong>Éclairage</strong> du parking</p>"
    assert post["author"] == {"id": world.actor.id, "name": "Paul Police",
                              "organisation": "DDSP 13", "organisation_kind": "police_nationale"}
    assert post["reply_to"] is None and post["supports"] == 0 and post["seq"] >= 1
    assert post["created_at"] and post["edited_at"] is None and post["deleted"] is False
    assert post["client_id"] == "c-1"
    assert actor.get(f"/posts/{post['id']}").json()["body"] == post["body"]
    # Channel as a numeric string works too (forms and query strings).
    assert actor.post(POSTS, json={"channel": str(channel), "kind": "message",
                                   "body": "ok"}).status_code == 201


def test_same_client_id_answers_201_then_200_with_the_first_post(api, world):
    actor = api(world.actor)
    body = {"channel": first_channel(actor), "kind": "proposal", "body": "Médiateurs de nuit",
            "client_id": "9b1c0e5e-retry"}
    first = actor.post(POSTS, json=body)
    again = actor.post(POSTS, json={**body, "body": "renvoyé"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["body"] == "Médiateurs de nuit"
    listed = actor.get(POSTS).json()["items"]
    assert [p["id"] for p in listed] == [first.json()["id"]]


def test_posting_rules(api, world):
    anim, actor = api(world.facilitator), api(world.actor)
    channel = first_channel(actor)
    body = {"channel": channel, "kind": "message", "body": "Bonjour"}
    error(api(world.observer).post(POSTS, json=body), 403)
    error(api(world.outsider).post(POSTS, json=body), 404)
    error(api().post(POSTS, json=body), 401)
    anim.patch(f"{CHANNELS}/{channel}", json={"archived": True})
    error(actor.post(POSTS, json=body), 409, field="channel")


@pytest.mark.parametrize("changes, status, field", [
    ({"channel": "abc"}, 422, "channel"),
    ({"channel": ["1"]}, 422, "channel"),
    ({"channel": {"id": 1}}, 422, "channel"),
    ({"channel": None}, 422, "channel"),
    ({"channel": 1.5}, 422, "channel"),
    ({"channel": True}, 422, "channel"),
    ({"channel": 999_999}, 404, "channel"),
    ({"channel": -3}, 404, "channel"),
    ({"kind": "besoin"}, 422, "kind"),
    ({"kind": 1}, 422, "kind"),
    ({"kind": ["need"]}, 422, "kind"),
    ({"kind": None}, 422, "kind"),
    ({"body": ""}, 422, "body"),
    ({"body": "   \n "}, 422, "body"),
    ({"body": 42}, 422, "body"),
    ({"body": ["texte"]}, 422, "body"),
    ({"body": None}, 422, "body"),
    ({"body": "x" * 10_001}, 422, "body"),
    ({"client_id": 7}, 422, "client_id"),
    ({"client_id": "c" * 65}, 422, "client_id"),
    ({"client_id": ["a"]}, 422, "client_id"),
    ({"reply_to": "abc"}, 422, "reply_to"),
    ({"reply_to": [1]}, 422, "reply_to"),
    ({"reply_to": 999_999}, 404, None),
])
def test_bad_post_input(api, world, changes, status, field):
    actor = api(world.actor)
    body = {"channel": first_channel(actor), "kind": "message", "body": "Bonjour", **changes}
    error(actor.post(POSTS, json=body), status, field=field)
    assert actor.get(POSTS).json()["items"] == []


def test_post_body_limit_and_non_json(api, world):
    actor = api(world.actor)
    assert len(new_post(actor, "é" * 10_000)["body"]) == 10_000
    error(actor.post(POSTS, data="channel=1&kind=message&body=x"), 400)
    error(actor.post(POSTS, data=b"\xff\xfe", headers={"Content-Type": "application/json"}), 400)
    error(actor.post(POSTS, data="null", headers={"Content-Type": "application/json"}), 400)
    error(actor.post(POSTS, json="Bonjour"), 400)
    error(actor.post(POSTS, json=[{"body": "x"}]), 400)


def test_fuzzy_values_never_answer_500(api, world):
    actor = api(world.actor)
    channel = first_channel(actor)
    weird = [HUGE, -HUGE, 2**63, -(2**63) - 1, 2**31, 1e308, -0.0, "", " ", "١٢", "²", "--1",
             "0x1f", "1e3", "NaN", "\u0000", "\ud7ff", "😀" * 10, {"$gt": 0}, [], [[]], False]
    for value in weird:
        for field in ("channel", "kind", "body", "client_id", "reply_to"):
            body = {"channel": channel, "kind": "message", "body": "Bonjour", field: value}
            never_500(actor.post(POSTS, json=body))
        never_500(actor.patch(f"{CHANNELS}/{channel}", json={"name": value}))
        never_500(api(world.facilitator).patch(f"{CHANNELS}/{channel}", json={"archived": value}))
    for name in ("channel", "kind", "status", "after_seq", "before_seq", "limit", "thread",
                 "order", "top_level", "unknown"):
        for value in (HUGE, -HUGE, 2**63, -1, "abc", "²", "--1", "", "[]", "%00", "١٢"):
            never_500(actor.get(POSTS, params={name: value}))
    for path in (f"/posts/{HUGE}", f"/posts/{2**63}", f"/posts/{2**63 - 1}", "/posts/-1",
                 "/posts/abc", f"/posts/{HUGE}/support", f"/posts/{HUGE}/revisions"):
        for method in ("get", "patch", "delete", "post"):
            never_500(getattr(actor, method)(path, json={"body": "x"}))
    for path in (f"{CHANNELS}/{HUGE}", f"{CHANNELS}/{2**63}"):
        never_500(api(world.facilitator).patch(path, json={"name": "x"}))


# --- listing -------------------------------------------------------------------------------

def test_list_posts_pages_and_filters(api, world):
    actor = api(world.actor)
    first, second = [c["id"] for c in actor.get(CHANNELS).json()["items"][:2]]
    made = [new_post(actor, f"Message {i}", channel=first) for i in range(5)]
    need = new_post(actor, "Besoin", "need", channel=second)
    seqs = [p["seq"] for p in made] + [need["seq"]]
    reader = api(world.observer)

    latest = reader.get(POSTS, params={"limit": 2}).json()
    assert [p["seq"] for p in latest["items"]] == seqs[-2:]
    assert latest["first_seq"] == seqs[-2] and latest["last_seq"] == seqs[-1]
    older = reader.get(POSTS, params={"limit": 2, "before_seq": latest["first_seq"]}).json()
    assert [p["seq"] for p in older["items"]] == seqs[-4:-2]
    newer = reader.get(POSTS, params={"limit": 3, "after_seq": seqs[0]}).json()
    assert [p["seq"] for p in newer["items"]] == seqs[1:4]
    assert reader.get(POSTS, params={"after_seq": seqs[-1]}).json() == {
        "items": [], "first_seq": None, "last_seq": None}
    by_channel = reader.get(POSTS, params={"channel": second}).json()["items"]
    assert [p["id"] for p in by_channel] == [need["id"]]
    assert [p["id"] for p in reader.get(POSTS, params={"kind": "need"}).json()["items"]] == [
        need["id"]]
    assert [p["id"] for p in reader.get(POSTS, params={"status": "open"}).json()["items"]] == [
        need["id"]]
    assert len(reader.get(POSTS, params={"limit": 200}).json()["items"]) == 6
    # Unknown parameters are ignored; an unknown order is refused, as for contributions.
    assert len(reader.get(POSTS, params={"colour": "blue"}).json()["items"]) == 6
    unknown_order = reader.get(POSTS, params={"order": "random"})
    assert unknown_order.status_code == 422 and unknown_order.json()["error"]["field"] == "order"

    for params, field in [({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
                          ({"limit": -1}, "limit"), ({"limit": "abc"}, "limit"),
                          ({"after_seq": "x"}, "after_seq"), ({"before_seq": "x"}, "before_seq"),
                          ({"channel": "x"}, "channel"), ({"kind": "besoin"}, "kind"),
                          ({"status": "fermé"}, "status"), ({"thread": "x"}, "thread")]:
        error(reader.get(POSTS, params=params), 422, field=field)
    error(reader.get(POSTS, params={"channel": 999_999}), 404)
    error(api(world.outsider).get(POSTS), 404)
    error(api().get(POSTS), 401)


def test_threads_over_the_api(api, world):
    actor, landlord = api(world.actor), api(world.actors[1])
    root = new_post(actor, "Racine", "need")
    reply = new_post(landlord, "Réponse", reply_to=root["id"])
    deeper = new_post(actor, "Encore", reply_to=reply["id"])
    assert reply["reply_to"] == deeper["reply_to"] == root["id"]
    thread = actor.get(POSTS, params={"thread": root["id"]}).json()["items"]
    assert [p["id"] for p in thread] == [reply["id"], deeper["id"]]
    top = actor.get(POSTS, params={"top_level": "1"}).json()["items"]
    assert [p["id"] for p in top] == [root["id"]]
    second = actor.get(CHANNELS).json()["items"][1]["id"]
    error(landlord.post(POSTS, json={"channel": second, "kind": "message", "body": "x",
                                     "reply_to": root["id"]}), 422, field="reply_to")


# --- one post ------------------------------------------------------------------------------

def test_edit_history_delete_and_support(api, world):
    actor, landlord, anim = api(world.actor), api(world.actors[1]), api(world.facilitator)
    need = new_post(actor, "Version 1", "need")
    url = f"/posts/{need['id']}"

    edited = actor.patch(url, json={"body": "Version 2"})
    assert edited.status_code == 200
    assert edited.json()["body"] == "Version 2" and edited.json()["edited_at"]
    history = landlord.get(f"{url}/revisions")
    assert history.status_code == 200
    assert [r["body"] for r in history.json()["items"]] == ["Version 1"]
    error(landlord.patch(url, json={"body": "Pas à moi"}), 403)
    error(anim.patch(url, json={"body": "Pas à moi"}), 403)
    error(api(world.observer).patch(url, json={"body": "Pas à moi"}), 403)
    error(actor.patch(url, json={"body": ""}), 422, field="body")
    error(actor.patch(url, json={"body": 5}), 422, field="body")
    error(actor.patch(url, json={}), 422, field="body")
    error(actor.patch(url, data="Version 3"), 400)

    supported = landlord.post(f"{url}/support")
    assert supported.status_code == 200
    assert supported.json()["supports"] == 1 and supported.json()["supported"] is True
    withdrawn = landlord.post(f"{url}/support")
    assert withdrawn.json()["supports"] == 0 and withdrawn.json()["supported"] is False
    error(actor.post(f"{url}/support"), 409)
    error(api(world.observer).post(f"{url}/support"), 403)
    message = new_post(actor, "Un message")
    error(landlord.post(f"/posts/{message['id']}/support"), 409)

    error(landlord.delete(url), 403)
    error(api(world.observer).delete(url), 403)
    deleted = anim.delete(url)
    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True and deleted.json()["body"] == ""
    assert deleted.json()["html"] == ""
    assert actor.get(url).json()["deleted"] is True
    assert actor.get(f"{url}/revisions").json()["items"] == []
    error(actor.delete(url), 409)
    error(actor.patch(url, json={"body": "Retour"}), 409)
    own = new_post(actor, "À retirer")
    assert actor.delete(f"/posts/{own['id']}").status_code == 200


def test_posts_of_another_territory_are_404_on_every_route(api, world):
    post = new_post(api(world.actor), "Chez nous", "need")
    outsider = api(world.outsider)
    url = f"/posts/{post['id']}"
    for response in (outsider.get(url), outsider.patch(url, json={"body": "x"}),
                     outsider.delete(url), outsider.post(f"{url}/support"),
                     outsider.get(f"{url}/revisions")):
        error(response, 404)
    unknown = outsider.get("/posts/999999")
    assert outsider.get(url).json() == unknown.json()
    for response in (api().get(url), api().patch(url, json={"body": "x"}), api().delete(url),
                     api().post(f"{url}/support"), api().get(f"{url}/revisions")):
        error(response, 401)
    assert api(world.actor).get(url).json()["body"] == "Chez nous"


def test_restricted_channel_is_invisible_to_other_kinds(api, world):
    anim = api(world.facilitator)
    channel = anim.post(CHANNELS, json={"name": "État", "restricted_to": [
        "prefecture", "police_nationale"]}).json()["id"]
    secret = new_post(api(world.actor), "Opération jeudi", "need", channel=channel)
    url = f"/posts/{secret['id']}"
    for person in (world.actors[1], world.observer):
        client = api(person)
        assert channel not in [c["id"] for c in client.get(CHANNELS).json()["items"]]
        assert client.get(POSTS).json()["items"] == []
        error(client.get(POSTS, params={"channel": channel}), 404)
        error(client.get(url), 404)
        error(client.get(f"{url}/revisions"), 404)
    landlord = api(world.actors[1])
    error(landlord.post(f"{url}/support"), 404)
    error(landlord.post(POSTS, json={"channel": channel, "kind": "message", "body": "x"}), 404)
    assert anim.post(f"{url}/support").json()["supports"] == 1


def test_methods_and_unknown_routes_answer_json(api, world):
    actor = api(world.actor)
    error(actor.delete(POSTS), 405)
    error(actor.put("/posts/1", json={}), 405)
    error(actor.get("/posts/1/nothing"), 404)
    response = requests.get(actor.base + "/posts/1")
    error(response, 401)
