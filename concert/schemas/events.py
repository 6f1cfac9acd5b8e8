"""The Socket.IO surface (SPEC, "Socket.IO"), typed: what a client sends (`join`, `post`,
`workshop`, `typing`) and the ack it gets, and every server → client `event` by its
`type`. Handlers parse their input with these models; with CONCERT_VALIDATE_EVENTS (the
tests) every event broadcast, re-delivered or replayed by a catch-up, and every ack, is
checked against them (concert/realtime/broadcast.py), as Zulip checks its events against
`event_schema`."""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, TypeAdapter,
    ValidationError, create_model,
)

from ..models import COMMITMENT_STATUSES, PARTIES, POST_KINDS, POST_STATUSES
from ..models.workshops import VOTE_STATUSES, WORKSHOP_STATUSES

Kind = Literal[POST_KINDS]  # type: ignore[valid-type]


class InvalidEvent(AssertionError):
    """An event or ack that does not match its schema: a bug of ours, never the client's."""


class _Out(BaseModel):
    """What the server sends: every field declared, none unknown."""

    model_config = ConfigDict(extra="forbid", strict=True)


class _In(BaseModel):
    """What a client sends: unknown fields are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore", strict=True)


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


OptionalId = Annotated[StrictInt | None, BeforeValidator(_blank_is_none)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none)]


# --- client → server ----------------------------------------------------------------------

class JoinInput(_In):
    territory: str
    after_seq: StrictInt | None = None


class PostInput(_In):
    territory: str
    channel: StrictInt
    kind: Kind
    body: str
    client_id: OptionalText = None
    reply_to: OptionalId = None
    workshop: OptionalId = None
    agenda_item: OptionalId = None


class WorkshopPresenceInput(_In):
    """Shows (or stopped showing, `present: false`) a workshop's page."""

    territory: str
    workshop: StrictInt
    present: StrictBool = True


class TypingInput(_In):
    territory: str
    channel: StrictInt


INPUTS: dict[str, type[_In]] = {"join": JoinInput, "post": PostInput,
                                "workshop": WorkshopPresenceInput, "typing": TypingInput}


# --- resources as events carry them -------------------------------------------------------

class UserRef(_Out):
    id: int | None
    name: str


class Member(_Out):
    """A person as others see them: name and organisation."""

    id: int | None
    name: str
    organisation: str
    organisation_kind: str


class CommitmentRef(_Out):
    id: int
    number: int
    title: str


class Post(_Out):
    id: int
    channel: int
    kind: Kind
    body: str
    html: str
    status: Literal[POST_STATUSES] | None  # type: ignore[valid-type]
    author: Member
    reply_to: int | None
    replies: int
    supports: int
    seq: int
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    client_id: str | None
    merged_into: int | None
    decline_reason: str | None
    commitments: list[CommitmentRef]
    workshop: int | None
    agenda_item: int | None


class PostSupported(_Out):
    id: int
    supports: int
    supported: bool | None  # None: supports moved by a merge, not by one person
    user: UserRef | None


class PostStatus(_Out):
    id: int
    status: Literal[POST_STATUSES]  # type: ignore[valid-type]
    reason: str | None
    merged_into: int | None
    commitments: list[CommitmentRef]


class Measurement(_Out):
    id: int
    date: date
    value: float
    comment: str


class Indicator(_Out):
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    measurements: list[Measurement]
    latest: float | None
    progress: float | None = Field(ge=0, le=1)


class Means(_Out):
    staff: str
    budget: str
    equipment: str


class Source(_Out):
    """A source post the reader may see, quoted."""

    id: int
    channel: int
    kind: Kind
    seq: int
    excerpt: str
    author: str


class Commitment(_Out):
    id: int
    number: int
    title: str
    description: str
    party: Literal[PARTIES]  # type: ignore[valid-type]
    pilot: str
    partners: list[str]
    channel: int | None
    actions: list[str]
    means: Means
    start_date: date | None
    due_date: date | None
    indicators: list[Indicator]
    status: Literal[COMMITMENT_STATUSES]  # type: ignore[valid-type]
    abandon_reason: str | None
    source_posts: list[int]
    sources: list[Source]
    hidden_sources: int
    created_at: datetime
    updated_at: datetime


class ContractVersion(_Out):
    number: int
    note: str
    author: UserRef
    created_at: datetime


class AgendaItem(_Out):
    id: int
    position: int
    title: str
    minutes: int
    channel: int | None


