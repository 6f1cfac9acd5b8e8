"""Finding 4: an upload route settles who may send the body from the headers alone. The
request below announces 80 MB and sends 1 KB: an answer can only come if the server
refused without waiting for (or spooling) the rest."""
from __future__ import annotations

import socket

import pytest
import requests

from ..conftest import browser_login

ANNOUNCED = 80 * 1024 * 1024
WEB = "/t/metropole/diagnostic/import"
API = "/api/v1/territories/metropole/diagnostic/import"


def status_before_body(server, path: str, **headers: str) -> int:
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1",
            "Content-Type: multipart/form-data; boundary=x",
            f"Content-Length: {ANNOUNCED}"] + [f"{k}: {v}" for k, v in headers.items()]
    start = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="ssmsi.csv"\r\n'
             b"Content-Type: text/csv\r\n\r\n" + b"a" * 1024)
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall("\r\n".join(head).encode() + b"\r\n\r\n" + start)
        status_line = sock.makefile("rb").readline()
    return int(status_line.split()[1])


def cookie(server, person) -> str:
    browser = requests.Session()
    assert browser_login(browser, server.url, person.email).status_code == 302
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


@pytest.mark.parametrize("path, anonymous", [(WEB, 302), (API, 401)])
def test_anonymous_uploads_are_refused_on_the_headers(server, path, anonymous):
    assert status_before_body(server, path) == anonymous


@pytest.mark.parametrize("path", [WEB, API])
def test_a_signed_in_actor_is_refused_on_the_headers(server, world, path):
    assert status_before_body(server, path, Cookie=cookie(server, world.actor)) == 403
    assert status_before_body(server, path,
                              Authorization=world.actor.bearer()["Authorization"]) == 403
    # Another territory's facilitator learns nothing more than a stranger.
    assert status_before_body(server, path, Cookie=cookie(server, world.outsider)) == 404
