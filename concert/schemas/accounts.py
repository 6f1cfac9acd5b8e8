"""Accounts: API tokens and password resets (the person's own account: schemas/me.py)."""
from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .common import Input, OptionalInteger, Output, items_of, text


class TokenInput(Input):
    """A new personal API token, from the account page, the API or the command line."""

    label: text(120, required=False) = ""
    expires_in_days: OptionalInteger = Field(None, description=(
        "The token stops working after this many days (1 to 365); none: until revoked"))


class Credentials(TokenInput):
    email: str
    password: str


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


class PasswordResetRequest(Input):
    email: str


class NewPassword(Input):
    password: str = Field(description="At least 12 characters, as every password")


class Nothing(Output):
    """An empty object."""
