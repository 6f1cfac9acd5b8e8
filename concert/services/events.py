"""The event log. Every change is written as an Event in the same transaction, with the next
`seq` of its territory; it is broadcast only once that transaction has committed.

Services never touch Socket.IO: they queue intents here (announce a message to rooms, put
connections in or out of rooms, disconnect the sockets of rooms) that the transport
registered by create_app (concert/realtime/broadcast.py) carries out after the commit."""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Iterable, Protocol

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..db import db
from ..models import Channel, Event, Membership, Territory
from . import audience, validation
from .access import Access
from .errors import Invalid

CATCH_UP_LIMIT = 1000
logger = logging.getLogger(__name__)


def next_seq(territory_id: int) -> int:
    """Increments the territory's counter. The UPDATE locks the territory's row until
    commit (PostgreSQL) or takes the database write lock (SQLite), so two processes never
    get the same seq, and seqs become visible in commit order with no gap."""
    return db.session.execute(
        sa.update(Territory)
        .where(Territory.id == territory_id)
        .values(last_seq=Territory.last_seq + 1)
        .returning(Territory.last_seq)
    ).scalar_one()


# Event types that quote posts by id: type → resolver(stored data, reader kind) → data with
# the words that reader may see. Registered by the services that record them.
_quoting: dict[str, Callable[[dict, str | None], dict]] = {}


def quotes_posts(*types: str):
    def register(resolver: Callable[[dict, str | None], dict]):
        for type_ in types:
            _quoting[type_] = resolver
        return resolver

    return register


def as_read(type_: str, data: dict, kind: str | None) -> dict:
    resolver = _quoting.get(type_)
    return resolver(data, kind) if resolver else data


def record(
    territory: Territory,
    type_: str,
    data: dict[str, Any],
    *,
    channel: Channel | None = None,
    post_id: int | None = None,
) -> Event:
    entry = Event(
        territory_id=territory.id,
        seq=next_seq(territory.id),
        type=type_,
        data=data,
        channel_id=channel.id if channel else None,
        post_id=post_id,
    )
    db.session.add(entry)
    slug, rooms = territory.slug, audience.rooms_for_channel(territory.id, channel)
    if type_ in _quoting:
        parts = deliveries(territory.id, type_, entry.data, rooms)  # no SQL once committed
        for worded, to in parts:
            announce(_message(slug, entry.seq, entry.type, worded), to)
        return entry
    # Built at commit time: the caller may still complete `data` (e.g. with the seq).
    _announce(lambda: _message(slug, entry.seq, entry.type, entry.data), rooms)
    return entry


def deliveries(territory_id: int, type_: str, data: dict,
               rooms: list[str]) -> list[tuple[dict, list[str]]]:
    """(data, rooms) to broadcast an event to: as stored, to its rooms; an event quoting
    posts goes to each organisation kind's room with the words that kind may read."""
    if type_ not in _quoting:
        return [(data, rooms)]
    kinds = db.session.scalars(sa.select(Membership.organisation_kind).where(
        Membership.territory_id == territory_id).distinct())
    by_data: dict[str, tuple[dict, list[str]]] = {}
    for kind in kinds:
        room = audience.kind_room(territory_id, kind)
        if rooms != [audience.territory_room(territory_id)] and room not in rooms:
            continue
        worded = as_read(type_, data, kind)
        key = json.dumps(worded, sort_keys=True, default=str)
        by_data.setdefault(key, (worded, []))[1].append(room)
    return list(by_data.values())


def ephemeral(territory: Territory, type_: str, data: dict[str, Any], *,
              channel: Channel | None = None, skip_sid: str | None = None) -> None:
    """Presence and typing: not stored, not replayed, `seq` null; sent to the channel's
    rooms at the next commit."""
    announce(_message(territory.slug, None, type_, data),
             audience.rooms_for_channel(territory.id, channel), skip_sid=skip_sid)


