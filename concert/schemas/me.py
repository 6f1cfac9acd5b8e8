"""Each person's account (SPEC "Additions (second round)"): `/api/v1/me`, its changes, the
export of everything concert holds about the person, and the deletion of the account."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo

from ..services import validation
from .common import Closed, Input, Loose, Output, choice, text
from .notifications import Notification, Preferences

LANGUAGES = ("fr", "en")


def _time_zone(value: Any, info: ValidationInfo) -> str:
    return validation.time_zone(value, info.field_name)


TimeZone = Annotated[str, BeforeValidator(_time_zone), Field(
    description="An IANA time zone name, such as Europe/Paris", examples=["Europe/Paris"])]


class Me(Output):
    id: int
    email: str
    name: str
    language: str = Field(description="fr or en: the interface's and the mails' language")
    time_zone: str = Field(description="IANA name: the dates shown to this person")
    is_admin: bool


class ProfileInput(Closed):
    """The fields given change, all or none. A new `email` (with `password`) is not set
    here: a confirmation link is mailed to it, and the address changes once it is
    followed."""

    name: text(120) = None
    language: choice(LANGUAGES) = None
    time_zone: TimeZone = None
    email: str = Field(None, description="Mails a confirmation link; needs `password`")
    password: str = Field(None, description="The current password (with `email` only)")


class AccountDeletion(Input):
    password: str = Field(description="The account's current password")


# --- the export (RGPD): everything concert holds about a person ------------------------------

class ExportedAccount(Output):
    id: int
    email: str
    name: str
    language: str | None
    time_zone: str | None
    is_admin: bool
    created_at: datetime
    last_login_at: datetime | None


class ExportedMembership(Output):
    territory: str
    territory_name: str
    role: str
    organisation: str
    organisation_kind: str
    created_at: datetime


class ExportedRevision(Output):
    body: str
    written_at: datetime
    replaced_at: datetime


class ExportedPost(Output):
    id: int
    territory: str
    channel: str
    kind: str
    body: str
    status: str | None
    organisation: str
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    revisions: list[ExportedRevision]


class ExportedSupport(Output):
    post: int
    territory: str
    created_at: datetime


class ExportedDot(Output):
    vote: int
    question: str
    workshop: int
    post: int
    slot: int
    placed_at: datetime


class ExportedAttendance(Output):
    workshop: int
    title: str
    organisation: str
    first_seen: datetime
    last_seen: datetime


class ExportedAuditEntry(Output):
    id: int
    action: str
    territory: str | None
    by_me: bool = Field(description="True: I did it; false: it was done about my account")
    object_type: str
    object_id: int | None
    before: Loose | None
    after: Loose | None
    created_at: datetime


class ExportedToken(Output):
    """A token's metadata; never its secret (only its hash is stored, and not exported)."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ExportedSession(Output):
    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    ip_address: str


class ExportedFile(Output):
    """A document I uploaded (its bytes are downloaded from `GET /api/v1/files/<id>`)."""

    id: str
    territory: str
    name: str
    size: int
    content_type: str
    attached: bool
    created_at: datetime


class PersonalData(Output):
    exported_at: datetime
    account: ExportedAccount
    memberships: list[ExportedMembership]
    posts: list[ExportedPost]
    supports: list[ExportedSupport]
    votes: list[ExportedDot]
    attendance: list[ExportedAttendance]
    audit: list[ExportedAuditEntry]
    tokens: list[ExportedToken]
    sessions: list[ExportedSession]
    notifications: list[Notification]
    preferences: Preferences
    files: list[ExportedFile]
