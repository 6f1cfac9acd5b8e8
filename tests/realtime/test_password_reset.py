"""A forgotten password, end to end on a real server that mails through a real SMTP server
(aiosmtpd): the link arrives, works once from a browser session, and the reset ends every
sign-in, API token and socket of the account; the answer never tells whether an account
exists; requests are limited per address asked for and per client."""
from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import Server, _csrf_from, browser_login

from .conftest import cookie_of

NEW_PASSWORD = "une toute nouvelle phrase de passe"


@pytest.fixture(scope="module")
def mailing_server(app, database_url, instance_path, smtp_server):
    """Its own sender delivers to the test SMTP server; behind one trusted proxy, so each
    test's requests come from an address of their own (the limits are per address)."""
    server = Server(database_url, instance_path, CONCERT_SMTP_URL=smtp_server.url,
                    CONCERT_TRUSTED_PROXIES="1", CONCERT_RESET_RATE_LIMIT="3 per minute",
                    CONCERT_RESET_IP_RATE_LIMIT="6 per minute")
    yield server
    server.stop()


def ask(server, email: str, client: str) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/password-reset", json={"email": email},
                         headers={"X-Forwarded-For": client}, timeout=30)


def reset_mail(smtp, email: str, timeout: float = 60):
    """The reset mail `email` received (the world's own invitations aside)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in list(smtp.messages):
            if email in received.recipients and "/reset/" in received.part("plain"):
                return received
        time.sleep(0.05)
    pytest.fail(f"no reset mail for {email}")


def test_a_reset_ends_every_sign_in_token_and_socket(mailing_server, world, smtp, sockets,
                                                     login):
    url = mailing_server.url
    browser, cookie = cookie_of(mailing_server, world, login)
    by_token, joined = sockets(url, world.actor), sockets(url, world.actor)
    by_cookie = sockets(url, auth=None, headers={"Cookie": cookie})
    assert joined.join(world.slug)["ok"]
    bearer = world.actor.bearer()

    assert ask(mailing_server, world.actor.email, "198.51.100.1").status_code == 202
    received = reset_mail(smtp, world.actor.email)
    assert received.message["Subject"] == "Réinitialiser votre mot de passe concert"
    link = received.link("/reset/")
    assert link.startswith(url)

    stranger = requests.Session()  # whoever opens the mail, in another browser
    form = stranger.get(link, timeout=30)
    assert form.status_code == 200 and 'autocomplete="new-password"' in form.text
    done = stranger.post(link, data={"csrf_token": _csrf_from(form.text),
                                     "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                         allow_redirects=False, timeout=30)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")

    assert by_token.wait_closed() and joined.wait_closed() and by_cookie.wait_closed()
    assert browser.get(url + "/", allow_redirects=False, timeout=30).status_code == 302
    assert requests.get(url + "/api/v1/me", headers=bearer, timeout=30).status_code == 401
    assert browser_login(requests.Session(), url, world.actor.email).status_code == 401
    assert browser_login(requests.Session(), url, world.actor.email,
                         NEW_PASSWORD).status_code == 302
    again = stranger.get(link, timeout=30)
    assert again.status_code == 410 and "déjà servi" in again.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailing_server, world, smtp):
    unknown = ask(mailing_server, "personne@example.org", "198.51.100.2")
    known = ask(mailing_server, world.observer.email, "198.51.100.2")
    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json() == {}
    reset_mail(smtp, world.observer.email)  # what the unknown address would have got by now
    assert not [m for m in smtp.messages if "personne@example.org" in m.recipients]


def test_requests_are_limited_per_address_asked_for_and_per_client(mailing_server, world):
    one_address = [ask(mailing_server, world.facilitator.email, f"198.51.100.{10 + n}").status_code
                   for n in range(4)]
    assert one_address == [202, 202, 202, 429]
    one_client = [ask(mailing_server, f"quelquun{n}@example.org", "198.51.100.3").status_code
                  for n in range(7)]
    assert one_client == [202] * 6 + [429]
