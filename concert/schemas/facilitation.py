"""Facilitation: commitments (promotion, edits, revisions, measurements), merge, decline,
reopen, and the audit log."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from ..models import COMMITMENT_STATUSES, PARTIES
from ..models.commitments import FREQUENCIES
from ..services import validation
from ..services.errors import Invalid
from .common import Closed, Input, Loose, Output, choice, items_of, text
from .files import Attachment, AttachmentIds

MEANS_KEYS = ("staff", "budget", "equipment")
Day = date  # the name `date` is also a field's


_number = validation.number


def _date(value: Any, info: ValidationInfo) -> date | None:
    return validation.day(value, info.field_name)


def _texts(max_length: int):
    def check(value: Any, info: ValidationInfo) -> list[str]:
        if not isinstance(value, list) or len(value) > 100:
            raise Invalid(_l("Liste de textes attendue."), field=info.field_name)
        return [validation.text(item, info.field_name, max_length=max_length) for item in value]
    return check


def _means(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - set(MEANS_KEYS):
        raise Invalid(_l("Moyens attendus : effectifs, budget, équipement."), field="means")
    return {key: validation.text(value.get(key), "means", max_length=2000, required=False)
            for key in MEANS_KEYS}


def _indicators(value: Any) -> list[dict]:
    if not isinstance(value, list) or len(value) > 50:
        raise Invalid(_l("Liste d'indicateurs attendue."), field="indicators")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid(_l("Liste d'indicateurs attendue."), field="indicators")
        indicator = {
            "name": validation.text(item.get("name"), "indicators", max_length=200),
            "unit": validation.text(item.get("unit"), "indicators", max_length=40,
                                    required=False),
            "baseline": _number(item.get("baseline"), "indicators"),
            "target": _number(item.get("target"), "indicators"),
            "reference_year": _year(item.get("reference_year")),
            "source": validation.text(item.get("source"), "indicators", max_length=200,
                                      required=False),
            "frequency": validation.choice(item["frequency"], "indicators", FREQUENCIES)
            if item.get("frequency") is not None else None,
        }
        # An `id` that is no id names no existing indicator: a new one.
        if isinstance(item.get("id"), int) and not isinstance(item["id"], bool):
            indicator["id"] = item["id"]
        result.append(indicator)
    return result


def _year(value: Any) -> int | None:
    """The year an indicator's reference value was measured (1900–2100), or none."""
    if value in (None, ""):
        return None
    year = validation.integer(value, "indicators")
    if not 1900 <= year <= 2100:
        raise Invalid(_l("Année de référence invalide."), field="indicators")
    return year


def _channel(value: Any, info: ValidationInfo) -> int | None:
    return None if value is None else validation.integer(value, info.field_name)


