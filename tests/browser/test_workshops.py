"""A workshop in the browser: members follow the live page while the facilitator runs it
through the API; the projector view shows the current item, its timer, the latest
contributions and the vote's results; both pass axe (WCAG 2.1 AA)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .test_accessibility import WCAG_21_AA, axe_source, describe  # noqa: F401  (fixture)
from .test_workspace import channel_ids

SLUG = "metropole"


@pytest.fixture
def workshop(api, world) -> dict:
    general = channel_ids(world)[0]
    created = api(world.facilitator).post(f"/territories/{SLUG}/workshops", json={
        "title": "Atelier abords des gares", "starts_at": "2026-12-03T14:00",
        "place": "Préfecture, salle 2", "invited": ["DDSP 13"],
        "agenda": [{"title": "Tour de table", "minutes": 10},
                   {"title": "Propositions pour la gare", "minutes": 30, "channel": general}]})
    assert created.status_code == 201, created.text
    started = api(world.facilitator).post(f"/workshops/{created.json()['id']}/start")
    assert started.status_code == 200, started.text
    return started.json()


def run_axe(page, source, name: str) -> None:
    page.add_script_tag(path=str(source))
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )["violations"]
    if violations:
        pytest.fail(f"axe on {name}:\n{describe(violations)}", pytrace=False)


def workshop_url(server, workshop, suffix="") -> str:
    return f"{server.url}/t/{SLUG}/workshops/{workshop['id']}{suffix}"


def test_the_live_page_follows_the_facilitator(server, world, workshop, api, new_context,
                                               sign_in, axe_source):
    member = sign_in(new_context(bypass_csp=True).new_page(), world.actors[0])
    member.goto(workshop_url(server, workshop))
    expect(member.get_by_role("heading", level=1)).to_have_text("Atelier abords des gares")
    current = member.locator(".agenda-list__item[aria-current=step]")
    expect(current).to_contain_text("Tour de table")
    timer = member.locator("#workshop-timer")
    expect(timer.get_by_role("timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(timer).to_contain_text("restantes")
    expect(member.locator("#live-status")).to_have_text("En direct")

    # Who is present: the facilitator's page lists the member once they are there.
    facilitator = sign_in(new_context().new_page(), world.facilitator)
    facilitator.goto(workshop_url(server, workshop))
    expect(facilitator.locator("#present-list")).to_contain_text(world.actors[0].name)

    moved = api(world.facilitator).post(f"/workshops/{workshop['id']}/agenda",
                                        json={"to": "next"}).json()
    # No reload: the new item, and a timer on the server's end time, for everyone.
    expect(current).to_contain_text("Propositions pour la gare")
    expect(member.locator("#workshop-timer")).to_have_attribute(
        "data-ends-at", moved["item_ends_at"])
    expect(facilitator.locator("#workshop-timer")).to_have_attribute(
        "data-ends-at", moved["item_ends_at"])
    expect(member.get_by_label("Canal")).to_be_visible()

    member.get_by_label("Votre contribution (Markdown)").fill("Des **médiateurs** le soir")
    member.get_by_role("button", name="Publier").click()
    expect(member.locator(".feed-item").first).to_contain_text("médiateurs le soir")
    expect(facilitator.locator(".feed-item").first).to_contain_text("médiateurs le soir")
    expect(facilitator.locator(".feed-item").first.get_by_role("link", name="Retenir comme engagement")
           ).to_be_visible()
    run_axe(member, axe_source, "workshop page")


def test_the_projector_shows_the_item_the_timer_and_the_vote(server, world, workshop, api,
                                                             new_context, sign_in, axe_source):
    general = channel_ids(world)[0]
    ids = [api(world.actors[1]).post(f"/territories/{SLUG}/posts", json={
        "channel": general, "kind": "proposal", "body": body, "workshop": workshop["id"]}
    ).json()["id"] for body in ("Médiation de nuit", "Éclairage du parvis")]
    projector = sign_in(new_context(bypass_csp=True).new_page(), world.facilitator)
    projector.goto(workshop_url(server, workshop, "/projector"))
    expect(projector.locator(".projector__item")).to_contain_text("Tour de table")
    expect(projector.get_by_role("timer")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    expect(projector.locator(".projector__feed")).to_contain_text("Éclairage du parvis")
    expect(projector.locator("#live-status")).to_have_text("En direct")

    facilitator = api(world.facilitator)
    vote = facilitator.post(f"/workshops/{workshop['id']}/votes", json={
        "question": "Que retenir ?", "dots": 2, "posts": ids}).json()
    dots = f"/workshops/{workshop['id']}/votes/{vote['id']}/dots"
    assert api(world.actors[0]).post(dots, json={"post": ids[1], "slot": 0}).ok
    assert api(world.actors[0]).post(dots, json={"post": ids[1], "slot": 1}).ok
    results = projector.locator(".projector__vote")
    expect(results).to_contain_text("Que retenir ?")
    expect(results.locator("li").first).to_contain_text("2")
    expect(results.locator("li").first).to_contain_text("Éclairage du parvis")
    facilitator.post(f"/workshops/{workshop['id']}/agenda", json={"to": "next"})
    expect(projector.locator(".projector__item")).to_contain_text("Propositions pour la gare")
    run_axe(projector, axe_source, "projector")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_the_list_and_the_minutes_read_well(server, world, workshop, api, new_context, sign_in,
                                            axe_source, viewport):
    api(world.facilitator).post(f"/workshops/{workshop['id']}/close")
    page = sign_in(new_context(bypass_csp=True, viewport=viewport).new_page(), world.facilitator)
    page.goto(f"{server.url}/t/{SLUG}/workshops")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ateliers")
    expect(page.get_by_role("navigation", name="Sections du territoire").get_by_role(
        "link", name="Ateliers")).to_have_attribute("aria-current", "page")
    run_axe(page, axe_source, "workshops")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.get_by_role("link", name="Atelier abords des gares").click()
    page.get_by_role("link", name="Compte rendu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compte rendu")
    expect(page.get_by_role("link", name="Word (DOCX)")).to_be_visible()
    run_axe(page, axe_source, "minutes")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1


def test_a_facilitator_edits_then_cancels_a_planned_workshop(server, world, api, new_context,
                                                             sign_in, axe_source):
    planned = api(world.facilitator).post(f"/territories/{SLUG}/workshops", json={
        "title": "Atelier bailleurs", "starts_at": "2026-12-08T09:30", "place": "Mairie",
        "agenda": [{"title": "Halls d'immeubles", "minutes": 20}]}).json()
    page = sign_in(new_context(bypass_csp=True).new_page(), world.facilitator)
    page.goto(workshop_url(server, planned))
    page.get_by_role("link", name="Modifier l'atelier").click()
    expect(page.get_by_label("Lieu")).to_have_value("Mairie")
    expect(page.get_by_label("Intitulé du point 1")).to_have_value("Halls d'immeubles")
    page.get_by_label("Lieu").fill("Maison du projet")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Atelier bailleurs")
    expect(page.locator(".workshop-meta")).to_contain_text("Maison du projet")

    page.get_by_text("Annuler l'atelier…").click()
    page.get_by_label("Motif de l'annulation (facultatif, visible par tous)").fill("Report")
    run_axe(page, axe_source, "planned workshop, cancellation open")
    page.get_by_role("button", name="Confirmer l'annulation").click()
    expect(page.get_by_text("Cet atelier a été annulé le")).to_be_visible()
    expect(page.get_by_role("button", name="Ouvrir l'atelier")).to_have_count(0)
