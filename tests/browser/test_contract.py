"""The contract page in Chromium: a commitment created elsewhere, or a section edited
elsewhere, appears in the open draft without a reload; the page, and a comparison of versions, pass axe on desktop and phone."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from concert.db import db

from .test_accessibility import AXE, DESKTOP, PHONE, WCAG_21_AA, describe

SLUG = "metropole"


def api_as(server, person) -> requests.Session:
    session = requests.Session()
    session.headers.update(person.bearer())
    return session


@pytest.fixture(autouse=True)
def tokens(server, world):
    """Issued before any page opens: the test process then leaves the database alone."""
    world.facilitator.bearer()
    db.session.commit()


def create_commitment(server, world, title: str, party: str = "collectivite") -> dict:
    response = api_as(server, world.facilitator).post(
        f"{server.url}/api/v1/territories/{SLUG}/commitments", timeout=30,
        json={"title": title, "party": party, "pilot": "Ville de Marseille",
              "indicators": [{"name": "Caméras raccordées", "unit": "caméras",
                              "baseline": 0, "target": 40}]})
    assert response.status_code == 201, response.text
    return response.json()


def open_contract(page, server, query: str = ""):
    page.goto(f"{server.url}/t/{SLUG}/contract{query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contrat de sécurité intégrée")
    return page


def test_a_new_commitment_appears_in_the_open_contract_without_reload(
        server, world, signed_in_page):
    page = open_contract(signed_in_page(world.actors[1]), server)
    expect(page.locator("#s-commitments")).to_contain_text(
        "Aucun engagement validé pour l'instant.")
    page.evaluate("window.notReloaded = true")

    created = create_commitment(server, world, "Raccordement des caméras au CSU")

    # A draft is listed apart, as a project, outside the contract proper.
    expect(page.locator("#s-drafts").get_by_role("heading", level=3)).to_have_text(
        "Projet — Raccordement des caméras au CSU (brouillon n° 1)", timeout=10000)
    expect(page.get_by_role("status")).to_have_text("Le projet de contrat a été mis à jour.")
    assert page.evaluate("window.notReloaded") is True

    # Validated, and renamed: it enters the act, numbered, with its indicators.
    api_as(server, world.facilitator).patch(
        f"{server.url}/api/v1/commitments/{created['id']}", timeout=30,
        json={"title": "Raccordement de 40 caméras au CSU", "status": "validated"})
    section = page.locator("#s-annex-fiches")
    expect(section.get_by_role("heading", level=3)).to_have_text(
        "Engagement n° 1 — Raccordement de 40 caméras au CSU", timeout=10000)
    expect(page.get_by_role("navigation", name="Sommaire")).to_contain_text(
        "Raccordement de 40 caméras au CSU")
    expect(page.locator("#s-evaluation")).to_contain_text("Caméras raccordées")
    expect(page.locator("#s-commitments")).to_contain_text(
        "Raccordement de 40 caméras au CSU (engagement n° 1)")

    # And a version frozen by a facilitator joins the list of versions.
    api_as(server, world.facilitator).post(
        f"{server.url}/api/v1/territories/{SLUG}/contract/versions", timeout=30,
        json={"note": "Relu en comité"})
    expect(page.locator("#contract-versions").get_by_role("link", name="Version 1")
           ).to_be_visible(timeout=10000)
    expect(page.locator("#contract-versions")).to_contain_text("Relu en comité")
    expect(page.get_by_role("status")).to_have_text("Nouvelle version figée.")
    assert page.evaluate("window.notReloaded") is True


def test_a_section_edited_elsewhere_appears_in_the_open_contract(server, world,
                                                                   signed_in_page):
    """Section texts have no event: the open page polls the draft (every 20 s), which answers
    304 while it is unchanged, so the page stays still until then. The page's clock is
    moved on rather than waited for."""
    page = signed_in_page(world.actor)
    page.clock.install()  # time still flows; fast_forward jumps the page's timers ahead
    open_contract(page, server)
    page.evaluate("window.notReloaded = true")
    with page.expect_response(lambda r: "partial=1" in r.url and r.status == 304):
        page.clock.fast_forward("00:21")  # the first poll finds nothing new
    expect(page.get_by_role("status")).to_have_text("")

    api_as(server, world.facilitator).put(
        f"{server.url}/api/v1/territories/{SLUG}/contract/sections/governance", timeout=30,
        json={"body": "Un comité de pilotage **trimestriel**."})
    with page.expect_response(lambda r: "partial=1" in r.url and r.status == 200):
        page.clock.fast_forward("00:21")
    expect(page.locator("#s-governance strong")).to_have_text("trimestriel")
    expect(page.get_by_role("status")).to_have_text("Le projet de contrat a été mis à jour.")
    assert page.evaluate("window.notReloaded") is True


def test_the_facilitator_freezes_a_version_and_compares_it(server, world, signed_in_page):
    create_commitment(server, world, "Patrouilles mixtes", "etat")
    page = open_contract(signed_in_page(world.facilitator), server)
    page.get_by_role("link", name="Modifier « Objet du contrat »").click()
    page.get_by_label("Texte (Markdown)").fill("Le présent contrat engage les **signataires**.")
    page.get_by_role("button", name="Enregistrer la section").click()
    expect(page.locator("#s-preamble strong")).to_have_text("signataires")

    page.get_by_label("Note de version").fill("Relu en comité")
    page.get_by_role("button", name="Figer une nouvelle version").click()
    expect(page.get_by_text("Version 1 figée.")).to_be_visible()

    create_commitment(server, world, "Vidéoprotection des collèges")
    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_role("heading", name="De la version 1 au projet de travail")).to_be_visible()
    expect(page.locator(".contract-diff")).to_contain_text(
        "Engagement n° 2 — Vidéoprotection des collèges")


@pytest.fixture(scope="module")
def axe_script():
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (run `npm ci`)")
    return str(AXE)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_contract_pages_meet_wcag_and_fit_a_phone(server, world, new_context, sign_in,
                                                  axe_script, viewport):
    create_commitment(server, world, "Patrouilles mixtes", "etat")
    facilitator = api_as(server, world.facilitator)
    facilitator.post(f"{server.url}/api/v1/territories/{SLUG}/contract/versions", json={},
                     timeout=30)
    facilitator.put(f"{server.url}/api/v1/territories/{SLUG}/contract/sections/governance",
                    json={"body": "Comité de pilotage **trimestriel**."}, timeout=30)
    page = sign_in(new_context(viewport=viewport, bypass_csp=True).new_page(),
                   world.facilitator)
    facilitator.post(f"{server.url}/api/v1/territories/{SLUG}/contract/signatories", json={
        "role": "etat", "organisation": "l'État", "person": "Mme Hélène Marchetti",
        "quality": "préfète des Bouches-du-Rhône"}, timeout=30)
    for path in ("", "/versions?from=1&to=draft", "/act"):
        page.goto(f"{server.url}/t/{SLUG}/contract{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.add_script_tag(path=axe_script)
        violations = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
        )["violations"]
        if violations:
            pytest.fail(f"axe on contract{path}:\n{describe(violations)}", pytrace=False)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"contract{path} is {width} px wide"


def test_the_facilitator_adds_a_signatory_and_the_act_names_them(server, world, signed_in_page):
    page = signed_in_page(world.facilitator)
    page.goto(f"{server.url}/t/{SLUG}/contract/act")
    form = page.locator("form", has=page.get_by_role("button", name="Enregistrer le signataire")).last
    form.get_by_label("Partie").select_option("collectivite")
    form.get_by_label("Organisation, telle que l'acte la nomme").fill("la commune de Marseille")
    form.get_by_label("Signataire").fill("M. Antoine Ferrand")
    form.get_by_label("Qualité").fill("maire de Marseille")
    form.get_by_label("Délibération : date").fill("2026-10-19")
    form.get_by_role("button", name="Enregistrer le signataire").click()
    expect(page.get_by_text("Signataire ajouté.")).to_be_visible()
    expect(page.locator("#signatories")).to_contain_text(
        "la commune de Marseille, représentée par M. Antoine Ferrand, maire de Marseille, "
        "autorisé par délibération du 19 octobre 2026")
    page.goto(f"{server.url}/t/{SLUG}/contract")
    expect(page.locator("#s-signatures")).to_contain_text("Maire de Marseille")
