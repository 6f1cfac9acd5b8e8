"""Accounts: API tokens and the signed-in user."""
from __future__ import annotations

from datetime import datetime
from .common import Input, Output, items_of


class Credentials(Input):
    email: str
    password: str
    label: str = ""


class TokenCreated(Output):
    token: str


class ApiToken(Output):
    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None


ApiTokenList = items_of(ApiToken)


class Me(Output):
    id: int
    name: str
    email: str
    is_admin: bool
