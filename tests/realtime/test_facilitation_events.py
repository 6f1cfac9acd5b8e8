"""Facilitation seen live: real python-socketio clients (Bearer tokens) against a real
`concert run` process, on SQLite and PostgreSQL. Members watch their contributions get
promoted, declined, merged and reopened, and commitments appear and change; no one else
hears of it, and a restricted channel's source stays with the kinds it names."""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from .conftest import fence

SLUG = "metropole"
MEMBERS = ("facilitator", "police", "bailleur", "observer")


@pytest.fixture
def room(connect, world, api):
    """Every member of "metropole" connected and joined, and the outsider (a member of
    "autre" only) joined to "autre"."""

    def joined(person, slug=SLUG):
        live = connect(person)
        ack = live.join(slug)
        assert ack["ok"], ack
        return live

    return SimpleNamespace(
        facilitator=joined(world.facilitator), police=joined(world.actors[0]),
        bailleur=joined(world.actors[1]), observer=joined(world.observer),
        outsider=joined(world.outsider, "autre"))


@pytest.fixture
def state_only(api, world) -> int:
    """Restricted to the préfecture (the facilitator's kind) and the police nationale."""
    created = api(world.facilitator).post(f"/territories/{SLUG}/channels", json={
        "name": "État seulement", "restricted_to": ["prefecture", "police_nationale"]})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def members(room):
    return [getattr(room, name) for name in MEMBERS]


def about_post(events: list[dict], post_id: int) -> list[dict]:
    return [e for e in events if e["type"].startswith("post.") and e["data"].get("id") == post_id]


def nothing_reached_the_outsider(room, elsewhere) -> None:
    fence([(room.outsider, "autre", elsewhere)], [room.outsider])
    assert [e for e in room.outsider.events if e["territory"] != "autre"] == []


def test_a_promotion_is_seen_live_by_every_member(room, api, world, contribute, general,
                                                  elsewhere):
    need = contribute(world.actors[0], "need", "Éclairer le parvis de la gare", channel=general)
    created = api(world.facilitator).post(f"/territories/{SLUG}/commitments", json={
        "title": "Éclairage du parvis", "party": "collectivite", "pilot": "Ville",
        "source_posts": [need["id"]]})
    assert created.status_code == 201, created.text
    commitment = created.json()

    for member in members(room):
        status = member.wait_event("post.status", id=need["id"])
        assert status["territory"] == SLUG and status["data"]["status"] == "promoted"
        assert status["data"]["commitments"] == [
            {"id": commitment["id"], "number": 1, "title": "Éclairage du parvis"}]
        event = member.wait_event("commitment.created", id=commitment["id"])
        assert event["data"]["number"] == 1 and event["data"]["title"] == "Éclairage du parvis"
        assert event["data"]["source_posts"] == [need["id"]]
        assert event["data"]["status"] == "draft"
        assert event["seq"] < status["seq"]  # the commitment exists before posts point to it
    nothing_reached_the_outsider(room, elsewhere)


def test_decline_reopen_and_merge_are_seen_live(room, api, world, contribute, general,
                                                elsewhere):
    facilitator = api(world.facilitator)
    need = contribute(world.actors[0], "need", "Caméra devant le collège", channel=general)
    duplicate = contribute(world.actors[1], "need", "Vidéoprotection du collège", channel=general)

    assert facilitator.post(f"/posts/{need['id']}/decline",
                            json={"reason": "Relève du plan vidéoprotection"}).ok
    for member in members(room):
        declined = member.wait_event("post.status", id=need["id"], status="declined")
        assert declined["data"]["reason"] == "Relève du plan vidéoprotection"

    assert facilitator.post(f"/posts/{need['id']}/reopen").ok
    for member in members(room):
        reopened = member.wait_event("post.status", id=need["id"], status="open")
        assert reopened["data"]["reason"] is None

    assert facilitator.post(f"/posts/{duplicate['id']}/merge", json={"into": need["id"]}).ok
    for member in members(room):
        merged = member.wait_event("post.status", id=duplicate["id"], status="merged")
        assert merged["data"]["merged_into"] == need["id"]
    nothing_reached_the_outsider(room, elsewhere)


