"""Socket.IO handlers (default namespace), exactly as SPEC names them: connect, join, post,
workshop, typing; server → client `event`. Each handler parses its input with its model
(concert/schemas/events.py), calls a service, answers with an ack."""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError
from pydantic import BaseModel, ValidationError

from ..db import UNREACHABLE, db
from ..extensions import socketio
from ..models import User, utcnow
from ..schemas.events import INPUTS, JoinInput, PostInput, TypingInput, WorkshopPresenceInput
from ..services import accounts, audience, posts, presence, validation, workshops
from ..services.access import access
from ..services.errors import Invalid, ServiceError, Unauthorized, Unavailable
from . import broadcast, delivery
from .packets import RawJSON

# This process's live connections: sid → (user id, credential kind, credential id).
_connected: dict[str, tuple[int, str, int]] = {}
logger = logging.getLogger(__name__)


@socketio.on("connect")
def on_connect(auth: Any = None):
    """The session cookie, or auth={"token": ...}; anything else is refused. The socket
    lives as long as that credential: it sits in the credential's room and its owner's,
    which services close when the credential or a membership ends."""
    credential = expires_at = None
    try:
        if isinstance(auth, dict) and auth:
            token = auth.get("token")
            if isinstance(token, str) and set(auth) == {"token"}:
                found = accounts.api_token(token)
                if found is not None:
                    credential, expires_at = ("token", found.id, found.user_id), found.expires_at
        elif isinstance(session.get("sid"), str):
            login = accounts.login_session(session["sid"])
            if login is not None:
                credential, expires_at = ("session", login.id, login.user_id), login.expires_at
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
    if expires_at is not None:
        socketio.start_background_task(
            _expire, request.sid, (expires_at - utcnow()).total_seconds())
    broadcast.enter(request.sid, [audience.credential_room(kind, credential_id),
                                  audience.user_room(user_id)])


def _expire(sid: str, seconds: float) -> None:
    """A socket ends when its sign-in or API token expires."""
    socketio.sleep(max(seconds, 0))
    if sid in _connected:
        broadcast.close(sid)


def _close_after_ack(sid: str) -> None:
    """Closes a socket whose credential no longer holds, once the refusal's ack has gone
    out (the handler's own database calls may hand over to this task before it has)."""
    socketio.sleep(1)
    broadcast.close(sid)


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
    def join(user: User, given: JoinInput) -> dict:
        where = access(user, given.territory)
        joined = presence.join(where, request.sid, given.after_seq)
        delivery.watch(where.territory.id, where.territory.slug, joined["seq"])
        return {"ok": True, **joined, "missed": RawJSON.array(joined["missed"])}

    return _answer("join", join, data)


@socketio.on("post")
def on_post(data: Any = None):
    def post(user: User, given: PostInput) -> dict:
        created, _new = posts.create_post(access(user, given.territory), given)
        return {"ok": True, "post": posts.serialise(created)}

    return _answer("post", post, data)


@socketio.on("workshop")
def on_workshop(data: Any = None):
    """This connection shows (or stopped showing) a workshop's page. Sent after `join`; the
    ack lists who is present now."""

    def present(user: User, given: WorkshopPresenceInput) -> dict:
        where = access(user, given.territory)
        if not given.present:
            workshops.leave(request.sid, workshops.get(where, given.workshop).id)
            return {"ok": True}
        return {"ok": True, "present": workshops.enter(where, given.workshop, request.sid)}

    return _answer("workshop", present, data)


@socketio.on("typing")
def on_typing(data: Any = None):
    def typing(user: User, given: TypingInput) -> dict:
        presence.typing(access(user, given.territory), given.channel, request.sid)
        return {"ok": True}

    return _answer("typing", typing, data)


def _answer(name: str, handler: Callable[[User, Any], dict], data: Any) -> dict:
    """Runs a handler as the connection's user, on its input parsed by the event's model;
    refusals become `{ok: false, error}`."""
    return broadcast.checked_ack(name, _run(name, handler, data))


def _run(name: str, handler: Callable[[User, Any], dict], data: Any) -> dict:
    try:
        connected = _connected.get(request.sid)
        user = accounts.credential_holds(*connected[1:]) if connected else None
        if user is None:
            # Its credential has ended (its room's closing may still be on its way).
            socketio.start_background_task(_close_after_ack, request.sid)
            raise Unauthorized(_l("Authentification requise."))
        return handler(user, _parse(INPUTS[name], data))
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


def _parse(model: type[BaseModel], data: Any) -> BaseModel:
    if not isinstance(data, dict):
        raise Invalid(_l("Objet attendu."))
    try:
        return model.model_validate(validation.unicode(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        raise Invalid(_refusal(error), field=str(error["loc"][0])) from None


def _refusal(error: dict) -> Any:
    """A model's refusal in the words the services use for the same checks."""
    if error["type"] == "missing":
        return _l("Ce champ est obligatoire.")
    if error["type"].startswith("int"):
        return _l("Nombre entier attendu.")
    if error["type"] in ("literal_error", "bool_type"):
        return _l("Valeur invalide ; valeurs possibles : %(values)s.",
                  values=error.get("ctx", {}).get("expected", "true, false"))
    return _l("Ce champ doit être du texte.")


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
