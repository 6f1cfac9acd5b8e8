"""A workshop run live: real python-socketio clients (Bearer tokens) against a real
`concert run` process, on SQLite and PostgreSQL. Every member sees it start, move through
its agenda, its votes counted once per dot, and close; the minutes tell what happened; a
reconnecting client catches up to the same timer; presence is per workshop."""
from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from .conftest import fence, new_id

SLUG = "metropole"
MEMBERS = ("facilitator", "police", "bailleur", "observer")


@pytest.fixture
def room(connect, world):
    def joined(person, slug=SLUG):
        live = connect(person)
        ack = live.join(slug)
        assert ack["ok"], ack
        return live

    return SimpleNamespace(
        facilitator=joined(world.facilitator), police=joined(world.actors[0]),
        bailleur=joined(world.actors[1]), observer=joined(world.observer),
        outsider=joined(world.outsider, "autre"))


def members(room):
    return [getattr(room, name) for name in MEMBERS]


@pytest.fixture
def workshop(api, world, general) -> dict:
    created = api(world.facilitator).post(f"/territories/{SLUG}/workshops", json={
        "title": "Atelier abords des gares", "starts_at": "2026-12-03T14:00",
        "place": "Préfecture, salle 2", "invited": ["DDSP 13", "Habitat 13"],
        "agenda": [{"title": "Tour de table", "minutes": 10},
                   {"title": "Propositions", "minutes": 30, "channel": general}]})
    assert created.status_code == 201, created.text
    return created.json()


def test_a_workshop_run_live(room, api, world, workshop, general, elsewhere):
    facilitator, wid = api(world.facilitator), workshop["id"]
    assert facilitator.post(f"/workshops/{wid}/start").status_code == 200
    for member in members(room):
        started = member.wait_event("workshop.started", id=wid)
        assert started["data"]["status"] == "live" and started["data"]["current_item"] == 0
        assert started["seq"] is not None

    moved = facilitator.post(f"/workshops/{wid}/agenda", json={"to": "next"}).json()
    for member in members(room):
        agenda = member.wait_event("workshop.agenda", id=wid)["data"]
        assert agenda["current_item"] == 1
        assert agenda["item_ends_at"] == moved["item_ends_at"]  # one timer for everyone

    # Contributions from the workshop page, by socket and API, carry the current item.
    ack = room.police.post(SLUG, general, "Médiateurs en gare le soir", kind="proposal",
                           workshop=wid)
    assert ack["ok"], ack
    first = ack["post"]
    assert first["workshop"] == wid and first["agenda_item"] == moved["current_agenda_item"]
    second = api(world.actors[1]).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": "Éclairage du parvis",
        "client_id": new_id(), "workshop": wid}).json()
    for member in members(room):
        created = member.wait_event("post.created", id=second["id"])
        assert created["data"]["workshop"] == wid

    vote = facilitator.post(f"/workshops/{wid}/votes", json={
        "question": "Que retenir ?", "dots": 2, "posts": [first["id"], second["id"]]}).json()
    police, bailleur = api(world.actors[0]), api(world.actors[1])
    dots = f"/workshops/{wid}/votes/{vote['id']}/dots"
    # The same dot sent four times at once (retries, double clicks): one dot.
    racers = [threading.Thread(target=police.post, args=(dots,),
                               kwargs={"json": {"post": second["id"], "slot": 0}})
              for _ in range(4)]
    for thread in racers:
        thread.start()
    for thread in racers:
        thread.join()
    assert police.post(dots, json={"post": first["id"], "slot": 1}).ok
    assert bailleur.post(dots, json={"post": second["id"]}).ok
    assert police.post(dots, json={"post": first["id"]}).status_code == 409  # no dot left
    assert api(world.observer).post(dots, json={"post": first["id"]}).status_code == 403

    def tally(events):
        votes = [e for e in events if e["type"] == "workshop.vote"
                 and e["data"]["vote"]["total"] == 3]
        return votes and {o["post"]: o["dots"] for o in votes[-1]["data"]["vote"]["options"]}

    for member in members(room):
        assert member.wait_for(tally) == {first["id"]: 1, second["id"]: 2}
    assert facilitator.get(f"/workshops/{wid}/votes/{vote['id']}").json()["voters"] == 2

    assert facilitator.post(f"/workshops/{wid}/close").json()["status"] == "closed"
    for member in members(room):
        closed = member.wait_event("workshop.closed", id=wid)
        assert closed["data"]["current_item"] is None
        member.wait_for(lambda events: [e for e in events if e["type"] == "workshop.vote"
                                        and e["data"]["vote"]["status"] == "closed"])
    assert facilitator.post(f"/workshops/{wid}/start").status_code == 409
    assert police.post(dots, json={"post": first["id"], "slot": 0}).status_code == 409

    minutes = api(world.observer).get(f"/workshops/{wid}/minutes").json()
    sections = {s["key"]: s for s in minutes["sections"]}
    said = sections["contributions"]["sections"][1]["blocks"][0]["items"]
    assert any("Médiateurs en gare le soir" in line for line in said)
    assert any("Éclairage du parvis" in line for line in said)
    results = sections["votes"]["blocks"][0]
    assert [row[2] for row in results["rows"]] == [2, 1]

    fence([(room.outsider, "autre", elsewhere)], [room.outsider])
    assert [e for e in room.outsider.events if e["territory"] != "autre"] == []


