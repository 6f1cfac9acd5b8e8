"""Mentions in Chromium: the composer completes `@` from the keyboard and the mouse (ARIA
combobox on the textarea, checked by axe with the list open); the post shows the mention
as a link, marked for the person mentioned."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from concert.db import db
from tests.browser.conftest import open_workspace
from tests.conftest import SLUG, join


def test_at_completes_names_from_the_keyboard_and_the_post_links_them(
        server, world, new_context, sign_in, axe):
    clara = join(SLUG, "clara@example.org", "Clara Dupont", "actor", "Mairie de Marseille",
                 "commune")
    db.session.rollback()
    page = open_workspace(sign_in(new_context(bypass_csp=True).new_page(), world.actor), server)
    textarea = page.get_by_label("Votre message")
    listbox = page.get_by_role("listbox", name="Personnes et organisations à mentionner")
    textarea.press_sequentially("Merci @cl")

    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(page.locator("[data-mention-status]").first).to_have_text("1 suggestion")
    expect(textarea).to_have_attribute("aria-autocomplete", "list")
    expect(textarea).to_have_attribute("aria-controls", listbox.get_attribute("id"))
    assert axe(page) == []

    textarea.press("ArrowDown")
    option = listbox.get_by_role("option", name=re.compile("Clara Dupont"))
    expect(option).to_have_attribute("aria-selected", "true")
    expect(textarea).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    textarea.press("Enter")
    expect(textarea).to_have_value("Merci @Clara Dupont ")
    expect(listbox).to_be_hidden()
    expect(textarea).not_to_have_attribute("aria-activedescendant", re.compile("."))

    # Escape closes the list and leaves the text; a click inserts an organisation.
    textarea.press_sequentially("et @hab")
    expect(listbox.get_by_role("option")).to_have_count(1)
    textarea.press("Escape")
    expect(listbox).to_be_hidden()
    expect(textarea).to_have_value("Merci @Clara Dupont et @hab")
    textarea.press_sequentially("i")
    listbox.get_by_role("option", name=re.compile("Habitat 13")).click()
    expect(textarea).to_have_value("Merci @Clara Dupont et @Habitat 13 ")
    expect(textarea).to_be_focused()

    textarea.press_sequentially("à demain")
    page.locator('[data-composer="composer"]').get_by_role("button", name="Envoyer").click()
    post = page.locator("[data-posts] .post").last
    link = post.get_by_role("link", name="@Clara Dupont")
    expect(link).to_have_attribute("href", f"/t/{SLUG}/#person-{clara.id}")
    expect(link).to_have_class("mention")
    expect(post.get_by_role("link", name="@Habitat 13")).to_have_class("mention")

    # Clara sees the mention of her marked, live and once the page is reloaded.
    theirs = open_workspace(sign_in(new_context().new_page(), clara), server)
    expect(theirs.get_by_role("link", name="@Clara Dupont").last).to_have_class(
        "mention mention--me")
    expect(theirs.get_by_role("link", name="@Habitat 13").last).to_have_class("mention")