def test_commitment_edits_and_measurements_are_seen_live(room, api, world, elsewhere):
    facilitator = api(world.facilitator)
    commitment = facilitator.post(f"/territories/{SLUG}/commitments", json={
        "title": "Patrouilles communes", "party": "etat", "indicators": [
            {"name": "Patrouilles", "unit": "par mois", "baseline": 0, "target": 8}]}).json()
    for member in members(room):
        member.wait_event("commitment.created", id=commitment["id"])

    edited = facilitator.patch(f"/commitments/{commitment['id']}",
                               json={"title": "Patrouilles mixtes", "status": "validated"})
    assert edited.status_code == 200, edited.text
    for member in members(room):
        updated = member.wait_event("commitment.updated", id=commitment["id"],
                                    title="Patrouilles mixtes")
        assert updated["data"]["status"] == "validated"

    indicator = commitment["indicators"][0]["id"]
    measured = facilitator.post(
        f"/commitments/{commitment['id']}/indicators/{indicator}/measurements",
        json={"date": "2027-03-31", "value": 4})
    assert measured.status_code == 201, measured.text
    for member in members(room):
        member.wait_for(lambda events: [
            e for e in events if e["type"] == "commitment.updated"
            and e["data"]["indicators"][0]["progress"] == 0.5])
    nothing_reached_the_outsider(room, elsewhere)


def test_a_restricted_source_reaches_only_its_kinds(room, api, world, contribute, general,
                                                    state_only, elsewhere):
    secret = contribute(world.actors[0], "need", "Point de deal rue Villa, guetteurs",
                        channel=state_only)
    public = contribute(world.actors[1], "need", "Halls occupés rue Villa", channel=general)
    created = api(world.facilitator).post(f"/territories/{SLUG}/commitments", json={
        "title": "Reconquête de la rue Villa", "party": "etat", "channel": None,
        "source_posts": [secret["id"], public["id"]]})
    assert created.status_code == 201, created.text
    commitment = created.json()
    assert commitment["source_posts"] == [secret["id"], public["id"]]  # the préfecture sees it

    for allowed in (room.facilitator, room.police):
        assert allowed.wait_event("post.status", id=secret["id"])["data"]["status"] \
            == "promoted"
    for member in members(room):
        # Each organisation kind gets the sources it may read.
        event = member.wait_event("commitment.created", id=commitment["id"])
        if member in (room.facilitator, room.police):
            assert event["data"]["source_posts"] == [secret["id"], public["id"]]
            assert event["data"]["hidden_sources"] == 0
        else:
            assert event["data"]["source_posts"] == [public["id"]]
            assert event["data"]["hidden_sources"] == 1
            assert "deal" not in json.dumps(event)
        member.wait_event("post.status", id=public["id"])

    fence([(room.police, SLUG, general)], [room.bailleur, room.observer])
    for kept_out in (room.bailleur, room.observer):
        assert about_post(kept_out.events, secret["id"]) == []
        assert "deal" not in json.dumps(kept_out.events)
        # Nor does it come back on a reconnection's catch-up.
        missed = kept_out.join(SLUG, after_seq=0)["missed"]
        assert about_post(missed, secret["id"]) == []
        assert "deal" not in json.dumps(missed)
    caught_up = room.police.join(SLUG, after_seq=0)["missed"]
    assert any(e["type"] == "post.status" and e["data"]["id"] == secret["id"]
               for e in caught_up)
    nothing_reached_the_outsider(room, elsewhere)


def test_a_reconnecting_member_gets_the_facilitation_events_it_missed(
        connect, api, world, contribute, general):
    police = connect(world.actors[0])
    seq = police.join(SLUG)["seq"]
    police.sio.disconnect()

    need = contribute(world.actors[0], "need", "Médiateurs dans le bus de nuit", channel=general)
    facilitator = api(world.facilitator)
    assert facilitator.post(f"/posts/{need['id']}/decline", json={"reason": "Doublon"}).ok
    assert facilitator.post(f"/posts/{need['id']}/reopen").ok
    commitment = facilitator.post(f"/territories/{SLUG}/commitments", json={
        "title": "Bus de nuit", "party": "partenaire", "source_posts": [need["id"]]}).json()
    facilitator.patch(f"/commitments/{commitment['id']}", json={"pilot": "RTM"})

    missed = connect(world.actors[0]).join(SLUG, after_seq=seq)["missed"]
    assert [(e["type"], e["data"].get("status")) for e in missed] == [
        ("post.created", "open"), ("post.status", "declined"), ("post.status", "open"),
        ("commitment.created", "draft"), ("post.status", "promoted"),
        ("commitment.updated", "draft")]
    seqs = [e["seq"] for e in missed]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
