"""A member whose connection stops reading (a frozen laptop, a dead Wi-Fi that keeps the
TCP connection open) must not hold up anyone else's events. Against a real server: one raw
WebSocket client joins, then never reads again, with a tiny receive buffer, while another
member posts megabytes; the others receive every event while the server still holds the
stalled connection's backlog. Past CONCERT_SOCKET_BACKLOG packets waiting, the stalled
connection is closed, and re-joining with its last seq gives it the rest."""
from __future__ import annotations

import json
import socket
import time

import pytest
import websocket

from .conftest import WAIT, new_id

SLUG = "metropole"
POSTS = 300
BODY = "x" * 10_000  # the longest post: ~20 kB per event (source and HTML)


class Stalled:
    """A Socket.IO client over a raw WebSocket that joins, then reads nothing more."""

    def __init__(self, url: str, token: str) -> None:
        address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(
            address, timeout=30, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
        assert self.ws.recv().startswith("0")  # Engine.IO open
        self.ws.send("40" + json.dumps({"token": token}))
        assert self.ws.recv().startswith("40")  # Socket.IO connect
        self.ws.send('420["join",{"territory":"%s","after_seq":null}]' % SLUG)
        while not (answer := self.ws.recv()).startswith("430"):
            pass  # presence events may come before the ack
        assert json.loads(answer[3:])[0]["ok"], answer

    def read_again(self, wanted: set[int]) -> tuple[list[int], str]:
        """Reads again until it has the `post.created` of every seq of `wanted`, or the
        connection ends; answers the server's pings meanwhile. Returns the seqs received
        and how it ended: "open", "close packet" (Engine.IO's own, after a ping timeout) or
        "cut" (the TCP connection ended without one)."""
        seen: list[int] = []
        while not wanted <= set(seen):
            try:
                frame = self.ws.recv()
            except websocket.WebSocketConnectionClosedException:
                return seen, "cut"
            if frame == "1":
                return seen, "close packet"
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith('42["event"'):
                event = json.loads(frame[2:])[1]
                if event["type"] == "post.created":
                    seen.append(event["seq"])
        return seen, "open"

    @property
    def local_port(self) -> int:
        return self.ws.sock.getsockname()[1]


def send_queue(server_port: int, client_port: int) -> int:
    """Bytes the kernel holds in the server's send queue towards that client
    (/proc/net/tcp's tx_queue of the server side of the connection)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return int(fields[4].split(":")[0], 16)
    raise AssertionError("connection not found")


def stall_while_posting(url: str, sockets, world, channel: int):
    """The stalled member, and two others who join, one posting POSTS long posts; returns
    the stalled client, the other reader and the posts' seqs once both others have every
    one of them."""
    stalled = Stalled(url, world.actors[1].bearer()["Authorization"].split()[1])
    poster, reader = sockets(url, world.facilitator), sockets(url, world.actor)
    for live in (poster, reader):
        assert live.join(SLUG)["ok"]
    seqs = []
    for _ in range(POSTS):
        ack = poster.post(SLUG, channel, BODY, client_id=new_id())
        assert ack["ok"], ack
        seqs.append(ack["post"]["seq"])
    for live in (poster, reader):
        deadline = time.monotonic() + WAIT
        while missing := set(seqs) - {e["seq"] for e in live.events
                                      if e["type"] == "post.created"}:
            # Live.wait_for would quote the megabytes received.
            assert time.monotonic() < deadline, f"{live.label} lacks {len(missing)} events"
            time.sleep(0.1)
    return stalled, reader, seqs


def test_a_connection_that_stops_reading_delays_no_one_else(server, sockets, world, general):
    stalled, reader, seqs = stall_while_posting(server.url, sockets, world, general)
    # The stalled connection is still open and the server still holds its backlog: more
    # than its kernel buffers (the server's send queue, the client's receive queue) hold.
    sent = sum(len(json.dumps(["event", e], separators=(",", ":"))) for e in reader.events
               if e["type"] == "post.created")
    in_kernels = send_queue(server.port, stalled.local_port) + \
        len(stalled.ws.sock.recv(1 << 24, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    assert in_kernels > 0 and sent - in_kernels > 1_000_000, (sent, in_kernels)
    # Nothing is lost for it either: reading again, it gets every event in order, or (the
    # server ended its session, the machine being slow enough for a ping timeout) what
    # came before, then the rest by re-joining.
    received, ended = stalled.read_again(set(seqs))
    assert ended != "cut" and received == sorted(received)  # under the backlog's limit
    assert set(received) | set(rejoined(server.url, sockets, world, received)) >= set(seqs)
    stalled.ws.close()


def rejoined(url: str, sockets, world, received: list[int]) -> list[int]:
    """The seqs of the `post.created` a new connection of the stalled member gets by
    joining with the last seq it received."""
    answer = sockets(url, world.actors[1]).join(SLUG, after_seq=received[-1])
    assert answer["ok"], answer
    return [e["seq"] for e in answer["missed"] if e["type"] == "post.created"]


@pytest.fixture
def small_backlog_server(base, world, database_url, instance_path):
    server = base.Server(database_url, instance_path, CONCERT_SOCKET_BACKLOG="20")
    yield server
    server.stop()


def test_a_connection_too_far_behind_is_closed_and_catches_up_by_joining(
        small_backlog_server, sockets, world, general):
    stalled, _reader, seqs = stall_while_posting(small_backlog_server.url, sockets, world,
                                                 general)
    # Reading again: what its kernel buffers held, then the end of the connection, cut.
    received, ended = stalled.read_again(set(seqs))
    assert ended == "cut" and received and set(received) < set(seqs)
    assert set(received) | set(rejoined(small_backlog_server.url, sockets, world,
                                         received)) >= set(seqs)
