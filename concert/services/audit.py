"""The audit trail: recorded in the same transaction as the change it describes."""
from __future__ import annotations

from typing import Any

from ..db import db
from ..models import AuditLog, Territory, User


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
