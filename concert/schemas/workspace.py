"""The workspace: channels and posts."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from ..models import CONTRIBUTION_KINDS, ORGANISATION_KINDS, POST_KINDS, POST_STATUSES
from ..services import validation
from ..services.errors import Invalid
from .common import Input, Integer, OptionalInteger, Output, choice, items_of, text
from .files import Attachment, AttachmentIds

MAX_PAGE = 200
CONSOLIDATION_PAGE = 50

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


def _kinds(value: Any) -> list[str] | None:
    """Organisation kinds a channel is restricted to, sorted; none: open to all."""
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise Invalid(_l("Liste de types d'organisation attendue."), field="restricted_to")
    return sorted({validation.choice(kind, "restricted_to", ORGANISATION_KINDS)
                   for kind in value})


def _flag(value: Any, info: ValidationInfo) -> bool:
    if not isinstance(value, bool):
        raise Invalid(_l("Valeur booléenne attendue."), field=info.field_name)
    return value


RestrictedTo = Annotated[list[Literal[ORGANISATION_KINDS]] | None, BeforeValidator(_kinds),
                         Field(description="Organisation kinds that see it; null: everyone")]


class ChannelInput(Input):
    name: text(80)
    description: text(300, required=False) = ""
    restricted_to: RestrictedTo = None


class ChannelChanges(Input):
    """Only the fields given change. Restricting (or opening) a channel takes a platform
    admin or a facilitator who sees it."""

    name: text(80) = None
    description: text(300, required=False) = None
    archived: Annotated[bool, BeforeValidator(_flag)] = None
    restricted_to: RestrictedTo = None


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
    attachments: AttachmentIds = None


class BodyInput(Input):
    body: Body = Field(None, validate_default=True)  # absent: "Le message est vide."


class PostChanges(BodyInput):
    """An edit of a post: its body, and (given) its whole list of attachments."""

    attachments: AttachmentIds = None


def _blank_or(check):
    """A query-string filter: absent or blank filters nothing."""
    def blank_or(value: Any, info: ValidationInfo) -> Any:
        return None if value in (None, "") else check(value, info.field_name)
    return BeforeValidator(blank_or)


class PreviewInput(BodyInput):
    territory: Annotated[str | None, _blank_or(
        lambda v, f: validation.text(v, f, max_length=64))] = Field(None, description=(
            "The territory (slug) it would be posted in: its mentions are linked"))


def _limit(value: Any) -> int:
    limit = validation.integer(value, "limit")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(_l("« limit » doit être compris entre 1 et %(max)d.", max=MAX_PAGE),
                      field="limit")
    return limit


def _top_level(value: Any) -> bool:
    return value in ("1", "true", True)


def _contribution_kind(value: Any, field: str) -> str:
    if validation.choice(value, field, POST_KINDS) not in CONTRIBUTION_KINDS:
        raise Invalid(_l("Seuls les besoins et les propositions sont des contributions."),
                      field="kind")
    return value


_Id = _blank_or(validation.integer)
Limit = Annotated[int, BeforeValidator(_limit), Field(ge=1, le=MAX_PAGE)]
Kind = Annotated[Literal[POST_KINDS] | None,
                 _blank_or(lambda v, f: validation.choice(v, f, POST_KINDS))]
ContributionKind = Annotated[Literal[CONTRIBUTION_KINDS] | None, _blank_or(_contribution_kind)]
Status = Annotated[Literal[POST_STATUSES] | None,
                   _blank_or(lambda v, f: validation.choice(v, f, POST_STATUSES))]


class PostsQuery(Input):
    channel: Annotated[int | None, _Id] = None
    kind: Kind = None
    status: Status = None
    thread: Annotated[int | None, _Id] = None
    top_level: Annotated[bool, BeforeValidator(_top_level)] = False
    after_seq: Annotated[int | None, _Id] = None
    before_seq: Annotated[int | None, _Id] = None
    limit: Limit = 50
    order: choice(("seq", "supports")) = "seq"


def _after(value: Any) -> Any:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid(_l("Position de page invalide."), field="after")
    return value


class _Paged(Input):
    """Keyset paging: `after` is posts.page_key of the previous page's last post."""

    after: Annotated[str | None, BeforeValidator(_after)] = None

    def ordered_by(self) -> str:
        return "supports"

    @model_validator(mode="after")
    def _after_of_order(self):
        if self.after is not None:
            parts = self.after.split(".")
            if len(parts) != (2 if self.ordered_by() == "supports" else 1) or not all(
                    p.isdigit() for p in parts):
                raise Invalid(_l("Position de page invalide."), field="after")
        return self

    def after_key(self) -> tuple[int, ...] | None:
        return None if self.after is None else tuple(int(p) for p in self.after.split("."))


class ContributionsQuery(_Paged):
    """Needs and proposals, most supported first or (`recent`) newest first."""

    channel: Annotated[int | None, _Id] = None
    kind: ContributionKind = None
    status: Status = None
    order: choice(("supports", "recent")) = "supports"
    limit: Limit = MAX_PAGE

    def ordered_by(self) -> str:
        return self.order


class ConsolidationQuery(_Paged):
    """The open needs and proposals, most supported first: `text` keeps those holding each
    of its significant words; `organisation_kind`, those whose author spoke for one."""

    channel: Annotated[int | None, _Id] = None
    kind: ContributionKind = None
    text: Annotated[str | None, _blank_or(
        lambda v, f: validation.text(v, f, max_length=200, required=False))] = None
    organisation_kind: Annotated[Literal[ORGANISATION_KINDS] | None, _blank_or(
        lambda v, f: validation.choice(v, f, ORGANISATION_KINDS))] = None
    limit: Limit = CONSOLIDATION_PAGE


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
    attachments: list[Attachment] = Field([], description="Attached documents (none in events stored before them)")
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


