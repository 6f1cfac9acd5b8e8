"""Workshops through the JSON API and the pages (wiring only; the rules are tested on the
services): routes and status codes, 404 for outsiders, the live page, projector, minutes
and their downloads."""
from __future__ import annotations

import pytest

from concert.services import channels, workshops
from concert.services.access import access
from concert.services.accounts import find_user

SLUG = "metropole"
AGENDA = [{"title": "Tour de table", "minutes": 10}, {"title": "Gares", "minutes": 25}]


def headers(person) -> dict:
    return person.bearer()


@pytest.fixture
def general(world) -> int:
    return channels.list_channels(access(find_user(world.facilitator.email), SLUG))[0].id


@pytest.fixture
def created(client, world):
    response = client.post(f"/api/v1/territories/{SLUG}/workshops", headers=headers(
        world.facilitator), json={"title": "Atelier gares", "starts_at": "2026-12-03T14:00:00+01:00",
                                 "place": "Préfecture", "agenda": AGENDA})
    assert response.status_code == 201, response.text
    return response.get_json()


def test_create_start_move_close_minutes(client, world, created, general):
    fac = headers(world.facilitator)
    assert created["status"] == "planned" and created["current_item"] is None
    assert [(i["title"], i["minutes"]) for i in created["agenda"]] == [
        ("Tour de table", 10), ("Gares", 25)]
    wid = created["id"]
    assert client.get(f"/api/v1/workshops/{wid}/minutes", headers=fac).status_code == 409
    started = client.post(f"/api/v1/workshops/{wid}/start", headers=fac).get_json()
    assert started["status"] == "live" and started["current_item"] == 0
    assert started["server_now"] and started["item_ends_at"]
    assert client.post(f"/api/v1/workshops/{wid}/start", headers=fac).status_code == 409
    moved = client.post(f"/api/v1/workshops/{wid}/agenda", headers=fac, json={"to": "next"})
    assert moved.get_json()["current_item"] == 1
    assert client.post(f"/api/v1/workshops/{wid}/agenda", headers=fac,
                       json={"to": "next"}).status_code == 409
    post = client.post(f"/api/v1/territories/{SLUG}/posts", headers=headers(world.actor), json={
        "channel": general, "kind": "proposal", "body": "Caméras sur le parvis",
        "workshop": wid}).get_json()
    assert post["workshop"] == wid and post["agenda_item"] == started["agenda"][1]["id"]
    listed = client.get(f"/api/v1/workshops/{wid}/contributions", headers=fac).get_json()
    assert [p["id"] for p in listed["items"]] == [post["id"]]
    closed = client.post(f"/api/v1/workshops/{wid}/close", headers=fac).get_json()
    assert closed["status"] == "closed"
    minutes = client.get(f"/api/v1/workshops/{wid}/minutes", headers=headers(world.observer))
    assert minutes.status_code == 200 and minutes.get_json()["kind"] == "minutes"
    items = client.get(f"/api/v1/territories/{SLUG}/workshops", headers=fac).get_json()["items"]
    assert [w["id"] for w in items] == [wid]


def test_votes_through_the_api(client, world, created, general):
    fac, police = headers(world.facilitator), headers(world.actor)
    wid = created["id"]
    ids = [client.post(f"/api/v1/territories/{SLUG}/posts", headers=headers(world.actors[1]),
                       json={"channel": general, "kind": "proposal", "body": body}).get_json()["id"]
           for body in ("Médiation", "Éclairage")]
    assert client.post(f"/api/v1/workshops/{wid}/votes", headers=fac,
                       json={"posts": ids}).status_code == 409  # not live
    client.post(f"/api/v1/workshops/{wid}/start", headers=fac)
    assert client.post(f"/api/v1/workshops/{wid}/votes", headers=police,
                       json={"posts": ids}).status_code == 403
    vote = client.post(f"/api/v1/workshops/{wid}/votes", headers=fac,
                       json={"question": "Priorité ?", "dots": 1, "posts": ids})
    assert vote.status_code == 201, vote.text
    vid = vote.get_json()["id"]
    placed = client.post(f"/api/v1/workshops/{wid}/votes/{vid}/dots", headers=police,
                         json={"post": ids[0], "slot": 0}).get_json()
    assert placed["mine"] == [{"slot": 0, "post": ids[0]}]
    assert client.post(f"/api/v1/workshops/{wid}/votes/{vid}/dots", headers=police,
                       json={"post": ids[1]}).status_code == 409  # no dot left
    assert client.post(f"/api/v1/workshops/{wid}/votes/{vid}/dots", headers=police,
                       json={"post": 123456}).status_code == 422
    assert client.post(f"/api/v1/workshops/{wid}/votes/{vid}/dots",
                       headers=headers(world.observer), json={"post": ids[0]}).status_code == 403
    removed = client.delete(f"/api/v1/workshops/{wid}/votes/{vid}/dots/0", headers=police)
    assert removed.get_json()["mine"] == [] and removed.get_json()["total"] == 0
    closed = client.post(f"/api/v1/workshops/{wid}/votes/{vid}/close", headers=fac).get_json()
    assert closed["status"] == "closed"
    assert client.post(f"/api/v1/workshops/{wid}/votes/{vid}/dots", headers=police,
                       json={"post": ids[0]}).status_code == 409


