"""WCAG 2.1 A and AA, checked by axe-core (from npm) on every main page, desktop and phone."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from concert.services import (
    account_links, channels, contract, members, posts, territories, workshops,
)
from concert.services.access import access
from concert.services.accounts import find_user
from concert.schemas.workshops import WorkshopInput
from tests.conftest import mailed_link
from concert.schemas.workspace import PostInput
from concert.schemas.contract import SectionInput
from concert.schemas.territories import InvitationInput, PhaseInput

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def open_login(page, base, world, sign_in):
    page.goto(base + "/login")
    return "Connexion"


def open_refused_login(page, base, world, sign_in):
    page.goto(base + "/login")
    page.get_by_label("Adresse e-mail").fill(world.actor.email)
    page.get_by_label("Mot de passe", exact=True).fill("not the password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    return "Connexion"


def open_home(page, base, world, sign_in):
    sign_in(page, world.actor)
    return "Mes territoires"


def open_admin_home(page, base, world, sign_in):
    sign_in(page, world.admin)
    return "Mes territoires"


def open_territory(page, base, world, sign_in):
    """As a facilitator, who sees every section of the territory."""
    sign_in(page, world.facilitator)
    page.goto(base + "/t/metropole/")
    return "Métropole test"


def open_members(page, base, world, sign_in):
    """With a pending invitation and the link just created: the page at its fullest."""
    sign_in(page, world.facilitator)
    page.goto(base + "/t/metropole/members")
    page.get_by_label("Adresse e-mail").fill("nina@example.org")
    page.get_by_label("Organisation", exact=True).fill("Ville de Marseille")
    page.get_by_role("button", name="Créer l'invitation").click()
    expect(page.get_by_label("Lien d'invitation")).to_be_visible()
    return "Membres du territoire"


def open_invitation(page, base, world, sign_in):
    url = members.invite(
        territories.system_access(world.slug), InvitationInput(
            email="nina@example.org", role="actor", organisation="Ville test",
            organisation_kind="commune"),
    )[1]
    page.goto(base + urlsplit(url).path)
    return "Rejoindre « Métropole test »"


def open_not_found(page, base, world, sign_in):
    sign_in(page, world.actor)
    page.goto(base + "/t/metropole/page-qui-n-existe-pas")
    return "Erreur 404"


def open_workshop_edit(page, base, world, sign_in):
    """A planned workshop's edit form, its fields filled in."""
    workshop = workshops.create(access(find_user(world.facilitator.email), world.slug), WorkshopInput(
        **{
        "title": "Atelier abords des gares", "starts_at": "2026-12-03T14:00",
        "place": "Préfecture, salle 2", "invited": ["DDSP 13", "Habitat 13"],
        "agenda": [{"title": "Tour de table", "minutes": 10},
                   {"title": "Propositions pour la gare", "minutes": 30}]}))
    sign_in(page, world.facilitator)
    page.goto(f"{base}/t/{world.slug}/workshops/{workshop.id}/edit")
    return "Modifier l'atelier"


def open_password_reset(page, base, world, sign_in):
    page.goto(base + "/login")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    return "Mot de passe oublié"


def open_new_password(page, base, world, sign_in):
    account_links.request_password_reset(world.actor.email)
    page.goto(base + urlsplit(mailed_link(world.actor.email, "/reset/")).path)
    return "Nouveau mot de passe"


def open_account(page, base, world, sign_in):
    """With a token just created from the keyboard (Enter in the form), and listed."""
    sign_in(page, world.actor)
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_label("Nom du jeton").fill("Tableur de suivi")
    page.get_by_label("Votre mot de passe").fill(world.actor.password)
    page.get_by_label("Votre mot de passe").press("Enter")
    expect(page.get_by_label("Nouveau jeton")).to_have_value(re.compile("^cct_"))
    expect(page.get_by_role("button", name="Révoquer le jeton Tableur de suivi")).to_be_visible()
    return "Mon compte"


def open_admin(page, base, world, sign_in):
    """The platform admin's page, searching for people."""
    sign_in(page, world.admin)
    page.get_by_role("link", name="Administration").click()
    page.get_by_label("Nom ou adresse e-mail").fill("example.org")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name=f"Exporter les données de {world.actor.name}")
           ).to_be_visible()
    return "Administration de la plateforme"


