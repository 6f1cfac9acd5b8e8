"""Who is online in a territory, across every server process (rows in `connections`), and
what a live connection may do there: join (with its catch-up), say it is typing."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Connection, Membership, Territory, User, utcnow
from . import audience, channels, events, posts
from .access import Access
from .errors import Conflict

HEARTBEAT = timedelta(seconds=30)
STALE = timedelta(seconds=90)  # a process that stopped heart-beating has gone


def join(access: Access, sid: str, after_seq: Any) -> dict:
    """Connection `sid` joins the territory: its rooms, the online list, and, after
    `after_seq` (an int, or None for none), the events it missed, as their JSON text.
    `after_seq` is checked before anything, so a refusal leaves nothing behind."""
    after_seq = events.after_seq(after_seq)
    membership = access.membership
    # Rooms first (at the commit of `enter`), then the catch-up: an event committed in
    # between arrives twice at worst (the client keeps one per seq), never zero times.
    events.enter_rooms(sid, audience.rooms_for_member(membership))
    enter(sid, membership)
    missed = events.missed_json(membership, after_seq) if after_seq is not None else []
    return {"seq": events.latest_seq(access.territory.id), "missed": missed,
            "more": len(missed) == events.CATCH_UP_LIMIT, "presence": online(access.territory.id)}


def require_joined(sid: str, territory_id: int) -> None:
    """What a connection does in a territory (show a workshop's page…) comes after `join`."""
    if db.session.get(Connection, (sid, territory_id)) is None:
        raise Conflict(_l("Rejoignez d'abord le territoire (« join »)."))


def enter(sid: str, membership: Membership) -> None:
    territory = membership.territory
    if not _online(membership.user_id, territory.id):
        _announce(territory, membership, online=True)
    if db.session.get(Connection, (sid, territory.id)) is None:
        db.session.add(Connection(sid=sid, territory_id=territory.id, user_id=membership.user_id))
    db.session.commit()


def leave(sid: str) -> None:
    """A connection closed: the user goes offline where it was their last one."""
    rows = db.session.scalars(sa.select(Connection).where(Connection.sid == sid)).all()
    gone = [(row.territory_id, row.user_id) for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    for territory_id, user_id in gone:
        if not _online(user_id, territory_id):
            membership = db.session.scalar(sa.select(Membership).where(
                Membership.territory_id == territory_id, Membership.user_id == user_id))
            territory = db.session.get(Territory, territory_id)
            if territory is not None:
                _announce(territory, membership, online=False, user_id=user_id)
    db.session.commit()


def online(territory_id: int) -> list[dict]:
    rows = db.session.execute(
        sa.select(User.id, User.name, Membership.organisation, Membership.organisation_kind)
        .join(Connection, Connection.user_id == User.id)
        .join(Membership, sa.and_(Membership.user_id == User.id,
                                  Membership.territory_id == territory_id))
        .where(Connection.territory_id == territory_id,
               Connection.seen_at > utcnow() - STALE)
        .distinct()
        .order_by(User.name)
    )
    return [{"id": uid, "name": name, "organisation": org, "organisation_kind": kind}
            for uid, name, org, kind in rows]


def heartbeat(sids: list[str]) -> None:
    """Called periodically by each process for its own connections; prunes the dead.
    An idle process writes nothing: on SQLite any write, even one that changes no row,
    takes the database's single write lock."""
    now = utcnow()
    if sids:
        db.session.execute(sa.update(Connection).where(Connection.sid.in_(sids))
                           .values(seen_at=now))
    dead = Connection.seen_at < now - STALE * 2
    if db.session.scalar(sa.select(sa.exists().where(dead))):
        db.session.execute(sa.delete(Connection).where(dead))
    db.session.commit()


def evict(user_id: int, territory_id: int) -> None:
    """Within a service's transaction: once it commits, the user's live connections leave
    the territory's rooms on whichever process holds them."""
    rows = db.session.scalars(sa.select(Connection).where(
        Connection.user_id == user_id, Connection.territory_id == territory_id)).all()
    sids = [row.sid for row in rows]
    for row in rows:
        db.session.delete(row)
    kinds = [kind for (kind,) in db.session.execute(sa.select(Membership.organisation_kind)
             .where(Membership.territory_id == territory_id).distinct())]
    rooms = [audience.territory_room(territory_id)] + [
        audience.kind_room(territory_id, kind) for kind in kinds]
    events.evict(sids, rooms)
    if sids:  # the others' presence lists drop them (their disconnect no longer will)
        # Built now: the membership is about to go.
        membership = db.session.scalar(sa.select(Membership).where(
            Membership.user_id == user_id, Membership.territory_id == territory_id))
        events.ephemeral(db.session.get(Territory, territory_id), "presence",
                         _presence(membership, online=False, user_id=user_id))


def _online(user_id: int, territory_id: int) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Connection).where(
        Connection.user_id == user_id, Connection.territory_id == territory_id,
        Connection.seen_at > utcnow() - STALE)) > 0


def _announce(territory: Territory, membership: Membership | None, *, online: bool,
              user_id: int | None = None) -> None:
    events.ephemeral(territory, "presence", _presence(membership, online=online,
                                                      user_id=user_id))


def _presence(membership: Membership | None, *, online: bool,
              user_id: int | None = None) -> dict:
    user = membership.user if membership else db.session.get(User, user_id)
    return {
        "user": {
            "id": user.id if user else user_id,
            "name": user.name if user else "",
            "organisation": membership.organisation if membership else "",
            "organisation_kind": membership.organisation_kind if membership else "",
        },
        "online": online,
    }


def typing(access: Access, channel_id: int, sid: str) -> None:
    """`X écrit…`: only those who may post, in a channel they may post in."""
    access.require(*posts.CONTRIBUTOR_ROLES)
    channel = channels.get_channel(access, channel_id, for_posting=True)
    events.ephemeral(access.territory, "typing", {
        "channel": channel.id,
        "user": {"id": access.user.id, "name": access.user.name},
    }, channel=channel, skip_sid=sid)
    db.session.commit()  # nothing written: sends it


def end_sockets(*rooms: str) -> None:
    """Within a transaction that ends a credential or a membership: once it commits, the
    sockets in these rooms (audience.user_room, audience.credential_room) are closed,
    whichever process holds them."""
    events.disconnect(list(rooms))
