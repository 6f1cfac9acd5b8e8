"""Realtime fixtures: real python-socketio clients, one per person, each keeping the `event`s
it receives, against real `concert run` processes."""
from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest
import redis
import requests
import socketio

from ..conftest import free_port, wait_for_disconnections

WAIT = 30.0  # generous: machines are shared; a wait only lasts until its condition holds
# Flask-SocketIO's default channel: every process runs the same code, so the same channel.
CHANNEL = "flask-socketio"


class Live:
    """A socketio.Client connected as one person; every `event` it receives is kept."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.sio = socketio.Client(reconnection=False)
        self.refusal: Any = None
        self._events: list[dict] = []
        self._changed = threading.Condition()
        self.sio.on("event", self._receive)
        self.sio.on("connect_error", self._refused)

    def _receive(self, message: dict) -> None:
        with self._changed:
            self._events.append(message)
            self._changed.notify_all()

    def _refused(self, data: Any = None) -> None:
        self.refusal = data

    @property
    def events(self) -> list[dict]:
        with self._changed:
            return list(self._events)

    def of(self, type_: str, **data: Any) -> list[dict]:
        """Received events of that type whose data has those values."""
        return [e for e in self.events if e["type"] == type_
                and all(e["data"].get(k) == v for k, v in data.items())]

    def wait_for(self, predicate: Callable[[list[dict]], Any], timeout: float = WAIT) -> Any:
        """Waits until `predicate(events)` is truthy and returns its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := predicate(list(self._events))):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    pytest.fail(f"{self.label}: still waiting after {timeout:.0f} s; "
                                f"received {self._events!r}")
                self._changed.wait(remaining)
        return result

    def wait_event(self, type_: str, timeout: float = WAIT, **data: Any) -> dict:
        """The first received event of that type (and data), waiting for it if need be."""
        return self.wait_for(lambda _events: self.of(type_, **data), timeout)[0]

    def wait_closed(self, timeout: float = WAIT) -> bool:
        """Waits until the server has closed this socket; True once it has."""
        deadline = time.monotonic() + timeout
        while self.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.sio.connected

    def call(self, event: str, data: Any, timeout: float = WAIT) -> Any:
        return self.sio.call(event, data, timeout=timeout)

    def join(self, slug: str, after_seq: Any = None) -> dict:
        return self.call("join", {"territory": slug, "after_seq": after_seq})

    def post(self, slug: str, channel: int, body: str, kind: str = "message",
             **extra: Any) -> dict:
        return self.call("post", {"territory": slug, "channel": channel, "kind": kind,
                                  "body": body, "client_id": extra.pop("client_id", new_id()),
                                  **extra})

    def typing(self, slug: str, channel: int) -> dict:
        return self.call("typing", {"territory": slug, "channel": channel})


def new_id() -> str:
    return uuid.uuid4().hex


def cookie_of(server, world, login, person=None) -> tuple[requests.Session, str]:
    """A browser signed in on `server` (as the world's actor unless told), and its cookie."""
    browser = requests.Session()
    assert login(browser, server.url, (person or world.actor).email).status_code == 302
    return browser, "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def token_of(person) -> str:
    person.bearer()
    return person.token


_DEFAULT = object()


@pytest.fixture(scope="session")
def base(pytestconfig) -> ModuleType:
    """tests/conftest.py (Server, join, Api…)."""
    from tests import conftest

    return conftest


@pytest.fixture
def sockets(ctx):
    """`sockets(url, person)` connects a client as `person` (auth={"token": ...}), or with
    the given `auth` / `headers`; every client is disconnected at teardown."""
    opened: list[Live] = []

    def connect(url: str, person=None, *, auth: Any = _DEFAULT,
                headers: dict | None = None, transports: tuple = ("websocket",),
                label: str | None = None) -> Live:
        if auth is _DEFAULT:
            auth = {"token": token_of(person)} if person is not None else None
        live = Live(label or (person.name if person else "anonymous"))
        live.sio.connect(url, auth=auth, headers=headers or {}, transports=list(transports),
                         wait_timeout=WAIT)
        opened.append(live)
        return live

    yield connect
    # In parallel, and without waiting for the end of a polling client's last long-poll
    # (it only returns at the server's next ping, 25 s on): its close is sent at once.
    sids = [live.sio.get_sid() for live in opened if live.sio.connected]
    closing = [threading.Thread(target=live.sio.disconnect, daemon=True) for live in opened]
    for thread in closing:
        thread.start()
    deadline = time.monotonic() + 10
    for thread in closing:
        thread.join(max(0.0, deadline - time.monotonic()))
    # The servers have handled the disconnections (presence rows gone) before the next
    # test empties the tables: no write of theirs overlaps its set-up.
    wait_for_disconnections(sids, timeout=WAIT)


@pytest.fixture
def connect(server, sockets):
    """Clients of the single live server: `connect(person)`."""
    return lambda person=None, **kw: sockets(server.url, person, **kw)


@pytest.fixture
def channels(api, world) -> dict[str, int]:
    """Channel name → id in "metropole", as its facilitator sees them."""
    items = api(world.facilitator).get("/territories/metropole/channels").json()["items"]
    return {c["name"]: c["id"] for c in items}


@pytest.fixture
def general(channels) -> int:
    """The channel open to all that the realtime tests talk in."""
    return channels["Prévention de la délinquance"]


@pytest.fixture
def elsewhere(api, world) -> int:
    """A channel of the outsider's own territory, "autre"."""
    return api(world.outsider).get("/territories/autre/channels").json()["items"][0]["id"]


def fence(posters: list[tuple[Live, str, int]], watchers: list[Live]) -> None:
    """Each (client, territory, channel) posts a marker, and each watcher waits until it has
    a marker. Whatever the marker's server emitted to a watcher before it (itself, or
    through the queue) reaches the watcher first: after this, an absence is proof."""
    markers = []
    for live, slug, channel in posters:
        ack = live.post(slug, channel, f"repère {new_id()}")
        assert ack["ok"], ack
        markers.append((slug, ack["post"]["id"]))
    for watcher in watchers:
        watcher.wait_for(lambda events: any(
            e["type"] == "post.created" and (e["territory"], e["data"]["id"]) in markers
            for e in events))


def presence_of(live: Live, user_id: int, online: bool) -> dict:
    """The presence event saying that user came online (or left), waiting for it."""
    return live.wait_for(lambda events: [
        e for e in events if e["type"] == "presence"
        and e["data"]["user"]["id"] == user_id and e["data"]["online"] is online])[0]


class PrivateRedis:
    """A redis-server of this test's own, on a fixed port so that it can be restarted."""

    def __init__(self, directory: Path) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def listeners(self) -> int:
        client = redis.Redis.from_url(self.url)
        try:
            return client.pubsub_numsub(CHANNEL)[0][1]
        finally:
            client.close()
