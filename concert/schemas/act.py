"""The contract's act form: signatories, the act's settings (visas, place, date, duration,
notice, court) and the axes commitments are grouped by."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, ValidationInfo

from ..models.contract import SIGNATORY_ROLES
from ..services import validation
from ..services.errors import Invalid
from .common import Closed, Output, OptionalInteger, choice, items_of, text


def _date(value: Any, info: ValidationInfo) -> date | None:
    return validation.day(value, info.field_name)


def _bounded(low: int, high: int):
    def check(value: Any, info: ValidationInfo) -> int | None:
        if value in (None, ""):
            return None
        number = validation.integer(value, info.field_name)
        if not low <= number <= high:
            raise Invalid(_l("Nombre entre %(low)d et %(high)d attendu.", low=low, high=high),
                          field=info.field_name)
        return number
    return Annotated[int | None, BeforeValidator(check), Field(ge=low, le=high)]


def _visas(value: Any, info: ValidationInfo) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 50:
        raise Invalid(_l("Liste de textes attendue."), field=info.field_name)
    return [validation.text(item, info.field_name, max_length=1000) for item in value]


Day = Annotated[date | None, BeforeValidator(_date)]


class SignatoryInput(Closed):
    """All of role and organisation to add one; the fields given to edit one."""

    role: choice(SIGNATORY_ROLES) = None
    organisation: text(200) = Field(None, description="As the act names it: « la commune de "
                                                      "Marseille », « l'État »")
    person: text(200, required=False) = Field(None, description="« Mme Claire Martin »")
    quality: text(300, required=False) = Field(None, description="« préfète de la région … »")
    deliberation_date: Day = None
    deliberation_number: text(100, required=False) = None
    position: OptionalInteger = Field(None, description="Order in the act (0 first)")


class Signatory(Output):
    id: int
    position: int
    role: Literal[SIGNATORY_ROLES]
    organisation: str
    person: str
    quality: str
    deliberation_date: date | None
    deliberation_number: str


SignatoryList = items_of(Signatory)


class ActInput(Closed):
    """The fields given change; `visas: null` brings back the default visas."""

    visas: Annotated[list[str] | None, BeforeValidator(_visas)] = Field(
        None, description="The legal visas, one « Vu … » each; the frameworks' are added")
    place: text(200, required=False) = None
    signed_on: Day = None
    originals: _bounded(1, 50) = None
    effective_on: Day = None
    ends_on: Day = Field(None, description="Without it: the end of the municipal mandate")
    notice_months: _bounded(0, 24) = None
    court: text(200, required=False) = Field(
        None, description="« tribunal administratif de … »; without it, the département's")


class Act(Output):
    visas: list[str]
    visas_default: bool
    place: str
    signed_on: date | None
    originals: int | None
    effective_on: date | None
    ends_on: date | None
    notice_months: int
    court: str


class AxisInput(Closed):
    key: str | None = Field(None, max_length=64, description="An existing axis (kept)")
    # Refused as the list's field: the list is what the caller sent.
    label: Annotated[str, BeforeValidator(
        lambda value: validation.text(value, "axes", max_length=200)),
        Field(min_length=1, max_length=200)]


def _axes(value: Any, info: ValidationInfo) -> list | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 60:
        raise Invalid(_l("Liste d'axes attendue."), field="axes")
    return value


class AxesInput(Closed):
    axes: Annotated[list[AxisInput] | None, BeforeValidator(_axes)] = Field(
        description="The whole list, in order; null restores the default axes")


class Axis(Output):
    key: str
    label: str
    commitments: int


AxisList = items_of(Axis)
