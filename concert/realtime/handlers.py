"""Socket.IO handlers (default namespace), exactly as SPEC names them: connect, join, post,
typing; server → client `event`. Each handler parses, calls a service, answers with an ack."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError, join_room, leave_room

from ..db import UNREACHABLE, db
from ..extensions import socketio
from ..models import Connection, User, utcnow
from ..schemas.workspace import PostInput
from ..services import accounts, audience, events, posts, presence, validation, workshops
from ..services.access import access
from ..services.errors import Conflict, Invalid, ServiceError, Unauthorized, Unavailable
from . import delivery
from .packets import RawJSON

# This process's live connections: sid → (user id, credential kind, credential id).
_connected: dict[str, tuple[int, str, int]] = {}
logger = logging.getLogger(__name__)


@socketio.on("connect")
def on_connect(auth: Any = None):
    """The session cookie, or auth={"token": ...}; anything else is refused. The socket
    lives as long as that credential: it sits in the credential's room and its owner's,
    which services close when the credential or a membership ends."""
    credential = None
    try:
        if isinstance(auth, dict) and auth:
            token = auth.get("token")
            if isinstance(token, str) and set(auth) == {"token"}:
                found = accounts.api_token(token)
                credential = ("token", found.id, found.user_id) if found else None
        elif isinstance(session.get("sid"), str):
            login = accounts.login_session(session["sid"])
            if login is not None:
                credential = ("session", login.id, login.user_id)
                socketio.start_background_task(
                    _expire, request.sid, (login.expires_at - utcnow()).total_seconds())
    except UNREACHABLE:
        db.rollback_quietly()
        # The page tries again by itself on this code (static/js/live.js).
        refusal = Unavailable().as_dict()["error"]
        raise ConnectionRefusedError(refusal["message"], refusal)
    if credential is None:
        # python-socketio's own exception: the builtin one reaches the client as a bare
        # "Connection refused by server". The client gets {message, data: {code, message}}.
        message = str(_l("Authentification requise."))
        raise ConnectionRefusedError(message, {"code": "unauthorized", "message": message})
    kind, credential_id, user_id = credential
    _connected[request.sid] = (user_id, kind, credential_id)
    join_room(audience.credential_room(kind, credential_id))
    join_room(audience.user_room(user_id))


def _expire(sid: str, seconds: float) -> None:
    """A cookie socket ends with its sign-in's lifetime."""
    socketio.sleep(max(seconds, 0))
    if sid in _connected:
        socketio.server.disconnect(sid, namespace="/", ignore_queue=True)


def _close_after_ack(sid: str) -> None:
    """Closes a socket whose credential no longer holds, once the refusal's ack has gone
    out (the handler's own database calls may hand over to this task before it has)."""
    socketio.sleep(1)
    socketio.server.disconnect(sid, namespace="/", ignore_queue=True)


def _close_rooms(rooms: list[str]) -> None:
    # In a task of its own: a local disconnect runs our disconnect handler at once, which
    # needs the database while the service's session is still finishing its commit.
    for room in rooms:
        socketio.start_background_task(socketio.close_room, room, namespace="/")


presence.on_end_sockets(_close_rooms)


@socketio.on("disconnect")
def on_disconnect(*_args):
    if _connected.pop(request.sid, None) is not None:
        try:
            workshops.leave(request.sid)
            presence.leave(request.sid)
        except UNREACHABLE as exc:  # its presence row goes stale, then the heartbeat prunes it
            db.rollback_quietly()
            logger.warning("presence not updated at disconnection: %s", _first_line(exc))


@socketio.on("join")
def on_join(data: Any = None):
    def join(user: User, data: dict) -> dict:
        where = access(user, data.get("territory"))
        after_seq = events.after_seq(data.get("after_seq"))
        # Rooms first, then the catch-up: an event committed in between arrives twice at
        # worst (the client keeps one per seq), never zero times.
        for room in events.audience.rooms_for_member(where.membership):
            join_room(room)
        presence.enter(request.sid, where.membership)
        missed = events.missed_json(where.membership, after_seq) if after_seq is not None else []
        seq = events.latest_seq(where.territory.id)
        delivery.watch(where.territory.id, where.territory.slug, seq)
        return {
            "ok": True,
            "seq": seq,
            "missed": RawJSON.array(missed),
            "more": len(missed) == events.CATCH_UP_LIMIT,
            "presence": presence.online(where.territory.id),
        }

    return _answer(join, data)


@socketio.on("post")
def on_post(data: Any = None):
    def post(user: User, data: dict) -> dict:
        where = access(user, data.get("territory"))
        created, _new = posts.create_post(where, PostInput(**{
            key: data.get(key) for key in PostInput.model_fields}))
        return {"ok": True, "post": posts.serialise(created)}

    return _answer(post, data)


@socketio.on("workshop")
def on_workshop(data: Any = None):
    """`{territory, workshop: id, present: bool}`: this connection shows (or stopped
    showing) a workshop's page. Sent after `join`; the ack lists who is present now."""

    def present(user: User, data: dict) -> dict:
        where = access(user, data.get("territory"))
        workshop = workshops.get(where, data.get("workshop"))
        if data.get("present", True) is False:
            leave_room(events.audience.workshop_room(workshop.id))
            workshops.leave(request.sid, workshop.id)
            return {"ok": True}
        if db.session.get(Connection, (request.sid, where.territory.id)) is None:
            raise Conflict(_l("Rejoignez d'abord le territoire (« join »)."))
        join_room(events.audience.workshop_room(workshop.id))
        return {"ok": True, "present": workshops.enter(where, workshop.id, request.sid)}

    return _answer(present, data)


@socketio.on("typing")
def on_typing(data: Any = None):
    def typing(user: User, data: dict) -> dict:
        presence.typing(access(user, data.get("territory")), data.get("channel"), request.sid)
        return {"ok": True}

    return _answer(typing, data)


def _answer(handler: Callable[[User, dict], dict], data: Any) -> dict:
    """Runs a handler as the connection's user; refusals become `{ok: false, error}`."""
    try:
        connected = _connected.get(request.sid)
        user = accounts.credential_holds(*connected[1:]) if connected else None
        if user is None:
            # Its credential has ended (its room's closing may still be on its way).
            socketio.start_background_task(_close_after_ack, request.sid)
            raise Unauthorized(_l("Authentification requise."))
        if not isinstance(data, dict):
            raise Invalid(_l("Objet attendu."))
        return handler(user, validation.unicode(data))
    except ServiceError as exc:
        db.session.rollback()
        return {"ok": False, **exc.as_dict()}
    except UNREACHABLE as exc:  # a post is sent again with its client_id: stored once
        db.rollback_quietly()
        logger.warning("database unreachable: %s", _first_line(exc))
        return {"ok": False, **Unavailable().as_dict()}
    except Exception:  # a bug, not the client's input: it still gets its answer
        db.session.rollback()
        current_app.logger.exception("socket handler failed")
        return {"ok": False, "error": {"code": "server_error",
                                       "message": str(_l("Erreur interne du serveur."))}}


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def heartbeat_forever(app) -> None:
    """Keeps this process's presence rows fresh; started by `concert run`."""
    while True:
        socketio.sleep(presence.HEARTBEAT.total_seconds())
        with app.app_context():
            try:
                presence.heartbeat(list(_connected))
            except UNREACHABLE as exc:  # the next beat retries
                db.rollback_quietly()
                logger.warning("presence heartbeat failed: %s", _first_line(exc))
            except Exception:
                app.logger.exception("presence heartbeat failed")
