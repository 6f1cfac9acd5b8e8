"""The event log. Every change is written as an Event in the same transaction, with the next
`seq` of its territory; it is broadcast only once that transaction has committed."""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..db import db
from ..models import Channel, Event, Membership, Territory
from . import audience, validation
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
        _emit_as_read(territory, entry, rooms)
        return entry
    # Built at commit time: the caller may still complete `data` (e.g. with the seq).
    after_commit(lambda: _emit(
        {"territory": slug, "seq": entry.seq, "type": entry.type, "data": entry.data}, rooms))
    return entry


def _emit_as_read(territory: Territory, entry: Event, rooms: list[str]) -> None:
    """An event quoting posts goes to each organisation kind's room with the words that
    kind may read (resolved now: no SQL runs once committed)."""
    kinds = db.session.scalars(sa.select(Membership.organisation_kind).where(
        Membership.territory_id == territory.id).distinct())
    by_data: dict[str, tuple[dict, list[str]]] = {}
    for kind in kinds:
        room = audience.kind_room(territory.id, kind)
        if rooms != [audience.territory_room(territory.id)] and room not in rooms:
            continue
        data = as_read(entry.type, entry.data, kind)
        key = json.dumps(data, sort_keys=True, default=str)
        by_data.setdefault(key, (data, []))[1].append(room)
    message = {"territory": territory.slug, "seq": entry.seq, "type": entry.type}
    after_commit(lambda: [_emit({**message, "data": data}, to)
                          for data, to in by_data.values()])


def ephemeral(territory: Territory, type_: str, data: dict[str, Any], *,
              channel: Channel | None = None, skip_sid: str | None = None) -> None:
    """Presence and typing: not stored, not replayed, `seq` null."""
    message = {"territory": territory.slug, "seq": None, "type": type_, "data": data}
    _emit(message, audience.rooms_for_channel(territory.id, channel), skip_sid=skip_sid)


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
    rows = db.session.execute(
        sa.select(Event.seq, Event.type, Event.data)
        .where(audience.visible_events(membership), Event.seq > after_seq)
        .order_by(Event.seq)
        .limit(limit)
    )
    slug, kind = membership.territory.slug, membership.organisation_kind
    return [{"territory": slug, "seq": seq, "type": type_, "data": as_read(type_, data, kind)}
            for seq, type_, data in rows]


def latest_seq(territory_id: int) -> int:
    return db.session.scalar(sa.select(Territory.last_seq).where(Territory.id == territory_id))


def after_commit(callback: Callable[[], None]) -> None:
    """Runs `callback` once the current transaction commits; forgotten on rollback."""
    db.session.info.setdefault("after_commit", []).append(callback)


def _emit(message: dict, rooms: list[str], skip_sid: str | None = None) -> None:
    from ..extensions import socketio

    try:
        socketio.emit("event", message, to=rooms, skip_sid=skip_sid)
    except Exception:  # the change is committed; clients get it at their next join
        logger.exception("broadcast of %s %s failed", message["type"], message["seq"])


@sa_event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        try:
            callback()
        except Exception:  # the change is committed: an announcement never undoes it
            logger.exception("after-commit callback failed")


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("after_commit", None)
