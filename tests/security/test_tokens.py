"""API tokens: an optional expiry (a year at most), listed and revoked by their owner from
the API and from the account page, never showing a secret after it was issued."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import ApiToken, AuditLog, utcnow
from concert.services import accounts


def credentials(person, **extra) -> dict:
    return {"email": person.email, "password": person.password, **extra}


def test_a_token_expires_after_the_days_asked_for(client, world):
    answer = client.post("/api/v1/tokens", json=credentials(world.actor, label="script",
                                                            expires_in_days=30))
    assert answer.status_code == 201
    token = answer.json["token"]
    stored = db.session.get(ApiToken, answer.json["id"])
    assert stored.token_hash != token and token not in stored.token_hash  # only its hash
    left = stored.expires_at - utcnow()
    assert timedelta(days=29, hours=23) < left <= timedelta(days=30)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    refused = client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401 and refused.json["error"]["code"] == "unauthorized"
    [entry] = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "token.create"))
    assert entry.after["expires_at"] is not None


def test_without_an_expiry_a_token_lasts_until_revoked(client, world):
    answer = client.post("/api/v1/tokens", json=credentials(world.actor))
    assert answer.status_code == 201 and answer.json["expires_at"] is None


@pytest.mark.parametrize("days", [0, -1, 366, "un an", 1.5, True])
def test_an_expiry_beyond_a_year_or_not_a_number_of_days_is_refused(client, world, days):
    answer = client.post("/api/v1/tokens", json=credentials(world.actor, expires_in_days=days))
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "expires_in_days"
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))


def test_the_owner_lists_and_revokes_their_tokens_never_seeing_a_secret(client, world):
    bearer = world.actor.bearer()
    answer = client.post("/api/v1/tokens", json=credentials(world.actor, label="export",
                                                            expires_in_days=7))
    other = client.post("/api/v1/tokens", json=credentials(world.observer))
    listing = client.get("/api/v1/tokens", headers=bearer)
    items = listing.json["items"]
    assert [t["label"] for t in items] == ["tests", "export"]
    assert items[1]["expires_at"] == answer.json["expires_at"]
    assert answer.json["token"] not in listing.get_data(as_text=True)
    assert not {"token", "token_hash"} & set(items[1])
    # Someone else's token is unknown to them, as one that does not exist.
    assert client.delete(f"/api/v1/tokens/{other.json['id']}", headers=bearer).status_code == 404
    assert client.delete(f"/api/v1/tokens/{answer.json['id']}", headers=bearer).status_code == 204
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {answer.json['token']}"}).status_code == 401
    assert [t["label"] for t in client.get("/api/v1/tokens", headers=bearer).json["items"]] \
        == ["tests"]


# --- the account page --------------------------------------------------------------------

@pytest.fixture
def browser(client, world):
    """The test client signed in as the actor, through a real sign-in."""
    with client.session_transaction() as cookie:
        cookie["sid"] = accounts.start_login_session(accounts.find_user(world.actor.email))
    return client


def test_the_account_page_is_linked_from_the_header_and_needs_a_sign_in(client, browser):
    home = browser.get("/").get_data(as_text=True)
    assert 'href="/account"' in home and "Mon compte" in home
    with client.session_transaction() as cookie:
        cookie.clear()
    assert client.get("/account").status_code == 302


def test_a_token_created_on_the_account_page_is_shown_once(browser, world, csrf_from):
    page = browser.get("/account")
    assert page.status_code == 200 and "Aucun jeton en cours" in page.get_data(as_text=True)
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "label": "Tableur",
            "expires_in_days": "30", "password": world.actor.password}
    # As on the API, a session alone does not issue a credential: the password is asked.
    refused = browser.post("/account/tokens", data={**form, "password": "pas le bon"})
    assert refused.status_code == 401 and 'id="new-token"' not in refused.get_data(as_text=True)
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    created = browser.post("/account/tokens", data=form)
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    token = html.split('id="new-token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    assert token.startswith("cct_")
    assert '<label for="new-token">' in html  # the field has its label
    stored = db.session.scalar(sa.select(ApiToken))
    assert stored.label == "Tableur" and stored.expires_at is not None
    assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json[
        "email"] == world.actor.email
    again = browser.get("/account").get_data(as_text=True)
    assert "Tableur" in again and token not in again


def test_the_account_page_refuses_a_form_without_its_csrf_token(browser, world):
    answer = browser.post("/account/tokens", data={"label": "x", "expires_in_days": "30",
                                                   "password": world.actor.password})
    assert answer.status_code == 400
    assert not db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))


def test_a_token_is_revoked_from_the_account_page(browser, world, csrf_from):
    world.actor.bearer()  # the token labelled "tests"
    token = world.actor.token
    stored = db.session.scalar(sa.select(ApiToken))
    page = browser.get("/account").get_data(as_text=True)
    assert "Révoquer le jeton tests" in page
    answer = browser.post(f"/account/tokens/{stored.id}/revoke",
                          data={"csrf_token": csrf_from(page)})
    assert answer.status_code == 302 and answer.location.endswith("/account#tokens")
    assert browser.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code \
        == 401
    assert "Aucun jeton en cours" in browser.get("/account").get_data(as_text=True)
