"""SQLAlchemy 2 typed models, one module per area. Importing this registers them all."""
from .accounts import ApiToken, LoginSession, User
from .audit import AuditLog
from .files import File
from .commitments import (
    COMMITMENT_STATUSES, PARTIES, Commitment, CommitmentRevision, CommitmentSource, Indicator,
    Measurement,
)
from .territories import (
    ORGANISATION_KINDS, PHASES, ROLES, Invitation, Membership, Territory,
)
from . import contract, diagnostic, evaluation, workshops  # noqa: F401  (registers their tables)
from .search import SEARCH_KINDS, SQLITE_FTS_TABLE, SearchEntry
from .mail import MAIL_STATUSES, EmailChange, MailOutbox, PasswordReset
from .notifications import Digest, Notification, NotificationPreference
from .types import utcnow
from .workspace import (
    CONTRIBUTION_KINDS, POST_KINDS, POST_STATUSES, Channel, Connection, DuplicateSuggestion,
    Event, Post, PostRevision, PostWord, Support,
)

__all__ = [
    "COMMITMENT_STATUSES", "PARTIES", "Commitment", "CommitmentRevision", "CommitmentSource",
    "Indicator", "Measurement",
    "CONTRIBUTION_KINDS", "POST_KINDS", "POST_STATUSES", "Channel", "Connection", "Event",
    "Post", "PostRevision", "Support", "PostWord", "DuplicateSuggestion",
    "ApiToken", "AuditLog", "Invitation", "LoginSession", "Membership", "ORGANISATION_KINDS",
    "PHASES", "ROLES", "Territory", "User", "utcnow", "MAIL_STATUSES", "MailOutbox",
    "PasswordReset", "EmailChange", "Digest", "Notification", "NotificationPreference", "File",
    "SEARCH_KINDS", "SQLITE_FTS_TABLE", "SearchEntry",
]
