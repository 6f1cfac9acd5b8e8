"""The account's sign-ins and deletion, end to end on a real server with real Socket.IO
clients: ending a sign-in closes its sockets, and a deleted account's sockets close."""
from __future__ import annotations

import requests

from tests.conftest import PASSWORD, _csrf_from

from .conftest import cookie_of


def test_ending_the_other_sign_ins_closes_their_sockets_only(server, world, sockets, login):
    url = server.url
    here, here_cookie = cookie_of(server, world, login)
    there, there_cookie = cookie_of(server, world, login)
    mine = sockets(url, auth=None, headers={"Cookie": here_cookie}, label="here")
    theirs = sockets(url, auth=None, headers={"Cookie": there_cookie}, label="there")
    assert theirs.join(world.slug)["ok"]
    page = here.get(url + "/account", timeout=30)
    assert page.status_code == 200 and page.text.count("Terminer</button>") == 1
    ended = here.post(url + "/account/sessions/end-others", allow_redirects=False,
                      data={"csrf_token": _csrf_from(page.text)}, timeout=30)
    assert ended.status_code == 302
    assert theirs.wait_closed()
    assert there.get(url + "/account", allow_redirects=False, timeout=30).status_code == 302
    assert mine.sio.connected and mine.join(world.slug)["ok"]  # this sign-in stays
    assert here.get(url + "/account", timeout=30).status_code == 200


def test_a_deleted_account_s_sockets_close(server, world, sockets, login):
    url = server.url
    _browser, cookie = cookie_of(server, world, login)
    by_token = sockets(url, world.actor)
    by_cookie = sockets(url, auth=None, headers={"Cookie": cookie})
    other = sockets(url, world.actors[1])
    assert by_token.join(world.slug)["ok"] and other.join(world.slug)["ok"]
    deleted = requests.delete(url + "/api/v1/me", json={"password": PASSWORD},
                              headers=world.actor.bearer(), timeout=30)
    assert deleted.status_code == 204
    assert by_token.wait_closed() and by_cookie.wait_closed()
    assert other.sio.connected
