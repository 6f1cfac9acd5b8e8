"""The workspace: channels and posts."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from ..models import ORGANISATION_KINDS, POST_KINDS, POST_STATUSES
from ..services.errors import Invalid
from .common import Input, Integer, OptionalInteger, Output, choice, items_of

MAX_BODY = 10_000


def checked_body(value: Any) -> str:
    """A post's Markdown: not blank, stored without its outer spaces."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_l("Le message est vide."), field="body")
    if "\x00" in value:  # PostgreSQL stores no NUL character
        raise Invalid(_l("Ce champ doit être du texte."), field="body")
    if len(value) > MAX_BODY:
        raise Invalid(_l("Le message dépasse %(max)d caractères.", max=MAX_BODY), field="body")
    return value.strip()


def _client_id(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64 or "\x00" in value:
        raise Invalid(_l("Identifiant client invalide (64 caractères au plus)."),
                      field="client_id")
    return value


Body = Annotated[str, BeforeValidator(checked_body), Field(min_length=1, max_length=MAX_BODY)]


class ChannelInput(Input):
    name: str = Field(max_length=80)
    description: str = ""
    restricted_to: list[Literal[ORGANISATION_KINDS]] | None = None


class ChannelChanges(Input):
    name: str | None = Field(None, max_length=80)
    description: str | None = None
    restricted_to: list[Literal[ORGANISATION_KINDS]] | None = None
    archived: bool | None = None


class Channel(Output):
    id: int
    name: str
    description: str
    restricted_to: list[Literal[ORGANISATION_KINDS]] | None
    archived: bool


ChannelList = items_of(Channel)


class PostInput(Input):
    """A message, need or proposal, from the page's form, the API, the socket or the demo."""

    channel: Integer
    kind: choice(POST_KINDS)
    body: Body
    client_id: Annotated[str | None, BeforeValidator(_client_id)] = Field(
        None, max_length=64, description=(
            "Idempotency: the same client_id again answers 200 with the first post"))
    reply_to: OptionalInteger = None
    workshop: OptionalInteger = Field(None, description=(
        "Made from this live workshop (tagged with its current item)"))
    agenda_item: OptionalInteger = Field(None, description=(
        "With `workshop`: refused (409) unless it is the current item"))


class BodyInput(Input):
    body: Body


class PostsQuery(Input):
    channel: int | None = None
    kind: Literal[POST_KINDS] | None = None
    status: Literal[POST_STATUSES] | None = None
    thread: int | None = None
    top_level: bool | None = None
    after_seq: int | None = None
    before_seq: int | None = None
    limit: int | None = Field(None, ge=1, le=200)
    order: Literal["seq", "supports"] | None = None


class Author(Output):
    id: int | None
    name: str
    organisation: str
    organisation_kind: Literal[ORGANISATION_KINDS] | str


class CommitmentRef(Output):
    id: int
    number: int
    title: str


class Post(Output):
    id: int
    channel: int
    kind: Literal[POST_KINDS]
    body: str
    html: str = Field(description="Sanitised HTML rendering of `body`")
    status: Literal[POST_STATUSES] | None
    author: Author
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
    supported: bool | None = Field(None, description="Whether I support it")


class PostPage(Output):
    items: list[Post]
    first_seq: int | None
    last_seq: int | None


PostList = items_of(Post)


class PostRevision(Output):
    body: str
    written_at: datetime
    replaced_at: datetime


PostRevisionList = items_of(PostRevision)


class Preview(Output):
    html: str


