"""Facilitation: commitments (promotion, edits, revisions, measurements), merge, decline,
reopen, and the audit log."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from ..models import COMMITMENT_STATUSES, PARTIES
from ..services.errors import Invalid
from .common import Closed, Input, Loose, Output, items_of, text


class IndicatorInput(Input):
    id: int | None = None
    name: str = Field(max_length=200)
    unit: str = Field("", max_length=40)
    baseline: float | None = None
    target: float | None = None


class Means(Output):
    staff: str
    budget: str
    equipment: str


class MeansInput(Closed):
    staff: str = ""
    budget: str = ""
    equipment: str = ""


class CommitmentInput(Closed):
    """Every field of a commitment; a PATCH changes those given."""

    title: str | None = Field(None, max_length=200)
    description: str | None = None
    party: Literal[PARTIES] | None = None
    pilot: str | None = None
    partners: list[str] | None = None
    channel: int | None = None
    actions: list[str] | None = None
    means: MeansInput | None = None
    start_date: date | None = None
    due_date: date | None = None
    indicators: list[IndicatorInput] | None = None
    status: Literal[COMMITMENT_STATUSES] | None = None
    abandon_reason: str | None = None
    source_posts: list[int] | None = Field(
        None, description="Creation only: the needs/proposals promoted")
    repromote: bool | None = Field(
        None, description="Creation only: allow posts already promoted")


class Measurement(Output):
    id: int
    date: date
    value: float
    comment: str


class Indicator(Output):
    id: int
    name: str
    unit: str
    baseline: float | None
    target: float | None
    measurements: list[Measurement]
    latest: float | None
    progress: float | None = Field(ge=0, le=1)


class Source(Output):
    id: int
    channel: int
    kind: str
    seq: int
    excerpt: str
    author: str


class Commitment(Output):
    id: int
    number: int
    title: str
    description: str
    party: Literal[PARTIES]
    pilot: str
    partners: list[str]
    channel: int | None
    actions: list[str]
    means: Means
    start_date: date | None
    due_date: date | None
    indicators: list[Indicator]
    status: Literal[COMMITMENT_STATUSES]
    abandon_reason: str | None
    source_posts: list[int] = Field(description="Sources visible to the caller")
    sources: list[Source]
    hidden_sources: int = Field(description="Sources in channels hidden from the caller")
    created_at: datetime
    updated_at: datetime


CommitmentList = items_of(Commitment)


class CommitmentsQuery(Input):
    status: Literal[COMMITMENT_STATUSES] | None = None
    party: Literal[PARTIES] | None = None
    pilot: str | None = None
    channel: int | None = None


class Person(Output):
    id: int | None
    name: str | None


class Change(Output):
    before: Any = None
    after: Any = None


class CommitmentRevision(Output):
    id: int
    created_at: datetime
    author: Person
    changes: dict[str, Change]


CommitmentRevisionList = items_of(CommitmentRevision)


class MeasurementInput(Closed):
    date: date
    value: float
    comment: str = ""


def _into(value: Any) -> int:
    if value is None:
        raise Invalid(_l("Ce champ est obligatoire."), field="into")
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_l("Nombre entier attendu."), field="into")
    return value


class DeclineInput(Closed):
    reason: text(2000) = Field(description="Shown to all")


class MergeInput(Closed):
    into: Annotated[int, BeforeValidator(_into)] = Field(description="The contribution kept")


class AuditEntry(Output):
    id: int
    created_at: datetime
    actor: Person
    action: str
    object_type: str
    object_id: int | None
    before: Loose | Any = None
    after: Loose | Any = None
    hidden: bool


class AuditPage(Output):
    items: list[AuditEntry]
    next_before_id: int | None


class AuditQuery(Input):
    action: str | None = None
    actor: int | None = None
    object_type: str | None = None
    before_id: int | None = None
    limit: int | None = Field(None, ge=1, le=500)
