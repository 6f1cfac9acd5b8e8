"""The shared diagnostic: SSMSI import, indicators, organisations' entries, observations."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .common import Closed, Input, OptionalInteger, Output, text

EntryText = text(5000, required=False)


class ImportRecord(Output):
    kind: Literal["communal", "departmental"]
    filename: str
    edition: str
    encoding: str
    rows: int
    skipped: int
    imported_by: str | None
    created_at: datetime


class Imported(Output):
    rows: int
    skipped: int
    import_: ImportRecord = Field(alias="import")


class ImportJob(Output):
    """An import run in the background (`Prefer: respond-async`), followed from any process."""

    id: int
    status: Literal["running", "done", "failed"]
    filename: str
    size: int
    bytes_read: int
    lines: int
    kept: int
    skipped: int
    error: str | None
    import_: ImportRecord | None = Field(alias="import")
    created_at: datetime
    updated_at: datetime


class Cell(Output):
    facts: float | None
    rate: float | None
    published: bool


class CommuneSeries(Output):
    commune: str = Field(description="INSEE code")
    name: str | None = Field(description=(
        "Name from Etalab's découpage administratif; null for a code it does not know"))
    series: list[Cell | None] = Field(description=(
        "One per year: null (no row) or {facts, rate, published}; facts and rate are null "
        "when not published (non diffusé)"))
    evolution: float | None = Field(description="% from first to last published year")
    evolution_years: list[int] | None = Field(description="The two years it compares")
    last_year: int | None = Field(description=(
        "Its last published year: before the table's last, its data stop earlier"))


class Total(Output):
    year: int
    facts: float | None
    rate: float | None
    partial: bool


class Comparison(Output):
    area: str = Field(description="Département code, or FR for France")
    label: str = Field(description='"Bouches-du-Rhône (13)", "France"')
    rates: list[float | None] = Field(description="Per 1,000, one per year of the table")
    evolution: float | None = Field(description="% over the territory's evolution_years")


class IndicatorTable(Output):
    indicator: str
    unit: str = Field(description="The SSMSI's unité de compte, as the file spells it")
    unit_label: str = Field(description='What is counted: "victimes", "mis en cause"…')
    caveat: str | None = Field(description="The reading precaution, if any")
    years: list[int]
    rate_base: Literal["population", "dwellings"]
    communes: list[CommuneSeries]
    totals: list[Total]
    evolution: float | None
    evolution_years: list[int] | None = Field(description="The two years it compares")
    comparisons: list[Comparison] = Field(description=(
        "The territory's départements and France (departmental base), same years"))


class Departement(Output):
    code: str
    label: str


class EntryInput(Closed):
    """An organisation's means and methods: the fields given change."""

    staff: EntryText = None
    equipment: EntryText = None
    hours: EntryText = None
    partnerships: EntryText = None
    schemes: EntryText = None
    notes: EntryText = None


class DiagnosticEntry(Output):
    id: int
    organisation: str
    organisation_kind: str
    staff: str
    equipment: str
    hours: str
    partnerships: str
    schemes: str
    notes: str
    updated_by: str | None
    updated_at: datetime


class ObservationInput(Input):
    body: text(20_000)
    entry: OptionalInteger = Field(None, description="The entry it is about, if any")


class DiagnosticObservation(Output):
    id: int
    entry: int | None
    body: str
    html: str
    author: str | None
    created_at: datetime


class ChannelName(Output):
    id: int
    name: str


class Need(Output):
    id: int
    body: str
    html: str
    status: str | None
    supports: int
    organisation: str
    decline_reason: str | None
    created_at: datetime


class ChannelNeeds(Output):
    channel: ChannelName
    needs: list[Need]


class Diagnostic(Output):
    communes: list[str]
    departements: list[Departement]
    import_: ImportRecord | None = Field(alias="import")
    departmental_import: ImportRecord | None
    indicators: list[IndicatorTable]
    entries: list[DiagnosticEntry]
    observations: list[DiagnosticObservation]
    needs: list[ChannelNeeds]


class UploadInput(Input):
    """multipart/form-data"""

    file: bytes
    kind: Literal["communal", "departmental"] | None = Field(None, description=(
        "The SSMSI base: communal or departmental; by default its columns tell"))