class VoteOption(_Out):
    """Dots per post; its words only for a reader who may read that post."""

    post: int
    dots: int
    hidden: bool
    kind: Kind | None
    text: str
    organisation: str


class Vote(_Out):
    id: int
    question: str
    dots: int
    status: Literal[VOTE_STATUSES]  # type: ignore[valid-type]
    agenda_item: int | None
    opened_at: datetime
    closed_at: datetime | None
    options: list[VoteOption]
    voters: int
    total: int


class Workshop(_Out):
    id: int
    title: str
    starts_at: datetime
    place: str
    online_url: str
    invited: list[str]
    status: Literal[WORKSHOP_STATUSES]  # type: ignore[valid-type]
    agenda: list[AgendaItem]
    current_item: int | None
    current_agenda_item: int | None
    item_started_at: datetime | None
    item_ends_at: datetime | None
    started_at: datetime | None
    closed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    votes: list[Vote]


class WorkshopVote(_Out):
    workshop: int
    vote: Vote


class TerritoryPresence(_Out):
    """Someone came online in the territory, or went."""

    user: Member
    online: bool


class WorkshopPresence(_Out):
    """Someone opened a workshop's page, or left it: who is there now."""

    workshop: int
    online: bool
    present: list[Member]
    user: Member


class Typing(_Out):
    channel: int
    user: UserRef


# --- server → client `event` --------------------------------------------------------------

# Every `type` of event, stored (with a seq) or ephemeral (seq null), and its `data`.
STORED: dict[str, Any] = {
    "post.created": Post,
    "post.updated": Post,
    "post.deleted": Post,
    "post.status": PostStatus,
    "post.supported": PostSupported,
    "commitment.created": Commitment,
    "commitment.updated": Commitment,
    "contract.version": ContractVersion,
    "workshop.started": Workshop,
    "workshop.agenda": Workshop,
    "workshop.closed": Workshop,
    "workshop.vote": WorkshopVote,
}
EPHEMERAL: dict[str, Any] = {
    "presence": Union[TerritoryPresence, WorkshopPresence],
    "typing": Typing,
}
EVENTS = {**STORED, **EPHEMERAL}


def _envelope(type_: str, data: Any, seq: Any) -> type[_Out]:
    return create_model(f"Event[{type_}]", __base__=_Out, territory=(str, ...),
                        seq=(seq, ...), type=(Literal[type_], ...), data=(data, ...))


_EVENT = TypeAdapter(Annotated[
    Union[tuple(_envelope(t, d, int) for t, d in STORED.items())
          + tuple(_envelope(t, d, None) for t, d in EPHEMERAL.items())],
    Field(discriminator="type")])


# --- acks -------------------------------------------------------------------------------

class Error(_Out):
    code: str
    message: str
    field: str | None = None


class Refusal(_Out):
    ok: Literal[False]
    error: Error


class Done(_Out):
    ok: Literal[True]


class Joined(Done):
    seq: int
    missed: list[Any]  # each one an event (check_event)
    more: bool
    presence: list[Member]


class Posted(Done):
    post: Post


class WorkshopEntered(Done):
    present: list[Member] | None = None  # given on entering, not on leaving


ACKS: dict[str, type[_Out]] = {"join": Joined, "post": Posted, "workshop": WorkshopEntered,
                               "typing": Done}


# --- checks -------------------------------------------------------------------------------

_ACKS = {name: TypeAdapter(Union[model, Refusal]) for name, model in ACKS.items()}


def check_event(message: Any) -> None:
    """Raises InvalidEvent unless `message` is an `event` as SPEC defines it, checked as
    the JSON a client receives."""
    _check(_EVENT, _as_sent(message))


def check_ack(name: str, ack: Any) -> None:
    """Raises InvalidEvent unless `ack` is the answer SPEC gives to `name`; a `join`'s
    catch-up events are checked one by one."""
    sent = _as_sent(ack)
    _check(_ACKS[name], sent)
    for message in sent.get("missed", []) if isinstance(sent, dict) else []:
        check_event(message)


def _check(adapter: TypeAdapter, sent: Any) -> None:
    try:
        adapter.validate_json(json.dumps(sent))
    except ValidationError as exc:
        raise InvalidEvent(f"{exc}\nin {sent!r:.1000}") from None


def _as_sent(value: Any) -> Any:
    """The JSON a client gets: a catch-up's events travel as their stored text (RawJSON,
    realtime/packets.py), decoded here."""
    return json.loads(json.dumps(value, default=lambda raw: json.loads(raw.text)))
