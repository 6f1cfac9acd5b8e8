"""Live workshops: planning, the agenda, dot-votes."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, StrictInt

from ..services import validation
from ..services.errors import Invalid
from .common import Input, Integer, OptionalInteger, Output, items_of, text
from .files import Attachment, AttachmentIds

WORKSHOP_STATUSES = ("planned", "live", "closed", "cancelled")
MAX_ITEMS = 30
MAX_MINUTES = 480
MAX_DOTS = 10
MAX_VOTE_POSTS = 30
MAX_INVITED = 100


def _starts_at(value: Any) -> datetime:
    """ISO 8601; without an offset, the territory's local time (CONCERT_TIMEZONE)."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."), field="starts_at")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(_l("Date et heure attendues (AAAA-MM-JJTHH:MM)."),
                      field="starts_at") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    if not 2000 <= parsed.year <= 2100:
        raise Invalid(_l("Date hors limites."), field="starts_at")
    return parsed.astimezone(timezone.utc)


def _url(value: Any) -> str:
    url = validation.text(value, "online_url", max_length=500, required=False)
    if url and not url.lower().startswith(("https://", "http://")):
        raise Invalid(_l("Le lien doit commencer par https:// ou http://."), field="online_url")
    return url


def _invited(value: Any) -> list[str]:
    """Organisation names, blanks and repeats dropped."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_INVITED:
        raise Invalid(_l("Liste de textes attendue (%(max)d au plus).", max=MAX_INVITED),
                      field="invited")
    texts = [validation.text(v, "invited", max_length=200, required=False) for v in value]
    return list(dict.fromkeys(t for t in texts if t))


def _agenda(value: Any) -> Any:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        raise Invalid(_l("L'ordre du jour compte de 1 à %(max)d points.", max=MAX_ITEMS),
                      field="agenda")
    if not all(isinstance(entry, dict) for entry in value):
        raise Invalid(_l("Chaque point : {title, minutes, channel}."), field="agenda")
    return value


def _minutes(value: Any) -> int:
    minutes = validation.integer(value, "agenda")
    if not 1 <= minutes <= MAX_MINUTES:
        raise Invalid(_l("Durée d'un point : de 1 à %(max)d minutes.", max=MAX_MINUTES),
                      field="agenda")
    return minutes


def _dots(value: Any) -> int:
    dots = validation.integer(value, "dots")
    if not 1 <= dots <= MAX_DOTS:
        raise Invalid(_l("Entre 1 et %(max)d points par participant.", max=MAX_DOTS),
                      field="dots")
    return dots


def _vote_posts(value: Any) -> list[int]:
    """2 to MAX_VOTE_POSTS distinct ids, in the order given."""
    if (not isinstance(value, list) or not 2 <= len(set(map(str, value))) <= MAX_VOTE_POSTS
            or not all(validation.is_id(v) for v in value)):
        raise Invalid(_l("Choisissez de 2 à %(max)d contributions (besoins ou propositions).",
                         max=MAX_VOTE_POSTS), field="posts")
    return list(dict.fromkeys(value))


# Errors about an agenda item name the agenda: the form shows them beside it.
AgendaTitle = Annotated[str, BeforeValidator(
    lambda v: validation.text(v, "agenda", max_length=200)), Field(max_length=200)]
AgendaChannel = Annotated[int | None, BeforeValidator(
    lambda v: None if v in (None, "") else validation.integer(v, "agenda"))]
StartsAt = Annotated[datetime, BeforeValidator(_starts_at), Field(
    description="ISO 8601; without an offset: the server's time zone")]
OnlineUrl = Annotated[str, BeforeValidator(_url), Field(
    max_length=500, description="https:// or http://")]
Invited = Annotated[list[str], BeforeValidator(_invited), Field(max_length=MAX_INVITED)]


class AgendaItemInput(Input):
    title: AgendaTitle
    minutes: Annotated[int, BeforeValidator(_minutes), Field(ge=1, le=MAX_MINUTES)]
    channel: AgendaChannel = Field(None, description="A channel open to all")


Agenda = Annotated[list[AgendaItemInput], BeforeValidator(_agenda),
                   Field(min_length=1, max_length=MAX_ITEMS)]


class WorkshopPatch(Input):
    """An edit of a planned workshop: only the fields given change; a new `agenda` replaces
    the old one."""

    title: text(200) = None
    starts_at: StartsAt = None
    place: text(200, required=False) = None
    online_url: OnlineUrl = None
    invited: Invited = None
    agenda: Agenda = None
    attachments: AttachmentIds = None

    def given(self) -> set[str]:
        return set(self.model_fields_set)


class WorkshopInput(WorkshopPatch):
    """A new workshop: a place or an online link (or both)."""

    title: text(200)
    starts_at: StartsAt
    place: text(200, required=False) = ""
    online_url: OnlineUrl = ""
    invited: Invited = []
    agenda: Agenda

    def given(self) -> set[str]:
        return set(type(self).model_fields)


class CancelInput(Input):
    reason: text(2000, required=False) = ""


class MoveInput(Input):
    to: Literal["next", "previous"] | StrictInt = Field(description="Or an agenda position")


class VoteInput(Input):
    question: text(300, required=False) = Field("", description="« Priorités » when blank")
    dots: Annotated[int, BeforeValidator(_dots), Field(ge=1, le=MAX_DOTS)] = 3
    posts: Annotated[list[int], BeforeValidator(_vote_posts),
                     Field(min_length=2, max_length=MAX_VOTE_POSTS)]


class DotInput(Input):
    post: Integer
    slot: OptionalInteger = Field(None, ge=0, description=(
        "That dot, placed or moved; without, the first free one"))


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
    attachments: list[Attachment] = Field([], description="Attached documents (none in events stored before them)")
    server_now: datetime | None = Field(None, description="The server's clock, for the timer")


WorkshopList = items_of(Workshop)
