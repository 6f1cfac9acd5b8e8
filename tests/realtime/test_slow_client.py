"""A member whose connection stops reading (a frozen laptop, a dead Wi-Fi that keeps the
TCP connection open) must not hold up anyone else's events. Against a real server: one raw
WebSocket client joins, then never reads again, with a tiny receive buffer, while another
member posts megabytes; the others receive every event while the server still holds the
stalled connection's backlog."""
from __future__ import annotations

import json
import socket

import websocket

from .conftest import new_id

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

    def seqs_until(self, wanted: set[int]) -> list[int]:
        """Reads again, until it has received the `post.created` of every seq of `wanted`;
        answers the server's pings meanwhile."""
        seen: list[int] = []
        while not wanted <= set(seen):
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
            elif frame.startswith('42["event"'):
                event = json.loads(frame[2:])[1]
                if event["type"] == "post.created":
                    seen.append(event["seq"])
        return seen

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


def test_a_connection_that_stops_reading_delays_no_one_else(server, connect, world, general):
    stalled = Stalled(server.url, world.actors[1].bearer()["Authorization"].split()[1])
    poster, reader = connect(world.facilitator), connect(world.actor)
    for live in (poster, reader):
        assert live.join(SLUG)["ok"]
    seqs = []
    for _ in range(POSTS):
        ack = poster.post(SLUG, general, BODY, client_id=new_id())
        assert ack["ok"], ack
        seqs.append(ack["post"]["seq"])
    for live in (poster, reader):
        live.wait_for(lambda events: {e["seq"] for e in events if e["type"] == "post.created"}
                      >= set(seqs))
    # The stalled connection is still open and the server still holds its backlog: more
    # than its kernel buffers (the server's send queue, the client's receive queue) hold.
    sent = sum(len(json.dumps(["event", e], separators=(",", ":"))) for e in reader.events
               if e["type"] == "post.created")
    in_kernels = send_queue(server.port, stalled.local_port) + \
        len(stalled.ws.sock.recv(1 << 24, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    assert in_kernels > 0 and sent - in_kernels > 1_000_000, (sent, in_kernels)
    # Nothing was dropped for it either: reading again, it gets every event, in order.
    assert stalled.seqs_until(set(seqs)) == sorted(seqs)
    stalled.ws.close()