def test_a_reconnecting_client_catches_up_to_the_same_timer(connect, api, world, workshop):
    facilitator, wid = api(world.facilitator), workshop["id"]
    facilitator.post(f"/workshops/{wid}/start")
    police = connect(world.actors[0])
    seq = police.join(SLUG)["seq"]
    police.sio.disconnect()

    facilitator.post(f"/workshops/{wid}/agenda", json={"to": "next"})
    facilitator.post(f"/workshops/{wid}/agenda", json={"to": 0})
    now = facilitator.get(f"/workshops/{wid}").json()

    again = connect(world.actors[0])
    missed = again.join(SLUG, after_seq=seq)["missed"]
    agenda = [e for e in missed if e["type"] == "workshop.agenda"]
    assert [e["data"]["current_item"] for e in agenda] == [1, 0]
    latest = agenda[-1]["data"]
    assert (latest["item_started_at"], latest["item_ends_at"]) == (
        now["item_started_at"], now["item_ends_at"])
    assert now["server_now"] >= now["item_started_at"]  # clients compute from the server clock


def test_presence_in_a_workshop_and_attendance(room, api, world, workshop, connect):
    wid = workshop["id"]
    # The facilitator waits on the page before the start: present, then counted.
    ack = room.facilitator.call("workshop", {"territory": SLUG, "workshop": wid})
    assert ack["ok"], ack
    assert [p["name"] for p in ack["present"]] == [world.facilitator.name]
    api(world.facilitator).post(f"/workshops/{wid}/start")

    police = connect(world.actors[0])
    assert police.join(SLUG)["ok"]
    present = police.call("workshop", {"territory": SLUG, "workshop": wid})["present"]
    assert {p["name"] for p in present} == {world.facilitator.name, world.actors[0].name}
    came = room.facilitator.wait_for(lambda events: [
        e for e in events if e["type"] == "presence" and e["data"].get("workshop") == wid
        and e["data"]["user"]["id"] == world.actors[0].id and e["data"]["online"]])[0]
    assert came["seq"] is None and came["data"]["user"]["organisation"] == "DDSP 13"
    # The chat's presence is about the territory: members not on the workshop page hear
    # nothing of it.
    assert [e for e in room.bailleur.events if e["type"] == "presence"
            and e["data"].get("workshop") == wid] == []

    police.sio.disconnect()
    gone = room.facilitator.wait_for(lambda events: [
        e for e in events if e["type"] == "presence" and e["data"].get("workshop") == wid
        and e["data"]["user"]["id"] == world.actors[0].id and e["data"]["online"] is False])[0]
    assert [p["name"] for p in gone["data"]["present"]] == [world.facilitator.name]

    # An observer looks in, then leaves the page (the socket stays for the chat).
    assert room.observer.call("workshop", {"territory": SLUG, "workshop": wid})["ok"]
    assert room.observer.call("workshop", {"territory": SLUG, "workshop": wid,
                                           "present": False})["ok"]
    room.facilitator.wait_for(lambda events: [
        e for e in events if e["type"] == "presence" and e["data"].get("workshop") == wid
        and e["data"]["user"]["id"] == world.observer.id and e["data"]["online"] is False])

    api(world.facilitator).post(f"/workshops/{wid}/close")
    minutes = api(world.facilitator).get(f"/workshops/{wid}/minutes").json()
    attendance = {s["key"]: s for s in minutes["sections"]}["attendance"]["blocks"][0]
    assert {row[0] for row in attendance["rows"]} == {
        "DDSP 13", "Préfecture des Bouches-du-Rhône", "Parquet"}
    assert "Habitat 13" in {s["key"]: s for s in minutes["sections"]}["attendance"][
        "blocks"][1]["text"]  # invited, not represented


def test_a_workshop_of_another_territory_is_out_of_reach(room, workshop):
    refused = room.outsider.call("workshop", {"territory": "autre", "workshop": workshop["id"]})
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"
    refused = room.outsider.call("workshop", {"territory": SLUG, "workshop": workshop["id"]})
    assert refused["ok"] is False and refused["error"]["code"] == "not_found"


def test_a_removed_member_leaves_the_workshop_room(connect, api, world, workshop, base):
    wid, gone = workshop["id"], world.actors[1]
    base.join("autre", gone.email, gone.name, "actor", "Habitat 13", "bailleur_social")
    facilitator = api(world.facilitator)
    facilitator.post(f"/workshops/{wid}/start")
    watching, removed = connect(world.facilitator), connect(gone)
    assert removed.join("autre")["ok"]
    for live in (watching, removed):
        assert live.join(SLUG)["ok"]
        assert live.call("workshop", {"territory": SLUG, "workshop": wid})["ok"]
    membership = next(m for m in facilitator.get(f"/territories/{SLUG}/members").json()["items"]
                      if m["user"]["id"] == gone.id)
    assert facilitator.delete(f"/territories/{SLUG}/members/{membership['id']}").ok
    left = watching.wait_for(lambda events: [
        e for e in events if e["type"] == "presence" and e["data"].get("workshop") == wid
        and e["data"]["user"]["id"] == gone.id and e["data"]["online"] is False])[0]
    assert gone.id not in [p["id"] for p in left["data"]["present"]]
    seen = len(removed.events)
    # Their sockets are closed; the server has handled it before the test writes again.
    sid = removed.sio.get_sid()
    assert removed.wait_closed()
    base.wait_for_disconnections([sid])

    # The workshop's presence list keeps moving; the removed member hears none of it.
    observer = connect(world.observer)
    assert observer.join(SLUG)["ok"]
    assert observer.call("workshop", {"territory": SLUG, "workshop": wid})["ok"]
    watching.wait_for(lambda events: [
        e for e in events if e["type"] == "presence" and e["data"].get("workshop") == wid
        and e["data"]["user"]["id"] == world.observer.id and e["data"]["online"]])
    assert [e for e in removed.events[seen:] if e["territory"] == SLUG] == []
