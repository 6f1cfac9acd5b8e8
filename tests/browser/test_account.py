"""The account in Chromium, as a person would: a forgotten password (from the login page to
signing in with the new one, following the link of the mail), and the account page's
profile, password, sign-ins, data download and deletion."""
from __future__ import annotations

import json
from pathlib import Path
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


# --- the account page ----------------------------------------------------------------------

def open_account(page, server):
    page.goto(server.url + "/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")


def test_name_language_and_time_zone_change_from_the_account_page(server, world,
                                                                  signed_in_page):
    page = signed_in_page(world.actor)
    open_account(page, server)
    page.get_by_label("Nom et prénom").fill("Paul Police-Martin")
    page.get_by_label("Langue de l'interface et des messages").select_option("en")
    page.get_by_label("Fuseau horaire").select_option("America/Cayenne")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.get_by_role("status")).to_contain_text("Your details have been saved.")
    expect(page.get_by_label("Full name")).to_have_value("Paul Police-Martin")
    expect(page.get_by_label("Time zone")).to_have_value("America/Cayenne")


def test_a_new_password_ends_the_other_sign_ins_and_keeps_this_one(server, world, page,
                                                                   new_context, sign_in):
    elsewhere = sign_in(new_context().new_page(), world.actor)
    sign_in(page, world.actor)
    open_account(page, server)
    expect(page.get_by_role("table").filter(has_text="Appareil")).to_contain_text(
        "(cette connexion)")
    page.get_by_label("Ancien mot de passe").fill(world.actor.password)
    page.get_by_label("Nouveau mot de passe (12 caractères minimum)").fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Changer le mot de passe").click()
    expect(page.get_by_role("status")).to_contain_text("Vos autres connexions (1) ont pris fin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    elsewhere.goto(server.url + "/account")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Connexion")


def test_ending_the_other_sign_ins_from_the_account_page(server, world, page, new_context,
                                                         sign_in):
    elsewhere = sign_in(new_context().new_page(), world.actor)
    sign_in(page, world.actor)
    open_account(page, server)
    page.get_by_role("button", name="Terminer toutes les autres connexions").click()
    expect(page.get_by_role("status")).to_contain_text("Vos autres connexions (1) ont pris fin")
    expect(page.get_by_role("button", name="Terminer toutes les autres connexions")).to_have_count(0)
    elsewhere.reload()
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Connexion")


def test_my_data_is_downloaded_then_my_account_deleted(server, world, signed_in_page,
                                                       new_context, sign_in):
    page = signed_in_page(world.actor)
    open_account(page, server)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger mes données").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == world.actor.email

    page.get_by_label("Mot de passe du compte, pour confirmer").fill(world.actor.password)
    page.get_by_role("button", name="Supprimer mon compte").click()
    expect(page.get_by_text("Cochez cette case pour confirmer.")).to_be_visible()
    page.get_by_label("Mot de passe du compte, pour confirmer").fill(world.actor.password)
    page.get_by_label("Je comprends que mon compte sera supprimé définitivement").check()
    page.get_by_role("button", name="Supprimer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    expect(page.get_by_role("status")).to_contain_text("Votre compte a été supprimé")
