"""Fault tests: real `concert run` processes, a Redis (and a PostgreSQL) of their own that a
test stops and starts, and members who keep posting through it all, re-sending each post
with its `client_id` until it is acknowledged, as the page's outbox does."""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import socketio
import sqlalchemy as sa

from concert.db import db
from concert.models import Post

from ..conftest import ROOT, Person, free_port
from ..realtime.conftest import WAIT, Live, PrivateRedis, new_id, token_of
from ..realtime.conftest import base  # noqa: F401  (a fixture)

@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own (initdb, pg_ctl), on a fixed port so that it
    can be stopped and started. PostgreSQL refuses to run as root: then as `postgres`."""

    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            pytest.skip("PostgreSQL's server binaries are not installed")
        self.bin = Path(found[-1]).parent
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.directory = Path(tempfile.mkdtemp(prefix="concert-pg-"))
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.directory, self.user)
        self._run("initdb", "-D", "data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], cwd=self.directory, user=self.user,
                       check=True, capture_output=True, timeout=WAIT * 2)

    def start(self) -> None:
        self._run("pg_ctl", "-D", "data", "-l", "log", "-w", "start", "-o",
                  f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", "data", "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def private_postgres():
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def seed(database_url: str, instance_path) -> list[Person]:
    """The facilitator, two actors and the observer of "metropole", in a fresh database."""
    done = subprocess.run([sys.executable, "-m", "tests.faults.seed", database_url,
                           str(instance_path)], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=WAIT * 4)
    return [Person(**person) for person in json.loads(done.stdout)]


def start_servers(base, count: int, database_url: str, instance_path, queue: PrivateRedis):
    """`count` servers on one database and one private Redis, each listening to it."""
    servers = []
    try:
        for _ in range(count):
            servers.append(base.Server(database_url, instance_path,
                                       CONCERT_MESSAGE_QUEUE=queue.url))
        for server in servers:
            # A process subscribes at its first Engine.IO connection, even a refused one.
            with pytest.raises(socketio.exceptions.ConnectionError):
                Live("wake-up").sio.connect(server.url, transports=["websocket"],
                                            wait_timeout=WAIT)
        wait_until(lambda: queue.listeners() >= count, "every server listens to Redis")
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.fixture
def pair(database_url, instance_path, base, private_redis, world):
    """Two server processes on the test's PostgreSQL database and a private Redis."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several server processes share a PostgreSQL database")
    servers = start_servers(base, 2, database_url, instance_path, private_redis)
    yield servers
    for server in servers:
        server.stop()


def wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {timeout:.0f} s: {what}")
        time.sleep(0.1)
    return result


