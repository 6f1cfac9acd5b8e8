"""A forgotten password in Chromium, as a person would: from the login page to signing in
with the new password, following the link of the mail."""
from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import mailed_link

NEW_PASSWORD = "une toute nouvelle phrase de passe"


def test_a_forgotten_password_is_reset_from_the_login_page(server, world, page):
    page.goto(server.url + "/login")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail de votre compte").fill(world.actor.email)
    page.get_by_role("button", name="Recevoir un lien").click()
    expect(page.get_by_role("status")).to_have_text(
        "Si un compte existe pour cette adresse, un lien vous a été envoyé.")

    link = mailed_link(world.actor.email, "/reset/")
    page.goto(server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau mot de passe")
    page.get_by_label("Nouveau mot de passe (12 caractères minimum)").fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe a été changé")

    page.get_by_label("Adresse e-mail").fill(world.actor.email)
    page.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")

    page.goto(server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lien de réinitialisation indisponible")
