"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, against the live server."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from ..conftest import need, wait_for_disconnections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
HERE = Path(__file__).resolve().parent
AXE = HERE.parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items):
    # Hooks of a conftest see every collected item: mark only the ones in this folder.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        need("Chromium", f"{CHROMIUM} is missing (run `make chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, app):
    """Opens browser contexts (French, desktop size unless told) closed after the test,
    once the live server has handled their pages' disconnections."""
    contexts = []

    def open_context(**options):
        options = {"locale": "fr-FR", "viewport": DESKTOP, **options}
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    with app.app_context():
        wait_for_disconnections()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def sign_in(live_server):
    """`sign_in(page, person)`: signs in through the real login form, as a person would."""

    def sign_in(page, person):
        page.goto(live_server.url + "/login")
        page.get_by_label("Adresse e-mail").fill(person.email)
        page.get_by_label("Mot de passe", exact=True).fill(person.password)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")
        return page

    return sign_in


@pytest.fixture
def signed_in_page(page, sign_in):
    """`signed_in_page(person)`: the test's page, signed in as that person."""
    return lambda person: sign_in(page, person)


@pytest.fixture
def axe(server):
    """`axe(page)`: the WCAG 2.1 A and AA violations axe-core finds on the page as it is
    (its context opened with bypass_csp=True: the CSP rightly blocks the injected script)."""
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (run `npm ci`)")

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(AXE))
        results = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        return [f"{v['id']}: {v['help']} — {[n['target'] for n in v['nodes']]}"
                for v in results["violations"]]

    return run


def open_workspace(page, server, path: str = "/t/metropole/"):
    """Opens the chat and waits until it is live (joined to the territory)."""
    page.goto(server.url + path)
    expect(page.locator("[data-workspace]")).to_have_attribute("data-link-state", "online")
    return page
