"""Search of a territory (services/search.py)."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, model_validator

from ..models import COMMITMENT_STATUSES, POST_STATUSES, SEARCH_KINDS
from ..models.workshops import WORKSHOP_STATUSES
from ..services import validation
from ..services.errors import Invalid
from .common import Input, Output, text
from .workspace import _blank_or

MAX_QUERY = 200
MAX_LIMIT = 100
MAX_OFFSET = 10_000
PAGE = 20
STATUSES = tuple(dict.fromkeys(POST_STATUSES + COMMITMENT_STATUSES + WORKSHOP_STATUSES))
ORDERS = ("relevance", "recent")


def _bounded(low: int, high: int, field: str):
    def check(value: Any, _field: str) -> int:
        number = validation.integer(value, field)
        if not low <= number <= high:
            raise Invalid(_l("« %(field)s » doit être compris entre %(low)d et %(high)d.",
                             field=field, low=low, high=high), field=field)
        return number
    return _blank_or(check)


def _choice(allowed: tuple[str, ...]):
    return _blank_or(lambda v, f: validation.choice(v, f, allowed))


def _day(value: Any, field: str) -> date | None:
    return value if isinstance(value, date) else validation.day(value, field)


class SearchQuery(Input):
    """`q`: words (accents, case and plurals aside), "a phrase" and prefix* (all must
    match). Filters: `kind`, `channel` (posts and their files), `status`, `organisation`
    (the author's, or a commitment's pilot), `since`/`until` (dates, inclusive)."""

    q: text(MAX_QUERY) = Field(None, validate_default=True)
    kind: Annotated[Literal[SEARCH_KINDS] | None, _choice(SEARCH_KINDS)] = None
    channel: Annotated[int | None, _blank_or(validation.integer)] = None
    status: Annotated[Literal[STATUSES] | None, _choice(STATUSES)] = None
    organisation: Annotated[str | None, _blank_or(
        lambda v, f: validation.text(v, f, max_length=200, required=False))] = None
    since: Annotated[date | None, _blank_or(_day)] = None
    until: Annotated[date | None, _blank_or(_day)] = None
    order: Annotated[Literal[ORDERS], BeforeValidator(
        lambda v: ORDERS[0] if v in (None, "") else validation.choice(v, "order", ORDERS))
    ] = ORDERS[0]
    limit: Annotated[int, _bounded(1, MAX_LIMIT, "limit"), Field(ge=1, le=MAX_LIMIT)] = PAGE
    offset: Annotated[int, _bounded(0, MAX_OFFSET, "offset"),
                      Field(ge=0, le=MAX_OFFSET)] = 0

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.since and self.until and self.until < self.since:
            raise Invalid(_l("La date de fin précède la date de début."), field="until")
        return self


class SearchResult(Output):
    type: Literal[SEARCH_KINDS]
    id: int | str = Field(description="A number; a file's id is text")
    title: str
    excerpt: str = Field(description=(
        "HTML: the text escaped, the words found in <mark> elements (no other markup)"))
    url: str
    channel: int | None
    status: str | None
    organisation: str
    date: str


class SearchResults(Output):
    items: list[SearchResult]
    total: int
