"""Costly or sensitive work is limited per person: issuing API tokens (API and account page
share one allowance per account) and typesetting PDFs (contract, workshop minutes). Past
the limit: 429, the error shape and `Retry-After`."""
from __future__ import annotations

import pytest
import requests

from ..conftest import Server, browser_login, _csrf_from


@pytest.fixture(scope="module")
def limited_server(app, database_url, instance_path):
    server = Server(database_url, instance_path, CONCERT_TOKENS_RATE_LIMIT="2 per hour",
                    CONCERT_PDF_EXPORTS_RATE_LIMIT="1 per minute")
    yield server
    server.stop()


def assert_limited(answer: requests.Response, *, within: int, says: str) -> None:
    """429 with the error shape, a `Retry-After` within the limit's window, and a message
    that says when in the limit's own unit."""
    assert answer.status_code == 429, answer.text
    assert answer.json()["error"]["code"] == "rate_limited"
    assert says in answer.json()["error"]["message"]
    assert 0 < int(answer.headers["Retry-After"]) <= within


def test_token_creation_is_limited_per_account(limited_server, world):
    url = limited_server.url + "/api/v1/tokens"
    mine = {"email": world.actor.email, "password": world.actor.password}
    assert [requests.post(url, json=mine, timeout=30).status_code for _ in range(2)] == [201, 201]
    assert_limited(requests.post(url, json=mine, timeout=30), within=3600,
                   says="réessayez dans environ 1 heure")
    # The account page draws on the same allowance.
    browser = requests.Session()
    assert browser_login(browser, limited_server.url, world.actor.email).status_code == 302
    page = browser.get(limited_server.url + "/account")
    form = {"csrf_token": _csrf_from(page.text), "label": "x", "expires_in_days": "30",
            "password": world.actor.password}
    answer = browser.post(limited_server.url + "/account/tokens", data=form)
    assert answer.status_code == 429 and "Retry-After" in answer.headers
    # Naming another account in the form neither escapes the limit nor spends theirs.
    answer = browser.post(limited_server.url + "/account/tokens",
                          data={**form, "email": world.observer.email})
    assert answer.status_code == 429
    # Another account is not affected.
    theirs = {"email": world.observer.email, "password": world.observer.password}
    assert requests.post(url, json=theirs, timeout=30).status_code == 201


def test_pdf_exports_are_limited_per_person(limited_server, world):
    base = f"{limited_server.url}/t/{world.slug}/export/contract"
    actor = {**world.actor.bearer(), "Accept": "application/json"}
    assert requests.get(base + ".pdf", headers=actor, timeout=120).status_code == 200
    assert_limited(requests.get(base + ".pdf", headers=actor, timeout=30), within=60,
                   says="réessayez dans 1 minute")
    # Other formats of the same route are not counted; another person has their own PDFs.
    assert requests.get(base + ".md", headers=actor, timeout=30).status_code == 200
    assert requests.get(base + ".pdf", headers=world.observer.bearer(),
                        timeout=120).status_code == 200
