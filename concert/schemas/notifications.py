"""Notifications and the preferences of who gets them by mail, how often (SPEC, "Additions
(second round)")."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, model_validator

from ..models.notifications import FREQUENCIES, NOTIFICATION_TYPES
from ..services.errors import Invalid
from .common import Closed, Id, Input, Loose, Output, choice, items_of
from .workspace import Limit


def _flag(value: Any) -> bool:
    return value in ("1", "true", True)


class NotificationsQuery(Input):
    unread: Annotated[bool, BeforeValidator(_flag)] = Field(
        False, description="1: only the unread ones")
    limit: Limit = 50


class Notification(Output):
    id: int
    type: Literal[tuple(NOTIFICATION_TYPES)]
    territory: str = Field(description="The territory's slug")
    data: Loose = Field(description="What it is about (ids, names, an excerpt) and `url`")
    read: bool
    created_at: datetime


NotificationList = items_of(Notification)


class MarkRead(Closed):
    """Either `ids` (of my notifications; others' change nothing) or `all: true`."""

    ids: list[Id] = Field(default_factory=list, max_length=1000)
    all: bool = False

    @model_validator(mode="after")
    def _one_of(self):
        if self.all == bool(self.ids):
            raise Invalid(_l("Donnez soit « ids », soit « all: true »."), field="ids")
        return self


class MarkedRead(Output):
    read: int = Field(description="How many were unread and are now read")


Frequency = choice(FREQUENCIES)


class FrequenciesInput(Closed):
    """Categories left out keep their frequency; an unknown category is refused."""

    reply: Frequency | None = None
    mention: Frequency | None = None
    decision: Frequency | None = None
    commitment: Frequency | None = None
    workshop: Frequency | None = None
    contract: Frequency | None = None
    phase: Frequency | None = None


class PreferencesInput(Closed):
    notifications: FrequenciesInput


class Frequencies(Output):
    reply: Literal[FREQUENCIES]
    mention: Literal[FREQUENCIES]
    decision: Literal[FREQUENCIES]
    commitment: Literal[FREQUENCIES]
    workshop: Literal[FREQUENCIES]
    contract: Literal[FREQUENCIES]
    phase: Literal[FREQUENCIES]


class Preferences(Output):
    """How often each category of notification comes by mail ("immediate", "daily" or
    "weekly" digest, "never"); the bell shows them all."""

    notifications: Frequencies
