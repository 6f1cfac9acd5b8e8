"""Workshops through the JSON API and the pages (wiring only; the rules are tested on the
services): routes and status codes, 404 for outsiders, editing and cancelling a planned
workshop, the live page, projector, minutes and their downloads."""
from __future__ import annotations

import io
import re

import pypdf
import pytest

from concert.services import channels, workshops
from concert.services.access import access
from concert.services.accounts import find_user

SLUG = "metropole"
AGENDA = [{"title": "Tour de table", "minutes": 10}, {"title": "Gares", "minutes": 25}]


def headers(person) -> dict:
    return person.bearer()


def sign_in(client, person, csrf_from) -> None:
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_from(page.text), "email": person.email,
                                "password": person.password})


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
                        ("patch", f"/api/v1/workshops/{wid}"),
                        ("post", f"/api/v1/workshops/{wid}/cancel"),
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


def test_edit_and_cancel_through_the_api(client, world, created, general):
    fac, url = headers(world.facilitator), f"/api/v1/workshops/{created['id']}"
    edited = client.patch(url, headers=fac, json={
        "place": "Mairie", "agenda": [{"title": "Gares", "minutes": 40, "channel": general}]})
    assert edited.status_code == 200, edited.text
    body = edited.get_json()
    assert (body["title"], body["place"], body["status"]) == ("Atelier gares", "Mairie", "planned")
    assert [(i["title"], i["minutes"], i["channel"]) for i in body["agenda"]] == [
        ("Gares", 40, general)]
    assert body["server_now"]
    assert client.get(url, headers=fac).get_json()["agenda"] == body["agenda"]
    assert client.patch(url, headers=headers(world.actor), json={"title": "x"}).status_code == 403
    assert client.post(f"{url}/cancel", headers=headers(world.observer)).status_code == 403
    cancelled = client.post(f"{url}/cancel", headers=fac, json={"reason": "Salle indisponible"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "Salle indisponible"
    for method, path in (("patch", url), ("post", f"{url}/cancel"), ("post", f"{url}/start")):
        refused = getattr(client, method)(path, headers=fac, json={"title": "Reprise"})
        assert refused.status_code == 409, path
        assert refused.get_json()["error"]["code"] == "workshop_cancelled"


def test_a_live_workshop_is_not_edited_nor_cancelled(client, world, created):
    fac, url = headers(world.facilitator), f"/api/v1/workshops/{created['id']}"
    client.post(f"{url}/start", headers=fac)
    assert client.patch(url, headers=fac, json={"title": "x"}).status_code == 409
    assert client.post(f"{url}/cancel", headers=fac).status_code == 409  # no body
    assert client.get(url, headers=fac).get_json()["status"] == "live"


def test_bad_edits_are_4xx_never_500(client, world, created):
    fac, url = headers(world.facilitator), f"/api/v1/workshops/{created['id']}"
    for body in ([1], "texte", {"title": ""}, {"title": 5}, {"starts_at": "x"},
                 {"starts_at": "99999-12-03T14:00"}, {"place": None, "online_url": None},
                 {"invited": {"a": 1}}, {"agenda": "x"}, {"agenda": [{"minutes": 10**30}]},
                 {"agenda": [{"title": "a", "minutes": 5, "channel": "abc"}]},
                 {"agenda": [{"title": "a", "minutes": 5, "channel": 999999}]}):
        response = client.patch(url, headers=fac, json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    assert client.patch(url, headers=fac, data="{", content_type="application/json"
                        ).status_code == 400
    for body in ({"reason": 5}, {"reason": "x" * 2001}, [1]):
        response = client.post(f"{url}/cancel", headers=fac, json=body)
        assert 400 <= response.status_code < 500, (body, response.text)
    assert client.get(url, headers=fac).get_json() | {"server_now": None} == created | {
        "server_now": None}
    assert client.patch("/api/v1/workshops/999999", headers=fac, json={}).status_code == 404


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
    assert f'href="/t/{SLUG}/workshops/{wid}/minutes.pdf"' in minutes.text
    pdf = client.get(f"/t/{SLUG}/workshops/{wid}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content_type == "application/pdf"
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages]
    assert "Compte rendu" in pages[0] and "Sommaire" in pages[1]
    assert re.search(r"^1 .+ 3$", pages[1], re.M)  # contents with page numbers
    assert "Maraude" in "\n".join(pages[2:]) and pages[-1].endswith(f"/ {len(pages)}")
    assert client.get(f"/t/{SLUG}/workshops/{wid}/minutes.exe").status_code == 404


def test_edit_and_cancel_pages(client, world, created, general, csrf_from):
    wid = created["id"]
    sign_in(client, world.facilitator, csrf_from)
    page = client.get(f"/t/{SLUG}/workshops/{wid}")
    assert "Modifier l'atelier" in page.text and "Annuler l'atelier" in page.text
    edit_url = f"/t/{SLUG}/workshops/{wid}/edit"
    form = client.get(edit_url)
    assert form.status_code == 200 and "<h1>Modifier l'atelier</h1>" in form.text
    for shown in ('value="Atelier gares"', 'value="2026-12-03T14:00"', 'value="Préfecture"',
                  'value="Tour de table"', 'value="Gares"', 'value="25"'):
        assert shown in form.text, shown
    token = csrf_from(form.text)
    fields = {"csrf_token": token, "title": "Atelier gares et parvis",
              "starts_at": "2026-12-04T10:00", "place": "Mairie", "online_url": "",
              "invited": "DDSP 13\nHabitat 13", "item-0-title": "Tour de table",
              "item-0-minutes": "10", "item-1-title": "Parvis", "item-1-minutes": "20",
              "item-1-channel": str(general)}
    refused = client.post(edit_url, data={**fields, "item-1-minutes": "0"})
    assert refused.status_code == 422 and "Durée d&#39;un point" in refused.text
    assert 'value="Atelier gares et parvis"' in refused.text  # what was typed stays
    saved = client.post(edit_url, data=fields)
    assert saved.status_code == 302 and saved.location.endswith(f"/workshops/{wid}")
    page = client.get(f"/t/{SLUG}/workshops/{wid}")
    assert "Atelier modifié." in page.text and "Atelier gares et parvis" in page.text
    resource = client.get(f"/api/v1/workshops/{wid}").get_json()
    assert (resource["starts_at"], resource["place"]) == ("2026-12-04T09:00:00+00:00", "Mairie")
    assert resource["invited"] == ["DDSP 13", "Habitat 13"]
    assert [(i["title"], i["minutes"], i["channel"]) for i in resource["agenda"]] == [
        ("Tour de table", 10, None), ("Parvis", 20, general)]

    cancelled = client.post(f"/t/{SLUG}/workshops/{wid}/cancel",
                            data={"csrf_token": token, "reason": "Salle indisponible"})
    assert cancelled.status_code == 302
    page = client.get(f"/t/{SLUG}/workshops/{wid}")
    assert "Cet atelier a été annulé le" in page.text
    assert "Motif : Salle indisponible" in page.text
    assert "Ouvrir l'atelier" not in page.text and "Modifier l'atelier" not in page.text
    listing = client.get(f"/t/{SLUG}/workshops")
    past = listing.text.split('id="past-heading"')[1]
    assert "Atelier gares et parvis" in past and "Annulé" in past
    assert client.get(edit_url).status_code == 302  # nothing left to edit
    assert client.post(f"/t/{SLUG}/workshops/{wid}/start",
                       data={"csrf_token": token}).status_code == 302
    assert client.get(f"/api/v1/workshops/{wid}").get_json()["status"] == "cancelled"


def test_members_other_than_facilitators_get_no_edit_page(client, world, created, csrf_from):
    sign_in(client, world.actor, csrf_from)
    page = client.get(f"/t/{SLUG}/workshops/{created['id']}")
    assert "Modifier l'atelier" not in page.text and "Annuler l'atelier" not in page.text
    assert client.get(f"/t/{SLUG}/workshops/{created['id']}/edit").status_code == 403
    token = csrf_from(page.text)
    assert client.post(f"/t/{SLUG}/workshops/{created['id']}/cancel",
                       data={"csrf_token": token}).status_code == 403


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
