"""The header's bell in Chromium: the count, the panel opened and closed from the keyboard,
a notification arriving live on the workspace, marking all read."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from concert.schemas.territories import PhaseInput
from concert.services import territories
from tests.conftest import as_


def test_the_bell_shows_opens_updates_live_and_marks_read(server, world, api, contribute,
                                                           signed_in_page):
    police, bailleur = world.actors
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="drafting"))
    parent = contribute(police, "message", "Qui a les chiffres des gares ?")
    page = signed_in_page(police)
    page.goto(server.url + f"/t/{world.slug}/")
    bell = page.get_by_role("button", name=re.compile("^Notifications"))
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(bell).to_contain_text("1")

    bell.focus()
    page.keyboard.press("Enter")
    expect(bell).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#bell-panel")
    expect(panel).to_contain_text("Le territoire passe en phase « Rédaction ».")
    page.keyboard.press("Escape")
    expect(bell).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    expect(bell).to_be_focused()

    api(bailleur).post(f"/territories/{world.slug}/posts", json={
        "channel": parent["channel"], "kind": "message", "body": "Nous les avons.",
        "reply_to": parent["id"]})
    expect(bell).to_contain_text("2 non lues")
    expect(page.locator("[data-bell-status]")).to_contain_text("Nouvelle notification")

    bell.click()
    expect(panel).to_contain_text("Béatrice Bailleur a répondu à votre message")
    panel.get_by_role("button", name="Tout marquer comme lu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("button", name=re.compile("^Notifications"))).to_contain_text(
        "aucune non lue")
