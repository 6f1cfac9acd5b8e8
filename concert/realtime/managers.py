"""Socket.IO client managers in which closing a room disconnects its sockets, on every
server process: a credential or a membership that ends takes its live connections with it
(services/presence.end_sockets), whether or not they joined a territory."""
from __future__ import annotations

import socketio

from .delivery import LoggedRedisManager


class _Closing:
    def _disconnect_participants(self, room: str, namespace: str | None) -> None:
        namespace = namespace or "/"
        for sid, _eio_sid in list(self.get_participants(namespace, room)):
            self.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class LocalManager(_Closing, socketio.Manager):
    """One process, no message queue."""

    def close_room(self, room, namespace):
        self._disconnect_participants(room, namespace)
        return super().close_room(room, namespace)


class _QueueClosing(_Closing):
    """Behind a message queue, `close_room` is handled here and published to the others;
    each process disconnects the sockets it holds."""

    def _handle_close_room(self, message):
        self._disconnect_participants(message.get("room"), message.get("namespace"))
        return super()._handle_close_room(message)


class ClosingLoggedRedisManager(_QueueClosing, LoggedRedisManager):
    """Redis pub/sub backed by the event log (realtime/delivery.py), closing."""


def client_manager(url: str | None, app):
    """The manager Flask-SocketIO would choose for this message queue URL, closing; Redis's
    also re-delivers from the event log what pub/sub lost."""
    if not url:
        return LocalManager()
    if url.startswith(("redis://", "rediss://")):
        return ClosingLoggedRedisManager(url, app)
    if url.startswith("kafka://"):
        base = socketio.KafkaManager
    elif url.startswith("zmq"):
        base = socketio.ZmqManager
    else:
        base = socketio.KombuManager
    closing = type(f"Closing{base.__name__}", (_QueueClosing, base), {})
    return closing(url, channel="flask-socketio")
