"""Who shows a workshop's page now (per connection, on any process), and attendance: who
was present while it was live."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...db import db
from ...models import Connection, Membership, User, utcnow
from ...models.workshops import Attendance, Workshop, WorkshopPresence
from .. import audience, events, presence
from ..access import Access
from ..presence import STALE
from .base import get


def enter(access: Access, workshop_id: Any, sid: str) -> list[dict]:
    """A connection shows the workshop's page: present now, and, while the workshop is
    live, counted in its attendance."""
    workshop = get(access, workshop_id)
    presence.require_joined(sid, access.territory.id)
    events.enter_rooms(sid, [audience.workshop_room(workshop.id)])
    if db.session.get(WorkshopPresence, (sid, workshop.id)) is None:
        db.session.add(WorkshopPresence(sid=sid, workshop_id=workshop.id,
                                        user_id=access.user.id,
                                        territory_id=access.territory.id))
    if workshop.status == "live":
        attend(workshop, access.membership)
    db.session.flush()
    present = present_now(workshop)
    _announce_presence(access.territory, workshop, access.membership, True, present)
    db.session.commit()
    return present


def leave(sid: str, workshop_id: int | None = None) -> None:
    """A connection left the workshop's page (or closed): the others' lists drop the
    person once their last connection there has gone."""
    query = sa.select(WorkshopPresence).where(WorkshopPresence.sid == sid)
    if workshop_id is not None:
        query = query.where(WorkshopPresence.workshop_id == workshop_id)
        events.evict([sid], [audience.workshop_room(workshop_id)])
    rows = db.session.scalars(query).all()
    gone = [(row.workshop_id, row.user_id) for row in rows]
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    now = utcnow()
    for w_id, user_id in gone:
        workshop = db.session.get(Workshop, w_id)
        if workshop is not None and workshop.status == "live":
            db.session.execute(sa.update(Attendance).where(
                Attendance.workshop_id == w_id, Attendance.user_id == user_id)
                .values(last_seen=now))
    for w_id, user_id in gone:
        workshop = db.session.get(Workshop, w_id)
        if workshop is None:
            continue
        membership = db.session.scalar(sa.select(Membership).where(
            Membership.territory_id == workshop.territory_id, Membership.user_id == user_id))
        present = present_now(workshop)
        if membership is not None and user_id not in {p["id"] for p in present}:
            _announce_presence(membership.territory, workshop, membership, False, present)
    db.session.commit()


def present_now(workshop: Workshop) -> list[dict]:
    """Members whose connection shows the workshop now, on any server process."""
    rows = db.session.execute(
        sa.select(User.id, User.name, Membership.organisation, Membership.organisation_kind)
        .join(WorkshopPresence, WorkshopPresence.user_id == User.id)
        .join(Connection, sa.and_(Connection.sid == WorkshopPresence.sid,
                                  Connection.territory_id == WorkshopPresence.territory_id))
        .join(Membership, sa.and_(Membership.user_id == User.id,
                                  Membership.territory_id == workshop.territory_id))
        .where(WorkshopPresence.workshop_id == workshop.id,
               Connection.seen_at > utcnow() - STALE)
        .distinct().order_by(User.name))
    return [{"id": uid, "name": name, "organisation": org, "organisation_kind": kind}
            for uid, name, org, kind in rows]


def attendance(workshop: Workshop) -> list[Attendance]:
    return list(db.session.scalars(sa.select(Attendance).where(
        Attendance.workshop_id == workshop.id).order_by(Attendance.organisation)))


def attend(workshop: Workshop, membership: Membership | None) -> None:
    """Counts the member present at a live workshop (first and last seen)."""
    if membership is None:
        return
    now = utcnow()
    row = db.session.get(Attendance, (workshop.id, membership.user_id))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Attendance(
                    workshop_id=workshop.id, user_id=membership.user_id,
                    organisation=membership.organisation,
                    organisation_kind=membership.organisation_kind, first_seen=now,
                    last_seen=now))
                db.session.flush()
        except IntegrityError:  # their other tab got there first
            pass
    else:
        row.last_seen = now


def forget(membership: Membership) -> None:
    """Within the transaction removing a member: their connections stop showing the
    territory's workshops; once committed, they leave the workshops' rooms, and those
    still there are told that the member has gone."""
    rows = db.session.scalars(sa.select(WorkshopPresence).where(
        WorkshopPresence.user_id == membership.user_id,
        WorkshopPresence.territory_id == membership.territory_id)).all()
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    for row in rows:
        events.evict([row.sid], [audience.workshop_room(row.workshop_id)])
    for workshop_id in sorted({row.workshop_id for row in rows}):
        workshop = db.session.get(Workshop, workshop_id)
        _announce_presence(membership.territory, workshop, membership, False,
                           present_now(workshop))


def _announce_presence(territory, workshop: Workshop, membership: Membership, present: bool,
                       people: list[dict]) -> None:
    """Ephemeral, to the connections showing this workshop only (the chat's presence list
    is about the territory)."""
    events.announce(_presence_message(territory, workshop, membership, present, people),
                    [audience.workshop_room(workshop.id)])


def _presence_message(territory, workshop: Workshop, membership: Membership, present: bool,
                      people: list[dict]) -> dict:
    user = membership.user
    return {"territory": territory.slug, "seq": None, "type": "presence", "data": {
        "workshop": workshop.id, "online": present, "present": people,
        "user": {"id": user.id, "name": user.name, "organisation": membership.organisation,
                 "organisation_kind": membership.organisation_kind}}}


def present_ids(workshop: Workshop) -> list[int]:
    return [p["id"] for p in present_now(workshop)]
