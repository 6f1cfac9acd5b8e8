"""The assembled document model (exports/document.py) as the API gives it: the contract,
a frozen version, a workshop's minutes."""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field

from .common import Output

Cell = str | int | float | None


class MarkdownBlock(Output):
    type: Literal["markdown"]
    source: str


class ParagraphBlock(Output):
    type: Literal["paragraph"]
    text: str


class ListBlock(Output):
    type: Literal["list"]
    items: list[str]


class FieldsBlock(Output):
    type: Literal["fields"]
    items: list[list[str]]


class TableBlock(Output):
    type: Literal["table"]
    caption: str
    columns: list[str]
    rows: list[list[Cell]]


class ChartBlock(Output):
    type: Literal["chart"]
    title: str
    svg: str
    alt: str


Block = Annotated[Union[MarkdownBlock, ParagraphBlock, ListBlock, FieldsBlock, TableBlock,
                        ChartBlock], Field(discriminator="type")]


class DocumentSection(Output):
    key: str
    number: str
    title: str
    blocks: list[Block]
    sections: list[DocumentSection]


class Document(Output):
    kind: Literal["contract", "minutes", "commitments"]
    lang: str | None = Field(None, description="Absent from versions frozen before it existed")
    title: str
    subtitle: str
    meta: list[list[str]]
    sections: list[DocumentSection]
