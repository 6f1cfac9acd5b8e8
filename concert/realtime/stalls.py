"""A connection that stops reading (a frozen laptop keeps its TCP connection open, its kernel
acknowledging with a zero window) would otherwise hold every event sent to it, for ever:
Engine.IO queues them without limit, the connection's writer blocks on the full socket, and
the ping timeout ends the Socket.IO session but neither the TCP connection nor the writer
(measured: 2.8 MB still queued two minutes later). Other connections are never delayed (each
has its own writer); what this bounds is the memory. Once a connection has more than
`SOCKET_BACKLOG` packets waiting, its TCP connection is shut down: the process forgets it
at once, and the client, when it reads again, reconnects and `join`s with its last seq, so
it gets what it missed from the event log."""
from __future__ import annotations

import logging
import socket

CHECK_EVERY = 2.0  # seconds
logger = logging.getLogger(__name__)


def watch_forever(server, backlog: int) -> None:
    """`server`: this process's socketio.Server."""
    while True:
        server.sleep(CHECK_EVERY)
        for eio_sid, connection in list(server.eio.sockets.items()):
            if connection.queue.qsize() > backlog:
                _cut(server, eio_sid, connection.queue.qsize())


def _cut(server, eio_sid: str, waiting: int) -> None:
    websocket = server.environ.get(eio_sid, {}).get("wsgi.websocket")
    stream = getattr(websocket, "stream", None)
    if stream is None:  # long-polling: its own ping timeout ends it, queue included
        return
    logger.warning("connection %s reads no more (%d packets waiting): closed, it will "
                   "re-join from the event log", eio_sid, waiting)
    try:
        # Wakes the writer blocked on the full socket, then the reader: Engine.IO closes
        # the session as for any lost transport.
        stream.handler.socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