def after_seq(value: Any) -> int | None:
    """A `join`'s `after_seq`: null (no catch-up) or an integer a database can compare.
    Checked before the connection joins anything, so a refusal leaves nothing behind."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_l("« after_seq » doit être un entier ou null."), field="after_seq")
    return validation.integer(value, "after_seq")


def missed(membership: Membership, after_seq: int, limit: int = CATCH_UP_LIMIT) -> list[dict]:
    """The events after `after_seq` this member may see, oldest first."""
    slug, kind = membership.territory.slug, membership.organisation_kind
    return [_message(slug, seq, type_, as_read(type_, data, kind))
            for seq, type_, data in _missed(membership, after_seq, limit, Event.data)]


def missed_json(membership: Membership, after_seq: int,
                limit: int = CATCH_UP_LIMIT) -> list[str]:
    """The same events, each as its JSON text, around the log's `data` as stored: a
    catch-up of thousands of events is neither decoded nor encoded again (see README,
    "Catch-up")."""
    slug, kind = json.dumps(membership.territory.slug), membership.organisation_kind
    return [f'{{"territory":{slug},"seq":{seq},"type":{json.dumps(type_)},"data":'
            f'{json.dumps(as_read(type_, json.loads(data), kind)) if type_ in _quoting else data}}}'
            for seq, type_, data in _missed(membership, after_seq, limit,
                                            sa.cast(Event.data, sa.Text))]


def _missed(membership: Membership, after_seq: int, limit: int, data: sa.ColumnElement):
    return db.session.execute(
        sa.select(Event.seq, Event.type, data)
        .where(audience.visible_events(Access.of_member(membership)), Event.seq > after_seq)
        .order_by(Event.seq)
        .limit(limit)
    )


def latest_seq(territory_id: int) -> int:
    return db.session.scalar(sa.select(Territory.last_seq).where(Territory.id == territory_id))


def latest_seqs(territory_ids: Iterable[int]) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(Territory.id, Territory.last_seq).where(Territory.id.in_(list(territory_ids)))
    ).all())


def logged(territory_id: int, seqs: Iterable[int]) -> list[tuple[dict, list[str]]]:
    """Those events of the log as they were broadcast, each with the rooms it goes to
    (the same audience rule and wording as at commit), oldest first: for a process re-delivering what
    its connections missed."""
    wanted = sorted(set(seqs))
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(Territory.slug, Event.seq, Event.type, Event.data, Channel)
        .join(Territory, Territory.id == Event.territory_id)
        .outerjoin(Channel, Channel.id == Event.channel_id)
        .where(Event.territory_id == territory_id, Event.seq.between(wanted[0], wanted[-1]))
        .order_by(Event.seq)
    )
    keep = set(wanted)
    return [(_message(slug, seq, type_, worded), to)
            for slug, seq, type_, data, channel in rows if seq in keep
            for worded, to in deliveries(territory_id, type_, data,
                                         audience.rooms_for_channel(territory_id, channel))]


def after_commit(callback: Callable[[], None]) -> None:
    """Runs `callback` once the current transaction commits; forgotten on rollback."""
    db.session.info.setdefault("after_commit", []).append(callback)


class Transport(Protocol):
    """What the services ask of Socket.IO, once committed (concert/realtime/broadcast.py)."""

    def check(self, message: dict) -> None: ...

    def emit(self, message: dict, rooms: list[str], skip_sid: str | None = None) -> None: ...

    def notify(self, item: dict, room: str) -> None: ...

    def check_notification(self, item: dict) -> None: ...

    def enter(self, sid: str, rooms: list[str]) -> None: ...

    def evict(self, sids: list[str], rooms: list[str]) -> None: ...

    def disconnect(self, rooms: list[str]) -> None: ...


def init_app(app: Flask, transport: Transport) -> None:
    app.extensions["concert.transport"] = transport


def announce(message: dict, rooms: list[str], skip_sid: str | None = None) -> None:
    """Sends `message` as a Socket.IO `event` to these rooms, once committed."""
    _announce(lambda: message, rooms, skip_sid)


def _announce(build: Callable[[], dict], rooms: list[str], skip_sid: str | None = None) -> None:
    db.session.info.setdefault("announced", []).append(build)
    _intend(lambda transport: transport.emit(build(), rooms, skip_sid=skip_sid))


def notify_person(user_id: int, item: dict) -> None:
    """Sends `item` as a Socket.IO `notification` to every socket of that person (and no
    one else), once committed."""
    transport = _transport()
    transport.check_notification(item)
    room = audience.user_room(user_id)
    _intend(lambda transport: transport.notify(item, room))


def enter_rooms(sid: str, rooms: list[str]) -> None:
    """Puts this process's connection `sid` in these rooms, once committed."""
    _intend(lambda transport: transport.enter(sid, rooms))


def evict(sids: list[str], rooms: list[str]) -> None:
    """Takes these connections (of whichever process) out of these rooms, once committed."""
    _intend(lambda transport: transport.evict(sids, rooms))


def disconnect(rooms: list[str]) -> None:
    """Closes every socket in these rooms, on every server process, once committed."""
    _intend(lambda transport: transport.disconnect(rooms))


def _intend(action: Callable[[Transport], None]) -> None:
    after_commit(lambda: action(_transport()))


def _transport() -> Transport:
    return current_app.extensions["concert.transport"]


def _message(slug: str, seq: int | None, type_: str, data: dict) -> dict:
    return {"territory": slug, "seq": seq, "type": type_, "data": data}


@sa_event.listens_for(Session, "before_commit")
def _check_announced(session: Session) -> None:
    """Under test (CONCERT_VALIDATE_EVENTS), an announcement that does not match its model
    fails the commit that would send it."""
    for build in session.info.get("announced", []):
        _transport().check(build())


@sa_event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop("announced", None)
    for callback in session.info.pop("after_commit", []):
        try:
            callback()
        except Exception:  # the change is committed: an announcement never undoes it
            logger.exception("after-commit callback failed")


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("announced", None)
    session.info.pop("after_commit", None)
