"""The account's links by mail, through the pages (no JavaScript) and the API, delivered to a
real SMTP server (aiosmtpd): a forgotten password, and a new e-mail address."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog, EmailChange, LoginSession, PasswordReset, utcnow
from concert.services import accounts, mail
from tests.conftest import PASSWORD, _csrf_from, client_sign_in

NEW_PASSWORD = "une toute nouvelle phrase de passe"


def delivered_to(smtp, email: str) -> list:
    mail.deliver_due()
    return [m for m in smtp.messages if email in m.recipients
            and m.message["Subject"] and "Invitation à rejoindre" not in m.message["Subject"]]


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def submit(client, path: str, to: str | None = None, **data):
    """Fills the form of the page at `path` and posts it (to `to`, else to the page)."""
    page = client.get(path).get_data(as_text=True)
    return client.post(to or path, data={"csrf_token": _csrf_from(page), **data})


def without_csrf(answer) -> str:
    """A page without its CSRF tokens (they carry the second they were made in)."""
    return re.sub(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]+', r"\1",
                  answer.get_data(as_text=True))


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


# --- a forgotten password ----------------------------------------------------------------

def test_the_reset_pages_work_without_javascript(smtp, world, client):
    client_sign_in(client, world.actor.email)  # in this browser too, the sign-in ends
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/password-reset"' in login and "Mot de passe oublié ?" in login
    form = client.get("/password-reset").get_data(as_text=True)
    assert 'name="csrf_token"' in form and '<label class="field__label" for="email">' in form
    known = submit(client, "/password-reset", email=world.actor.email)
    unknown = submit(client, "/password-reset", email="personne@example.org")
    assert known.status_code == unknown.status_code == 200
    sent = "Si un compte existe pour cette adresse, un lien vous a été envoyé."
    assert sent in known.get_data(as_text=True)
    assert without_csrf(known) == without_csrf(unknown)

    [received] = delivered_to(smtp, world.actor.email)
    assert delivered_to(smtp, "personne@example.org") == []
    assert received.message["Content-Language"] == "fr"
    assert "parce que quelqu'un a demandé à réinitialiser le mot de passe" in received.part(
        "plain")
    assert "<img" not in received.part("html")
    path = path_of(received.link("/reset/"))
    mismatch = submit(client, path, password=NEW_PASSWORD, confirm="autre chose encore")
    assert mismatch.status_code == 422 and "Les mots de passe diffèrent." in mismatch.get_data(
        as_text=True)
    short = submit(client, path, password="court", confirm="court")
    assert short.status_code == 422 and "au moins 12 caractères" in short.get_data(as_text=True)
    done = submit(client, path, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert "Votre mot de passe a été changé" in client.get("/login").get_data(as_text=True)
    assert client.get("/account").status_code == 302
    client_sign_in(client, world.actor.email, NEW_PASSWORD)
    closed = client.get(path)
    assert closed.status_code == 410 and "déjà servi" in closed.get_data(as_text=True)
    assert actions()[-3:] == ["password.reset_request", "password.reset_request",
                              "password.reset"]


def test_through_the_api_a_link_works_once_and_ends_sessions_and_tokens(smtp, world, client):
    bearer = world.actor.bearer()
    accounts.start_login_session(accounts.find_user(world.actor.email))
    assert client.post("/api/v1/password-reset", json={"email": world.actor.email}
                       ).status_code == 202
    [received] = delivered_to(smtp, world.actor.email)
    token = received.link("/reset/").rsplit("/", 1)[1]
    weak = client.post(f"/api/v1/password-reset/{token}", json={"password": "court"})
    assert weak.status_code == 422 and weak.json["error"]["field"] == "password"
    assert client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD}
                       ).status_code == 200
    again = client.post(f"/api/v1/password-reset/{token}", json={"password": NEW_PASSWORD})
    assert again.status_code == 410 and again.json["error"]["code"] == "reset_used"
    assert client.get("/api/v1/me", headers=bearer).status_code == 401
    user = accounts.find_user(world.actor.email)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id)) == 0
    assert accounts.authenticate(world.actor.email, NEW_PASSWORD).id == user.id
    unknown = client.post("/api/v1/password-reset/pas-un-jeton", json={"password": NEW_PASSWORD})
    assert unknown.status_code == 404 and unknown.json["error"]["code"] == "reset_unknown"


def test_an_expired_link_says_so(smtp, world, client):
    client.post("/api/v1/password-reset", json={"email": world.actor.email})
    [received] = delivered_to(smtp, world.actor.email)
    path = path_of(received.link("/reset/"))
    db.session.execute(sa.update(PasswordReset).values(expires_at=utcnow() - timedelta(
        seconds=1)))
    db.session.commit()
    page = client.get(path)
    assert page.status_code == 410 and "Ce lien de réinitialisation a expiré." in page.get_data(
        as_text=True)
    answer = client.post("/api/v1" + path.replace("/reset/", "/password-reset/"),
                         json={"password": NEW_PASSWORD})
    assert answer.status_code == 410 and answer.json["error"]["code"] == "reset_expired"
    assert accounts.authenticate(world.actor.email, PASSWORD)


def test_the_mail_is_in_the_recipients_language(smtp, world, client):
    accounts.set_locale(accounts.find_user(world.actor.email), "en")
    client.post("/api/v1/password-reset", json={"email": world.actor.email})
    [received] = delivered_to(smtp, world.actor.email)
    assert received.message["Subject"] == "Reset your concert password"
    assert received.message["Content-Language"] == "en" and "Hello," in received.part("plain")


# --- a new e-mail address ----------------------------------------------------------------

def test_a_new_address_is_taken_once_its_link_is_followed(smtp, world, client):
    client_sign_in(client, world.actor.email)
    page = client.get("/account").get_data(as_text=True)
    assert "Mon compte" in page and world.actor.email in page
    wrong = submit(client, "/account", "/account/email", email="paul@example.org",
                   password="pas le bon")
    assert wrong.status_code == 401 and "Mot de passe incorrect." in wrong.get_data(
        as_text=True)
    asked = submit(client, "/account", "/account/email", email="Paul@Example.org",
                   password=PASSWORD)
    assert asked.status_code == 302
    [confirm] = delivered_to(smtp, "paul@example.org")
    [notice] = delivered_to(smtp, world.actor.email)
    assert confirm.message["Subject"] == "Confirmez votre nouvelle adresse sur concert"
    assert "paul@example.org" in notice.part("plain") and "/account/email/" not in (
        notice.part("plain"))
    assert accounts.find_user(world.actor.email) is not None  # nothing changed yet

    path = path_of(confirm.link("/account/email/"))
    anonymous = client.application.test_client()
    shown = anonymous.get(path).get_data(as_text=True)
    assert "Confirmer cette adresse" in shown
    assert accounts.find_user("paul@example.org") is None  # opening the link changes nothing
    done = submit(anonymous, path)
    assert done.status_code == 302
    assert accounts.find_user(world.actor.email) is None
    assert accounts.find_user("paul@example.org").id == world.actor.id
    assert anonymous.get(path).status_code == 410
    assert actions()[-2:] == ["email.change_request", "email.change"]


def test_an_address_of_another_account_is_not_revealed(smtp, world, client):
    client_sign_in(client, world.actor.email)
    asked = submit(client, "/account", "/account/email", email=world.observer.email,
                   password=PASSWORD)
    assert asked.status_code == 302
    shown = client.get("/account").get_data(as_text=True)
    assert f"Un lien de confirmation a été envoyé à {world.observer.email}" in shown
    [notice] = delivered_to(smtp, world.observer.email)
    assert "Elle est déjà celle de votre compte" in notice.part("plain")
    assert "/account/email/" not in notice.part("plain")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailChange)) == 0
    assert accounts.find_user(world.actor.email).id == world.actor.id


def test_an_expired_address_link_says_so(smtp, world, client):
    client_sign_in(client, world.actor.email)
    submit(client, "/account", "/account/email", email="paul@example.org", password=PASSWORD)
    [confirm] = delivered_to(smtp, "paul@example.org")
    db.session.execute(sa.update(EmailChange).values(expires_at=utcnow()))
    db.session.commit()
    page = client.get(path_of(confirm.link("/account/email/")))
    assert page.status_code == 410 and "Ce lien de confirmation a expiré." in page.get_data(
        as_text=True)


def test_a_mail_can_carry_one_click_unsubscribe_headers(ctx):
    message = mail.compose("nina@example.org", "email_change_taken", "fr", "Sujet",
                           unsubscribe="https://concert.example/unsubscribe/abc")
    assert message["List-Unsubscribe"] == "<https://concert.example/unsubscribe/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
