"""Password attempts on one account are limited whatever the addresses they come from
(OWASP ASVS 2.2.1), on the login page and the token API alike."""
from __future__ import annotations

import pytest
import requests

from ..conftest import Server


@pytest.fixture(scope="module")
def proxied_server(app, database_url, instance_path):
    """Behind one trusted proxy, so each attempt can come from another address."""
    server = Server(database_url, instance_path, CONCERT_TRUSTED_PROXIES="1",
                    CONCERT_LOGIN_ACCOUNT_RATE_LIMIT="4 per minute")
    yield server
    server.stop()


def test_one_account_is_throttled_across_addresses(proxied_server, world):
    url = proxied_server.url + "/api/v1/tokens"
    wrong = {"email": world.actor.email, "password": "pas le bon mot de passe"}
    answers = [requests.post(url, json=wrong, headers={"X-Forwarded-For": f"203.0.113.{n}"},
                             timeout=30).status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]
    # Another account, from one of those addresses, is not affected.
    right = {"email": world.observer.email, "password": world.observer.password}
    assert requests.post(url, json=right, headers={"X-Forwarded-For": "203.0.113.1"},
                         timeout=30).status_code == 201
