"""The audit trail: recorded in the same transaction as the change it describes."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import AuditLog, Post, Territory, User
from . import validation
from . import audience
from .access import Access
from .errors import Forbidden, Invalid


def record(
    action: str,
    *,
    actor: User | None,
    territory: Territory | None = None,
    obj: Any = None,
    object_type: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditLog:
    entry = AuditLog(
        action=action,
        actor_id=actor.id if actor else None,
        territory_id=territory.id if territory else None,
        object_type=object_type or (type(obj).__name__.lower() if obj is not None else ""),
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def refuse(action: str, access, message, *, obj: Any = None, object_type: str | None = None,
           attempted: dict | None = None) -> Forbidden:
    """A refused attempt leaves a trace: the entry is committed on its own (nothing else of
    the request is), and the caller raises the 403 returned."""
    db.session.rollback()
    record(f"{action}.refused", actor=access.user, territory=access.territory, obj=obj,
           object_type=object_type, after=attempted)
    db.session.commit()
    return Forbidden(message, code="forbidden")


def entries(access, *, action: Any = None, actor: Any = None, object_type: Any = None,
            before_id: Any = None, limit: Any = 100) -> list[AuditLog]:
    """The territory's audit trail, newest first (facilitators)."""
    access.require("facilitator")
    query = sa.select(AuditLog).where(AuditLog.territory_id == access.territory.id)
    for column, value in ((AuditLog.action, action), (AuditLog.object_type, object_type)):
        if value not in (None, ""):
            # No action has a NUL character, which PostgreSQL would refuse to compare.
            query = query.where(column == str(value)[:64].replace("\x00", ""))
    if actor not in (None, ""):
        query = query.where(AuditLog.actor_id == validation.integer(actor, "actor"))
    if before_id not in (None, ""):
        query = query.where(AuditLog.id < validation.integer(before_id, "before_id"))
    limit = validation.integer(limit, "limit")
    if not 1 <= limit <= 500:
        raise Invalid(_l("« limit » doit être compris entre 1 et %(max)d.", max=500),
                      field="limit")
    return list(db.session.scalars(query.order_by(AuditLog.id.desc()).limit(limit)))


def actions(access) -> list[str]:
    """The actions the territory's trail holds, for the journal's filter (facilitators)."""
    access.require("facilitator")
    return list(db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.territory_id == access.territory.id)
        .distinct().order_by(AuditLog.action)))


def serialise(entry: AuditLog, reader: Access) -> dict:
    """Details of changes to posts of channels hidden from this facilitator stay hidden."""
    hidden = False
    if entry.object_type == "post" and entry.object_id is not None:
        post = db.session.get(Post, entry.object_id)
        hidden = post is None or not audience.can_see_channel(reader, post.channel)
    return {
        "id": entry.id,
        "created_at": entry.created_at.isoformat(),
        "actor": {"id": entry.actor_id, "name": entry.actor.name if entry.actor else None},
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "before": None if hidden else entry.before,
        "after": None if hidden else entry.after,
        "hidden": hidden,
    }
