"""Mentions: the composer's completions of `@` (services/mentions)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from ..services import validation
from ..services.errors import Invalid
from .common import Input, Output, items_of, text

MAX_SUGGESTIONS = 20


def _limit(value: Any) -> int:
    limit = validation.integer(value, "limit")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise Invalid(_l("« limit » doit être compris entre 1 et %(max)d.",
                         max=MAX_SUGGESTIONS), field="limit")
    return limit


class MentionQuery(Input):
    q: text(100, required=False) = Field("", description="What follows the `@`; empty: anyone")
    limit: Annotated[int, BeforeValidator(_limit), Field(ge=1, le=MAX_SUGGESTIONS)] = 8


class MentionCandidate(Output):
    type: Literal["person", "organisation"]
    id: int | None = Field(description="The person's user id; null for an organisation")
    name: str = Field(description="What `@` is followed by to mention them")
    organisation: str = Field(description="The person's organisation (an organisation: itself)")


MentionCandidateList = items_of(MentionCandidate)