class Member:
    """One person's live client through the faults. Keeps every event it receives, live or
    in a join's `missed`; reconnects to the next server (joining with `after_seq`) when its
    connection drops; re-sends a post with the same client_id until it is acknowledged."""

    def __init__(self, person, urls: list[str], slug: str,
                 transports: tuple = ("websocket",)) -> None:
        self.person, self.urls, self.slug = person, list(urls), slug
        self.transports = list(transports)
        self.label = f"{person.name} @{urls[0].rsplit(':', 1)[1]}"
        self.seen: dict[int, dict] = {}
        self.watermark: int | None = None
        self.reconnections = 0
        self.refusals: list[str] = []  # error codes of the acks that said no
        self.live = self._connect(None)

    def _connect(self, after_seq: int | None) -> Live:
        live = Live(self.label)
        live.sio.connect(self.urls[0], auth={"token": token_of(self.person)},
                         transports=self.transports, wait_timeout=WAIT)
        while True:
            answer = live.join(self.slug, after_seq=after_seq)
            assert answer["ok"], answer
            for event in answer["missed"]:
                self.seen.setdefault(event["seq"], event)
            if not answer["more"]:
                break
            after_seq = answer["missed"][-1]["seq"]
        self.watermark = answer["seq"] if self.watermark is None else max(self.watermark,
                                                                            answer["seq"])
        return live

    def reconnect(self) -> None:
        """To the next server, as the page does after a server went away."""
        self.absorb()
        self.urls = self.urls[1:] + self.urls[:1]
        deadline = time.monotonic() + WAIT
        while True:
            try:
                self.live = self._connect(self.watermark)
                break
            except (socketio.exceptions.ConnectionError, socketio.exceptions.TimeoutError):
                assert time.monotonic() < deadline, f"{self.label} cannot reconnect"
                time.sleep(0.2)
        self.reconnections += 1

    def stay_connected(self) -> None:
        if not self.live.sio.connected:
            self.reconnect()

    def absorb(self) -> None:
        for event in self.live.events:
            if event["seq"] is not None:
                self.seen.setdefault(event["seq"], event)

    def post(self, channel: int, body: str) -> dict:
        """Sends until acknowledged, with one client_id: the post is stored once."""
        message = {"territory": self.slug, "channel": channel, "kind": "message",
                   "body": body, "client_id": new_id()}
        deadline = time.monotonic() + WAIT
        while True:
            ack = None
            if self.live.sio.connected:
                try:
                    ack = self.live.call("post", message, timeout=5)
                except (socketio.exceptions.TimeoutError,
                        socketio.exceptions.BadNamespaceError, socketio.exceptions.SocketIOError):
                    ack = None
            if ack is not None and ack.get("ok"):
                return ack["post"]
            if ack is not None:
                self.refusals.append(ack["error"]["code"])
                assert ack["error"]["code"] == "unavailable", ack
            assert time.monotonic() < deadline, f"{self.label}: {body!r} never acknowledged"
            if not self.live.sio.connected:
                self.reconnect()
            else:
                time.sleep(0.2)

    def created(self) -> set[int]:
        """Ids of the posts whose post.created event this member holds."""
        self.absorb()
        return {e["data"]["id"] for e in self.seen.values() if e["type"] == "post.created"}

    def wait_for_posts(self, ids: set[int]) -> None:
        deadline = time.monotonic() + WAIT
        while not ids <= self.created():
            if time.monotonic() > deadline:
                pytest.fail(f"{self.label} lacks {len(ids - self.created())} of "
                            f"{len(ids)} posts: {sorted(ids - self.created())[:20]}…")
            time.sleep(0.1)

    def close(self) -> None:
        if self.live.sio.connected:
            self.live.sio.disconnect()


@pytest.fixture
def members():
    """`members(person, urls, slug)` makes a Member; each is disconnected at teardown."""
    made: list[Member] = []

    def make(person, urls: list[str], slug: str = "metropole", **options) -> Member:
        made.append(Member(person, urls, slug, **options))
        return made[-1]

    yield make
    for member in made:
        member.close()


class Writers:
    """Members posting one after another, each in its own thread, until stopped."""

    def __init__(self, members: list[Member], channel: int) -> None:
        self.acknowledged: list[dict] = []
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(m, channel), daemon=True)
                         for m in members]

    def _write(self, member: Member, channel: int) -> None:
        try:
            n = 0
            while not self._stop.is_set():
                self.acknowledged.append(member.post(channel, f"{member.label} n°{n}"))
                n += 1
                time.sleep(0.05)
        except BaseException as exc:  # reported by stop()
            self.errors.append(exc)

    def __enter__(self) -> "Writers":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(WAIT * 2)

    def count(self) -> int:
        return len(self.acknowledged)


def stored_once(acknowledged: list[dict], engine: sa.Engine | None = None) -> set[int]:
    """Every acknowledged post is stored, and no post is stored twice: returns their ids."""
    with (engine or db.engine).connect() as connection:
        rows = connection.execute(sa.select(Post.id, Post.author_id, Post.body)).all()
    bodies = [(author, body) for _id, author, body in rows]
    assert len(bodies) == len(set(bodies)), "a post was stored twice"
    ids = {row.id for row in rows}
    assert {post["id"] for post in acknowledged} <= ids
    assert len(ids) == len({post["id"] for post in acknowledged}), "a post nobody acknowledged"
    return ids
