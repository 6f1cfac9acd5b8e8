"""SQLAlchemy 2 typed models, one module per area. Importing this registers them all."""
from .accounts import ApiToken, LoginSession, User
from .audit import AuditLog
from .territories import (
    ORGANISATION_KINDS, PHASES, ROLES, Invitation, Membership, Territory,
)
from .types import utcnow

__all__ = [
    "ApiToken", "AuditLog", "Invitation", "LoginSession", "Membership", "ORGANISATION_KINDS",
    "PHASES", "ROLES", "Territory", "User", "utcnow",
]
