"""The Socket.IO surface (SPEC, "Socket.IO"), typed: what a client sends (`join`, `post`,
`workshop`, `typing`) and the ack it gets, and every server → client `event` by its
`type`. Handlers parse their input with these models; with CONCERT_VALIDATE_EVENTS (the
tests) every event broadcast, re-delivered or replayed by a catch-up, and every ack, is
checked against them (concert/realtime/broadcast.py), as Zulip checks its events against
`event_schema`."""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr,
    TypeAdapter, ValidationError, create_model,
)

from ..models import POST_STATUSES
from . import contract, evaluation, facilitation, notifications, workshops, workspace


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


class PostInput(workspace.PostInput):
    """The API's post input, and the territory it is posted in: the handler passes it to
    the service as it is. Its fields are checked by the service's own rules (the API's),
    so "5" is a channel here as there; the territory is a string, strictly."""

    territory: StrictStr


class WorkshopPresenceInput(_In):
    """Shows (or stopped showing, `present: false`) a workshop's page."""

    territory: str
    workshop: StrictInt
    present: StrictBool = True


class TypingInput(_In):
    territory: str
    channel: StrictInt


INPUTS: dict[str, type[BaseModel]] = {"join": JoinInput, "post": PostInput,
                                "workshop": WorkshopPresenceInput, "typing": TypingInput}


# --- resources as events carry them -------------------------------------------------------
# The API's models (workspace, facilitation, contract, workshops): an event carries a
# resource in the JSON shape the API answers with. Only where an event's shape differs is
# there a subclass here, and it says how.

Member = workspace.Author           # a person as others see them: name and organisation
UserRef = facilitation.Person       # a person by id and name
Commitment = facilitation.Commitment  # with its quoted sources the reader may see
ContractVersion = contract.ContractVersion


def _per_reader(value: Any) -> Any:
    raise ValueError("an event, broadcast to every member, never carries a per-reader field")


# The API's per-reader fields (whether I support a post, my dots, the server's clock for my
# page): absent from an event, refused if present.
PerReader = Annotated[None, AfterValidator(_per_reader)]


class Post(workspace.Post):
    """The API's post without `supported` (whether the reader supports it)."""

    supported: PerReader = None


class Vote(workshops.Vote):
    """The API's vote without `mine` (the reader's dots)."""

    mine: PerReader = None


class Workshop(workshops.Workshop):
    """The API's workshop without `server_now` (given to answers and pages), its votes
    without `mine`."""

    server_now: PerReader = None
    votes: list[Vote]


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
    commitments: list[workspace.CommitmentRef]


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


class MeasurementRecorded(_Out):
    """An indicator's measurement, by a facilitator or the commitment's pilot."""

    commitment: int
    number: int
    indicator: int
    name: str
    id: int
    date: str
    value: float
    comment: str
    author: UserRef


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
    "contract.amendment": evaluation.Amendment,
    "measurement.recorded": MeasurementRecorded,
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


# --- server → client `notification` -------------------------------------------------------

# One item of the person's list (GET /api/v1/notifications), to that person's sockets only.
Notification = notifications.Notification
_NOTIFICATION = TypeAdapter(Notification)


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


def check_notification(item: Any) -> None:
    """Raises InvalidEvent unless `item` is a `notification` as SPEC defines it."""
    _check(_NOTIFICATION, _as_sent(item))


def check_ack(name: str, ack: Any) -> None:
    """Raises InvalidEvent unless `ack` is the answer SPEC gives to `name`; a `join`'s
    catch-up events are checked one by one."""
    sent = _as_sent(ack)
    _check(_ACKS[name], sent)
    for message in sent.get("missed", []) if isinstance(sent, dict) else []:
        check_event(message)


def _check(adapter: TypeAdapter, sent: Any) -> None:
    """Strictly, the API's models too: a number sent as a string is a bug of ours."""
    try:
        adapter.validate_json(json.dumps(sent), strict=True)
    except ValidationError as exc:
        raise InvalidEvent(f"{exc}\nin {sent!r:.1000}") from None


def _as_sent(value: Any) -> Any:
    """The JSON a client gets: a catch-up's events travel as their stored text (RawJSON,
    realtime/packets.py), decoded here."""
    return json.loads(json.dumps(value, default=lambda raw: json.loads(raw.text)))
