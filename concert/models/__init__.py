"""SQLAlchemy 2 typed models, one module per area. Importing this registers them all."""
from .accounts import ApiToken, LoginSession, User
from .audit import AuditLog
from .territories import (
    ORGANISATION_KINDS, PHASES, ROLES, Invitation, Membership, Territory,
)
from .types import utcnow
from .workspace import (
    POST_KINDS, POST_STATUSES, Channel, Connection, Event, Post, PostRevision, Support,
)

__all__ = [
    "POST_KINDS", "POST_STATUSES", "Channel", "Connection", "Event", "Post", "PostRevision",
    "Support", "ApiToken", "AuditLog", "Invitation", "LoginSession", "Membership", "ORGANISATION_KINDS",
    "PHASES", "ROLES", "Territory", "User", "utcnow",
]