def _axis(value: Any, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    return validation.text(value, "axis", max_length=64)


def _post_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise Invalid(_l("Liste d'identifiants de messages attendue."), field="source_posts")
    return value


def _boolean(value: Any, info: ValidationInfo) -> bool:
    if not isinstance(value, bool):
        raise Invalid(_l("Valeur booléenne attendue."), field=info.field_name)
    return value


def _measured_on(value: Any, info: ValidationInfo) -> date:
    measured_on = _date(value, info)
    if measured_on is None:
        raise Invalid(_l("Date obligatoire."), field="date")
    return measured_on


def _value(value: Any) -> float:
    return _number(value, "value", required=True)


class IndicatorInput(Input):
    id: int | None = Field(None, description="An existing indicator (keeps its measurements)")
    name: str = Field(max_length=200)
    unit: str = Field("", max_length=40)
    baseline: float | None = None
    target: float | None = None
    reference_year: int | None = Field(None, ge=1900, le=2100,
                                       description="The year the baseline was measured")
    source: str = Field("", max_length=200, description="Where the figures come from")
    frequency: Literal[FREQUENCIES] | None = Field(
        None, description="How often it is measured: a measurement is due once a period")


class Means(Output):
    staff: str
    budget: str
    equipment: str


class MeansInput(Closed):
    staff: str = ""
    budget: str = ""
    equipment: str = ""


class CommitmentInput(Closed):
    """Every field of a commitment; a PATCH changes those given (`model_fields_set`)."""

    title: text(200) = None
    description: text(20_000, required=False) = None
    party: choice(PARTIES) = None
    pilot: text(200, required=False) = None
    partners: Annotated[list[str], BeforeValidator(_texts(200))] = None
    channel: Annotated[int | None, BeforeValidator(_channel)] = None
    actions: Annotated[list[str], BeforeValidator(_texts(2000))] = None
    means: Annotated[MeansInput, BeforeValidator(_means)] = None
    start_date: Annotated[date | None, BeforeValidator(_date)] = None
    due_date: Annotated[date | None, BeforeValidator(_date)] = None
    indicators: Annotated[list[IndicatorInput], BeforeValidator(_indicators)] = None
    axis: Annotated[str | None, BeforeValidator(_axis)] = Field(
        None, description="One of the territory's axes (…/contract/axes); by default the "
                          "channel's")
    financing: text(200, required=False) = Field(None, description="FIPD, DETR, budget "
                                                                   "communal…")
    target_area: text(200, required=False) = Field(None, description="A QPV, a QRR…")
    framework: Annotated[int | None, BeforeValidator(_channel)] = Field(
        None, description="The integrated framework it serves (…/contract/frameworks)")
    status: choice(COMMITMENT_STATUSES) = None
    abandon_reason: text(2000, required=False) = None
    attachments: AttachmentIds = None

    @model_validator(mode="after")
    def _dates_in_order(self):
        if self.start_date and self.due_date and self.due_date < self.start_date:
            raise Invalid(_l("L'échéance précède la date de début."), field="due_date")
        return self


class PromotionInput(CommitmentInput):
    """A new commitment, from the needs/proposals promoted; it starts as a draft."""

    title: text(200)
    party: choice(PARTIES) = Field(None, validate_default=True)
    status: choice(("draft",)) = None
    source_posts: Annotated[list[int], BeforeValidator(_post_ids)] = Field(
        [], description="The needs/proposals promoted")
    repromote: Annotated[bool, BeforeValidator(_boolean)] = Field(
        False, description="Allow posts already promoted")


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
    reference_year: int | None
    source: str
    frequency: Literal[FREQUENCIES] | None
    due_on: date | None = Field(description="When the next measurement is due (with a frequency)")
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
    axis: str | None
    financing: str
    target_area: str
    framework: int | None
    status: Literal[COMMITMENT_STATUSES]
    abandon_reason: str | None
    source_posts: list[int] = Field(description="Sources visible to the caller")
    sources: list[Source]
    hidden_sources: int = Field(description="Sources in channels hidden from the caller")
    attachments: list[Attachment] = Field([], description="Attached documents (none in events stored before them)")
    created_at: datetime
    updated_at: datetime


CommitmentList = items_of(Commitment)


def _blank(check):
    """A query-string filter: absent or blank filters nothing."""
    def blank_or(value: Any, info: ValidationInfo) -> Any:
        return None if value in (None, "") else check(value, info.field_name)
    return BeforeValidator(blank_or)


class CommitmentsQuery(Input):
    status: Annotated[Literal[COMMITMENT_STATUSES] | None, _blank(
        lambda v, f: validation.choice(v, f, COMMITMENT_STATUSES))] = None
    party: Annotated[Literal[PARTIES] | None, _blank(lambda v, f: validation.choice(v, f, PARTIES))] = None
    pilot: Annotated[str | None, _blank(
        lambda v, f: validation.text(v, f, max_length=200))] = None
    channel: Annotated[int | None, _blank(validation.integer)] = None


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
    date: Annotated[Day, BeforeValidator(_measured_on)] = Field(None, validate_default=True)
    value: Annotated[float, BeforeValidator(_value)] = Field(None, validate_default=True)
    comment: text(2000, required=False) = ""


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