def open_consolidation(page, base, world, sign_in):
    """With likely duplicates, each contribution's own, and the filters."""
    where = access(find_user(world.actor.email), world.slug)
    channel = channels.list_channels(where)[0].id
    for body in ("Éclairage du parking de la gare", "Éclairages au parking de la gare",
                 "Médiation au collège Longchamp"):
        posts.create_post(where, PostInput(channel=channel, kind="need", body=body))
    sign_in(page, world.facilitator)
    page.goto(f"{base}/t/{world.slug}/consolidation")
    return "Consolidation des besoins et propositions"


def open_search(page, base, world, sign_in):
    """Results of several kinds, highlighted, with the filters."""
    where = access(find_user(world.actor.email), world.slug)
    channel = channels.list_channels(where)[0].id
    for body in ("Patrouilles au parking de la gare", "Patrouille au collège Longchamp"):
        posts.create_post(where, PostInput(channel=channel, kind="need", body=body))
    sign_in(page, world.actor)
    page.goto(f"{base}/t/{world.slug}/search?q=patrouilles")
    return "Recherche"

def open_evaluation(page, base, world, sign_in):
    """As a facilitator: the years with their synthesis forms."""
    sign_in(page, world.facilitator)
    page.goto(f"{base}/t/{world.slug}/evaluation")
    return "Évaluation du contrat"


def open_governance(page, base, world, sign_in):
    sign_in(page, world.facilitator)
    page.goto(f"{base}/t/{world.slug}/governance")
    return "Gouvernance du contrat"


def open_amendments(page, base, world, sign_in):
    """Signed, with a change pending: the next avenant's articles and its form."""
    where = access(find_user(world.facilitator.email), world.slug)
    territories.set_phase(where, PhaseInput(phase="signed"))
    contract.set_section(where, "governance", SectionInput(body="Un COPIL par semestre."))
    sign_in(page, world.facilitator)
    page.goto(f"{base}/t/{world.slug}/amendments")
    return "Avenants au contrat"


PAGES = {
    "login": open_login,
    "login-refused": open_refused_login,
    "home": open_home,
    "home-admin": open_admin_home,
    "territory": open_territory,
    "members": open_members,
    "invitation": open_invitation,
    "not-found": open_not_found,
    "workshop-edit": open_workshop_edit,
    "password-reset": open_password_reset,
    "new-password": open_new_password,
    "account": open_account,
    "admin": open_admin,
    "consolidation": open_consolidation,
    "search": open_search,
    "evaluation": open_evaluation,
    "governance": open_governance,
    "amendments": open_amendments,
}

# Pages that scroll sideways on a phone (WCAG 1.4.10, Reflow, which axe does not check).
SIDEWAYS_ON_PHONE: dict[str, str] = {}


@pytest.fixture(scope="session")
def axe_source() -> Path:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing")
        pytest.skip(f"{AXE} is missing (run `npm ci`)")
    return AXE


@pytest.fixture
def open_page(server, world, new_context, sign_in):
    """`open_page(name, viewport)`: that page at that size, checked to be the right one."""

    def open_(name: str, viewport: dict, **context_options):
        page = new_context(viewport=viewport, **context_options).new_page()
        heading = PAGES[name](page, server.url, world, sign_in)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        return page

    return open_


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_meets_wcag_21_aa(open_page, axe_source, name, viewport):
    # The app's CSP (default-src 'self') rightly blocks the inline script that
    # add_script_tag injects: the axe tests, and only they, bypass it.
    page = open_page(name, viewport, bypass_csp=True)
    page.add_script_tag(path=str(axe_source))
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )["violations"]
    if violations:
        pytest.fail(f"axe on {name}:\n{describe(violations)}", pytrace=False)


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=SIDEWAYS_ON_PHONE[name]))
    if name in SIDEWAYS_ON_PHONE else name
    for name in PAGES
])
def test_phone_page_does_not_scroll_sideways(open_page, name):
    page = open_page(name, PHONE)
    # The elements whose right edge sets the page's width are the ones to fix.
    width, widest = page.evaluate("""() => {
      const width = document.documentElement.scrollWidth;
      const widest = [...document.body.querySelectorAll('*')]
        .filter(e => Math.abs(e.getBoundingClientRect().right + scrollX - width) <= 1)
        .map(e => `<${e.tagName.toLowerCase()} class="${e.className}"> `
                  + e.textContent.replace(/\\s+/g, ' ').trim().slice(0, 40));
      return [width, widest.slice(0, 5)];
    }""")
    if width > PHONE["width"]:
        pytest.fail(f"{name} is {width} px wide on a {PHONE['width']} px screen, because of:\n  "
                    + "\n  ".join(widest), pytrace=False)
