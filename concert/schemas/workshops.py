"""Live workshops: planning, the agenda, dot-votes."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import Input, Output, items_of

WORKSHOP_STATUSES = ("planned", "live", "closed", "cancelled")


class AgendaItemInput(Input):
    title: str = Field(max_length=200)
    minutes: int = Field(ge=1, le=480)
    channel: int | None = Field(None, description="A channel open to all")


class WorkshopInput(Input):
    title: str = Field(max_length=200)
    starts_at: str = Field(json_schema_extra={"format": "date-time"}, description=(
        "ISO 8601; without an offset: the server's time zone"))
    place: str = Field("", max_length=200)
    online_url: str = Field("", max_length=500, description="https:// or http://")
    invited: list[str] = Field([], max_length=100)
    agenda: list[AgendaItemInput] = Field(min_length=1, max_length=30)


class WorkshopPatch(Input):
    """Only the fields given change; a new `agenda` replaces the old one."""

    title: str | None = Field(None, max_length=200)
    starts_at: str | None = Field(None, json_schema_extra={"format": "date-time"})
    place: str | None = Field(None, max_length=200)
    online_url: str | None = Field(None, max_length=500)
    invited: list[str] | None = Field(None, max_length=100)
    agenda: list[AgendaItemInput] | None = Field(None, min_length=1, max_length=30)


class CancelInput(Input):
    reason: str | None = Field(None, max_length=2000)


class MoveInput(Input):
    to: Literal["next", "previous"] | int = Field(description="Or an agenda position")


class VoteInput(Input):
    question: str | None = Field(None, max_length=300)
    dots: int = Field(3, ge=1, le=10)
    posts: list[int] = Field(min_length=2, max_length=30)


class DotInput(Input):
    post: int
    slot: int | None = Field(None, ge=0)


class AgendaItem(Output):
    id: int
    position: int
    title: str
    minutes: int
    channel: int | None


class VoteOption(Output):
    post: int
    dots: int
    hidden: bool = Field(description="Deleted, or in a channel now hidden from me")
    kind: str | None
    text: str
    organisation: str


class MyDot(Output):
    slot: int
    post: int


class Vote(Output):
    id: int
    question: str
    dots: int
    status: Literal["open", "closed"]
    agenda_item: int | None
    opened_at: datetime
    closed_at: datetime | None
    options: list[VoteOption]
    voters: int
    total: int
    mine: list[MyDot] | None = Field(None, description="My dots (answers of the vote routes)")


class Workshop(Output):
    id: int
    title: str
    starts_at: datetime
    place: str
    online_url: str
    invited: list[str]
    status: Literal[WORKSHOP_STATUSES]
    agenda: list[AgendaItem]
    current_item: int | None = Field(description="Position while live")
    current_agenda_item: int | None
    item_started_at: datetime | None
    item_ends_at: datetime | None
    started_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    votes: list[Vote]
    server_now: datetime | None = Field(None, description="The server's clock, for the timer")


WorkshopList = items_of(Workshop)
