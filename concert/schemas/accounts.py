"""Accounts: API tokens and the signed-in user."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .common import Input, Output, items_of


class Credentials(Input):
    email: str
    password: str
    label: str = ""
    expires_in_days: int | None = Field(None, description=(
        "The token stops working after this many days (1 to 365); none: until revoked"))


class ApiToken(Output):
    """What its owner sees of a token: never the secret (only its hash is stored)."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenCreated(ApiToken):
    token: str = Field(description="The secret, shown in this answer only")


ApiTokenList = items_of(ApiToken)


class Me(Output):
    id: int
    name: str
    email: str
    is_admin: bool


class PasswordResetRequest(Input):
    email: str


class NewPassword(Input):
    password: str = Field(description="At least 12 characters, as every password")


class Nothing(Output):
    """An empty object."""
