"""After signature: avenants, the governance bodies, the yearly evaluation (its synthesis,
its years) and the measurements that are due."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ..models.commitments import FREQUENCIES
from ..models.evaluation import GOVERNANCE_KINDS
from .common import Closed, Input, Integer, Output, items_of, text
from .facilitation import Person


class AmendmentInput(Input):
    note: text(2000, required=False) = ""


class Amendment(Output):
    number: int
    note: str
    author: Person
    created_at: datetime
    signed_version: int = Field(description="The signed version the avenant amends")


AmendmentList = items_of(Amendment)


class Member(Input):
    organisation: text(200)
    quality: text(200, required=False) = ""


class GovernanceInput(Closed):
    """The whole body: what is left out is emptied."""

    chair: text(200, required=False) = ""
    composition: list[Member] = Field(default_factory=list, max_length=100)
    frequency: text(200, required=False) = ""
    clspd_link: text(5000, required=False) = ""
    missions: text(5000, required=False) = ""


class GovernanceMember(Output):
    organisation: str
    quality: str


class GovernanceBody(Output):
    kind: Literal[GOVERNANCE_KINDS]
    name: str
    chair: str
    composition: list[GovernanceMember]
    frequency: str
    clspd_link: str
    missions: str


GovernanceList = items_of(GovernanceBody)


class SynthesisInput(Input):
    body: text(50_000, required=False) = ""


class EvaluationYear(Output):
    year: int
    synthesis: str
    urls: dict[str, str] = Field(description="The report, by format (pdf, docx, odt, md)")


EvaluationYearList = items_of(EvaluationYear)


class YearQuery(Input):
    year: Integer


class DueMeasurement(Output):
    commitment: int
    number: int
    indicator: int
    name: str
    frequency: Literal[FREQUENCIES]
    last_measured_on: date | None
    due_on: date


DueMeasurementList = items_of(DueMeasurement)
