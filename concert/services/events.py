"""The event log. Every change is written as an Event in the same transaction, with the next
`seq` of its territory; it is broadcast only once that transaction has committed."""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Iterable

import sqlalchemy as sa
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
        after_commit(lambda: [_emit(_message(slug, entry.seq, entry.type, worded), to)
                              for worded, to in parts])
        return entry
    # Built at commit time: the caller may still complete `data` (e.g. with the seq).
    after_commit(lambda: _emit(_message(slug, entry.seq, entry.type, entry.data), rooms))
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
    """Presence and typing: not stored, not replayed, `seq` null."""
    message = _message(territory.slug, None, type_, data)
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


def _message(slug: str, seq: int | None, type_: str, data: dict) -> dict:
    return {"territory": slug, "seq": seq, "type": type_, "data": data}


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
