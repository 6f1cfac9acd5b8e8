"""The pages as a person uses them: through Chromium, against a real server."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from concert.services import members, territories
from concert.schemas.territories import InvitationInput

# Playwright's init scripts run outside the page's CSP: this one records any violation.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def invitation_path(world, email="nouvelle@example.org") -> str:
    """A fresh invitation's path (the service builds the URL on the default address)."""
    url = members.invite(
        territories.system_access(world.slug), InvitationInput(
            email=email, role="actor", organisation="Ville test", organisation_kind="commune")
    )[1]
    return urlsplit(url).path


def test_actor_signs_in_and_opens_their_territory(server, world, signed_in_page):
    page = signed_in_page(world.actor)

    expect(page).to_have_url(server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")
    page.get_by_role("link", name="Métropole test").click()

    expect(page).to_have_url(server.url + "/t/metropole/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Métropole test")
    expect(page.get_by_text(world.actors[1].name).first).to_be_visible()


def test_facilitator_invites_and_the_invitee_joins(server, world, signed_in_page,
                                                   new_context):
    page = signed_in_page(world.facilitator)
    page.goto(server.url + "/t/metropole/members")
    page.get_by_label("Adresse e-mail").fill("nina@example.org")
    page.get_by_label("Rôle", exact=True).select_option(label="Acteur")
    page.get_by_label("Organisation", exact=True).fill("Ville de Marseille")
    page.get_by_label("Type d'organisation").select_option(label="Commune")
    page.get_by_role("button", name="Créer l'invitation").click()

    expect(page.get_by_text("Invitation envoyée par courriel à nina@example.org.")).to_be_visible()
    link = page.get_by_label("Lien d'invitation").input_value()
    assert re.search(r"/invite/[\w-]+$", link), link

    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(
        "Rejoindre « Métropole test »"
    )
    invitee.get_by_label("Nom et prénom").fill("Nina Nouvelle")
    invitee.get_by_label("Mot de passe (12 caractères minimum)").fill("un mot de passe long")
    invitee.get_by_label("Confirmez le mot de passe").fill("un mot de passe long")
    invitee.get_by_role("button", name="Rejoindre le territoire").click()

    expect(invitee).to_have_url(server.url + "/t/metropole/")
    expect(invitee.get_by_text("Bienvenue dans « Métropole test »")).to_be_visible()
    expect(invitee.get_by_text("Nina Nouvelle").first).to_be_visible()


def test_wrong_password_shows_an_error_and_stays_on_login(server, world, page):
    page.goto(server.url + "/login")
    page.get_by_label("Adresse e-mail").fill(world.actor.email)
    page.get_by_label("Mot de passe", exact=True).fill("not the password")
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_label("Adresse e-mail")).to_have_value(world.actor.email)


def test_keyboard_only_sign_in(server, world, page):
    page.goto(server.url + "/login")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse e-mail")).to_be_focused()
    page.keyboard.type(world.actor.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mot de passe", exact=True)).to_be_focused()
    page.keyboard.type(world.actor.password)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")


def test_pages_have_no_console_errors_nor_csp_violations(server, world, new_context):
    context = new_context()
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    expected_status = {"code": 200}
    problems = []

    def on_console(msg) -> None:
        # Chromium reports a document served with an error status as a console error: the
        # 404 page and the refused login are meant to carry theirs.
        own_status = (f"the server responded with a status of {expected_status['code']}"
                      in msg.text and msg.location.get("url") == page.url)
        if msg.type == "error" and not own_status:
            problems.append(f"{page.url}: console error: {msg.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: uncaught {exc}"))

    def check() -> None:
        page.wait_for_load_state("load")
        problems.extend(f"{page.url}: CSP violation: {violation}"
                        for violation in page.evaluate("window.__cspViolations"))

    def visit(path: str, status: int = 200) -> None:
        expected_status["code"] = status
        assert page.goto(server.url + path).status == status, path
        check()

    def sign_in(password: str, status: int) -> None:
        expected_status["code"] = status
        page.get_by_label("Adresse e-mail").fill(world.facilitator.email)
        page.get_by_label("Mot de passe", exact=True).fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        check()

    visit(invitation_path(world))
    visit("/page-qui-n-existe-pas", 404)
    visit("/login")
    sign_in("not the password", 401)
    sign_in(world.facilitator.password, 200)
    for path in ("/", "/t/metropole/", "/t/metropole/members"):
        visit(path)
    visit("/t/metropole/page-qui-n-existe-pas", 404)

    assert problems == []
