"""The draft contract: its editable sections, integrated frameworks, frozen versions and
their differences (the document itself: documents.py)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from ..models.contract import FRAMEWORK_KINDS, SECTION_KEYS
from ..services import validation
from ..services.errors import Invalid
from .common import Closed, Input, Output, items_of, text

MAX_SECTION = 50_000
from .facilitation import Person


class ContractQuery(Input):
    version: int | Literal["draft"] | None = Field(
        None, description="A frozen version; the current draft without it")


def _section_body(value: Any) -> str:
    """Markdown; "" empties a section, no body at all is a mistake."""
    if value is None:
        raise Invalid(_l("Ce champ est obligatoire."), field="body")
    return validation.text(value, "body", max_length=MAX_SECTION, required=False)


class SectionInput(Input):
    body: Annotated[str, BeforeValidator(_section_body), Field(max_length=MAX_SECTION)]


class ContractSection(Output):
    key: Literal[SECTION_KEYS]
    body: str


ContractSectionList = items_of(ContractSection)


class FrameworkInput(Closed):
    """All fields to create one; those given to edit one."""

    kind: Literal[FRAMEWORK_KINDS] | None = None
    name: str | None = Field(None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    integration: str | None = None


class ContractFramework(Output):
    id: int
    kind: Literal[FRAMEWORK_KINDS]
    name: str
    start_date: date | None
    end_date: date | None
    integration: str


ContractFrameworkList = items_of(ContractFramework)


class VersionInput(Input):
    note: text(2000, required=False) = ""


class ContractVersion(Output):
    number: int
    note: str
    author: Person
    created_at: datetime


ContractVersionList = items_of(ContractVersion)


class DiffQuery(Input):
    from_: int = Field(alias="from")
    to: int | Literal["draft"] | None = None


class CommitmentSummary(Output):
    id: int
    number: int
    title: str


class FieldChange(Output):
    field: str
    label: str
    before: str
    after: str


class ChangedCommitment(CommitmentSummary):
    changes: list[FieldChange]


class CommitmentChanges(Output):
    added: list[CommitmentSummary]
    removed: list[CommitmentSummary]
    changed: list[ChangedCommitment]


class SectionChange(Output):
    key: str
    title: str
    before: str
    after: str
    diff: list[str] = Field(description="Unified diff lines")


class ContractDiff(Output):
    from_: int = Field(alias="from")
    to: int | Literal["draft"]
    commitments: CommitmentChanges
    sections: list[SectionChange]
