"""The transport: the only code that sends Socket.IO `event`s, moves connections in and out
of rooms and closes them. Services queue these intents (services/events.py: announce,
enter_rooms, evict, disconnect); create_app wires this module in as the transport that
carries them out once the transaction has committed.

With CONCERT_VALIDATE_EVENTS (the tests) every event announced (checked before its commit,
which then fails), re-delivered from the log or replayed by a catch-up, and every ack, is
checked against its model (concert/schemas/events.py): a mismatch is logged and raised, so
the test that caused it fails."""
from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from ..extensions import socketio
from ..schemas import events as schemas
from ..schemas.events import InvalidEvent, check_ack, check_event

NAMESPACE = "/"
logger = logging.getLogger(__name__)


def check(message: dict) -> None:
    checked(check_event, message)


def emit(message: dict, rooms: list[str], skip_sid: str | None = None) -> None:
    try:
        socketio.emit("event", message, to=rooms, skip_sid=skip_sid)
    except Exception:  # the change is committed; clients get it at their next join
        logger.exception("broadcast of %s %s failed", message["type"], message["seq"])


def notify(item: dict, room: str) -> None:
    """A person's `notification`: `room` is theirs (every socket they opened)."""
    try:
        socketio.emit("notification", item, to=room)
    except Exception:  # committed: the bell shows it at the next page or fetch
        logger.exception("notification %s not sent", item["id"])


def check_notification(item: dict) -> None:
    checked(schemas.check_notification, item)


def enter(sid: str, rooms: list[str]) -> None:
    """`sid` is a connection of this process; one closed meanwhile enters nothing."""
    try:
        for room in rooms:
            socketio.server.enter_room(sid, room, namespace=NAMESPACE)
    except ValueError:  # python-socketio: "sid is not connected to requested namespace"
        logger.info("connection %s closed before entering its rooms", sid)


def evict(sids: list[str], rooms: list[str]) -> None:
    """Through the message queue: the process holding each connection takes it out."""
    for sid in sids:
        for room in rooms:
            socketio.server.leave_room(sid, room, namespace=NAMESPACE)


def disconnect(rooms: list[str]) -> None:
    """Closes every socket in these rooms, on every process (realtime/managers.py)."""
    # In a task of its own: a local disconnect runs our disconnect handler at once, which
    # needs the database while the service's session is still finishing its commit.
    for room in rooms:
        socketio.start_background_task(socketio.close_room, room, namespace=NAMESPACE)


def close(sid: str) -> None:
    """Closes one connection of this process."""
    socketio.server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)


def checked_ack(name: str, ack: Any) -> Any:
    checked(check_ack, name, ack)
    return ack


def checked(check, *args: Any) -> None:
    if not current_app.config["VALIDATE_EVENTS"]:
        return
    try:
        check(*args)
    except InvalidEvent:
        logger.exception("event does not match its schema")
        raise