def test_outsiders_and_strangers_get_404(client, world, created):
    wid, out = created["id"], headers(world.outsider)
    for method, url in (("get", f"/api/v1/workshops/{wid}"),
                        ("post", f"/api/v1/workshops/{wid}/start"),
                        ("post", f"/api/v1/workshops/{wid}/close"),
                        ("get", f"/api/v1/workshops/{wid}/minutes"),
                        ("get", f"/api/v1/territories/{SLUG}/workshops"),
                        ("get", "/api/v1/workshops/999999")):
        assert getattr(client, method)(url, headers=out).status_code == 404, url
    assert client.get(f"/api/v1/workshops/{wid}").status_code == 401


def test_bad_input_is_4xx_never_500(client, world):
    fac = headers(world.facilitator)
    url = f"/api/v1/territories/{SLUG}/workshops"
    for body in ({}, {"title": "x", "starts_at": "x", "place": "p", "agenda": AGENDA},
                 {"title": "x", "starts_at": "2026-12-03T14:00", "place": "p",
                  "agenda": [{"title": "a", "minutes": 10**30}]},
                 {"title": "x", "starts_at": "2026-12-03T14:00", "place": "p",
                  "agenda": [{"title": "a", "minutes": 5, "channel": "abc"}]},
                 {"title": "x", "starts_at": "99999-12-03T14:00", "place": "p",
                  "agenda": AGENDA}):
        response = client.post(url, headers=fac, json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    assert client.post(url, headers=headers(world.actor), json={}).status_code == 403


def test_pages(client, world, created, general, csrf_from):
    wid = created["id"]
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_from(page.text), "email": world.facilitator.email,
                                "password": world.facilitator.password})
    listing = client.get(f"/t/{SLUG}/workshops")
    assert listing.status_code == 200 and "Atelier gares" in listing.text
    assert "Programmer un atelier" in listing.text
    token = csrf_from(listing.text)
    planned = client.post(f"/t/{SLUG}/workshops", data={
        "csrf_token": token, "title": "Second atelier", "starts_at": "2026-12-10T09:30",
        "place": "Mairie", "invited": "DDSP 13\nHabitat 13",
        "item-0-title": "Accueil", "item-0-minutes": "5", "item-0-channel": str(general)})
    assert planned.status_code == 302
    page = client.get(f"/t/{SLUG}/workshops/{wid}")
    assert page.status_code == 200 and "Ouvrir l'atelier" in page.text
    client.post(f"/t/{SLUG}/workshops/{wid}/start", data={"csrf_token": token})
    page = client.get(f"/t/{SLUG}/workshops/{wid}")
    assert 'aria-current="step"' in page.text and "restantes" in page.text
    client.post(f"/t/{SLUG}/workshops/{wid}/posts", data={
        "csrf_token": token, "channel": general, "kind": "proposal", "body": "Maraude **commune**"})
    client.post(f"/t/{SLUG}/workshops/{wid}/agenda", data={"csrf_token": token, "to": "next"})
    partial = client.get(f"/t/{SLUG}/workshops/{wid}?partial=1")
    assert "<strong>commune</strong>" in partial.text and "Point en cours : Gares" in partial.text
    projector = client.get(f"/t/{SLUG}/workshops/{wid}/projector")
    assert projector.status_code == 200 and "Gares" in projector.text
    assert client.get(f"/t/{SLUG}/workshops/{wid}/minutes").status_code == 302  # not yet
    closed = client.post(f"/t/{SLUG}/workshops/{wid}/close", data={"csrf_token": token})
    assert closed.status_code == 302 and closed.location.endswith(f"/workshops/{wid}/minutes")
    minutes = client.get(f"/t/{SLUG}/workshops/{wid}/minutes")
    assert minutes.status_code == 200 and "Participation" in minutes.text
    assert "Maraude" in minutes.text
    markdown = client.get(f"/t/{SLUG}/workshops/{wid}/minutes.md")
    assert markdown.status_code == 200 and "Maraude" in markdown.get_data(as_text=True)
    docx = client.get(f"/t/{SLUG}/workshops/{wid}/minutes.docx")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert client.get(f"/t/{SLUG}/workshops/{wid}/minutes.exe").status_code == 404


def test_the_demo_has_a_closed_workshop_with_minutes_and_an_upcoming_one(runner, ctx):
    for _ in range(2):
        result = runner("demo")
        assert result.returncode == 0, result.stderr
    where = access(find_user("parquet@demo.concert.test"), "demo")
    upcoming, past = workshops.list_workshops(where)
    assert [w.title for w in upcoming] == ["Atelier prévention et jeunesse"]
    assert [w.status for w in past] == ["closed"]
    document = workshops.minutes(where, past[0].id)
    sections = {s["key"]: s for s in document["sections"]}
    assert len(sections["attendance"]["blocks"][0]["rows"]) == 7
    assert sections["votes"]["blocks"][0]["rows"][0][2] == 3
    assert "engagement n°" in sections["decisions"]["blocks"][0]["items"][0]
