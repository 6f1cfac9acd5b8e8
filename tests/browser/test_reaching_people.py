"""Reaching people, end to end in Chromium against a real server (no SMTP configured: the
mails are the instance's .eml files, as on `make run`): a facilitator invites by e-mail, the
invitee accepts from the mailed link and posts a mention, the person mentioned sees it arrive
on the bell, then finds it in their daily digest and follows the digest's link to the post."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from concert.db import db
from concert.services import notifications
from tests.browser.conftest import open_workspace
from tests.conftest import Received, mailed_link, mailed_message


def test_invite_accept_mention_bell_and_digest(server, world, new_context, sign_in):
    police = world.actor
    # The person to be mentioned takes mentions in their daily digest, from their account.
    mine = sign_in(new_context().new_page(), police)
    mine.goto(server.url + "/account")
    mine.get_by_role("link", name="Préférences de notification").click()
    mine.get_by_label("Mentions de moi ou de mon organisation").select_option(
        label="Résumé quotidien")
    mine.get_by_role("button", name="Enregistrer").click()
    open_workspace(mine, server, f"/t/{world.slug}/")
    bell = mine.get_by_role("button", name=re.compile("^Notifications"))
    expect(bell).to_contain_text("aucune non lue")

    # Invitation by e-mail; the link is in the mail only.
    facilitator = sign_in(new_context().new_page(), world.facilitator)
    facilitator.goto(server.url + f"/t/{world.slug}/members")
    facilitator.get_by_label("Adresse e-mail").fill("nina@example.org")
    facilitator.get_by_label("Rôle", exact=True).select_option(label="Acteur")
    facilitator.get_by_label("Organisation", exact=True).fill("Police municipale de Marseille")
    facilitator.get_by_label("Type d'organisation").select_option(label="Police municipale")
    facilitator.get_by_role("button", name="Créer l'invitation").click()
    expect(facilitator.get_by_text("Invitation envoyée par courriel à nina@example.org.")
           ).to_be_visible()

    invitee = new_context().new_page()
    invitee.goto(mailed_link("nina@example.org", "/invite/"))
    invitee.get_by_label("Nom et prénom").fill("Nina Nouvelle")
    invitee.get_by_label("Mot de passe (12 caractères minimum)").fill("un mot de passe long")
    invitee.get_by_label("Confirmez le mot de passe").fill("un mot de passe long")
    invitee.get_by_role("button", name="Rejoindre le territoire").click()
    expect(invitee).to_have_url(server.url + f"/t/{world.slug}/")
    expect(invitee.locator("[data-workspace]")).to_have_attribute("data-link-state", "online")

    # Her first post mentions the police actor, completed from the keyboard.
    textarea = invitee.get_by_label("Votre message")
    textarea.press_sequentially(f"Bonjour @{police.name[:4]}")
    listbox = invitee.get_by_role("listbox", name="Personnes et organisations à mentionner")
    expect(listbox.get_by_role("option", name=re.compile(police.name))).to_be_visible()
    textarea.press("ArrowDown")
    textarea.press("Enter")
    expect(textarea).to_have_value(f"Bonjour @{police.name} ")
    textarea.press_sequentially("pouvons-nous coordonner les rondes du marché ?")
    invitee.locator('[data-composer="composer"]').get_by_role("button", name="Envoyer").click()
    post = invitee.locator("[data-posts] .post").last
    expect(post.get_by_role("link", name=f"@{police.name}")).to_have_class("mention")

    # The bell of the person mentioned counts it, live, and says who and what.
    expect(bell).to_contain_text("1 non lue")
    bell.click()
    expect(mine.locator("#bell-panel")).to_contain_text(
        "Nina Nouvelle vous a mentionné : « Bonjour")

    # Daily digest (the server's round sends it from 7:00; here, at once): the mention is
    # in it, in French, with a one-click unsubscription, and its link opens the post.
    db.session.rollback()  # a fresh snapshot, no lock held: the server writes too
    assert notifications.send_digests("daily") == 1
    digest = mailed_message(police.email, "digest")
    assert digest["Subject"] == "Votre résumé quotidien concert"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = digest.get_body(("plain",)).get_content()
    assert "Nina Nouvelle vous a mentionné" in text and "rondes du marché" in text
    link = urlsplit(Received("", [police.email], digest).link(f"/t/{world.slug}/"))
    mine.goto(server.url + link.path + (f"?{link.query}" if link.query else "")
              + (f"#{link.fragment}" if link.fragment else ""))
    expect(mine.get_by_text("pouvons-nous coordonner les rondes du marché ?")).to_be_visible()
    # Sent once a day: a second round finds nothing to send.
    assert notifications.send_digests("daily") == 0
