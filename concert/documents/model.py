"""The one assembled document model every renderer reads (STYLE.md: "Documents have one model").

A document is plain data (dicts, lists, strings, numbers) so that it can be stored as JSON
(frozen contract versions), compared (version diffs) and handed to any renderer. The contract
(services/contract.py) and workshop minutes (services/workshops.py) are assembled into it;
exports/ turns it into Markdown, HTML, PDF, DOCX and ODT, so the formats never disagree.

    document = {
        "kind": "contract" | "minutes" | "commitments",
        "lang": "fr",                      # the language of every word, the renderers' too
        "title": str,                      # title page and <title>
        "subtitle": str,                   # e.g. the territory's name
        "meta": [[label, value], ...],     # title-page lines: phase, version, date…
        "sections": [section, ...],
    }
    section = {
        "key": str,                        # stable identifier ("preamble", "commitments-etat"…)
        "number": str,                     # "1", "3.2" — shown before the title
        "title": str,
        "blocks": [block, ...],
        "sections": [section, ...],        # sub-sections (e.g. one per commitment)
    }
    block, by "type":
        {"type": "markdown", "source": str}            # facilitator text, sanitised on render
        {"type": "paragraph", "text": str}
        {"type": "list", "items": [str, ...]}
        {"type": "fields", "items": [[label, value], ...]}   # a short label/value list
        {"type": "table", "caption": str, "columns": [str, ...],
                          "rows": [[str | int | float | None, ...], ...]}
        {"type": "chart", "title": str, "svg": str, "alt": str}   # server-rendered SVG

Strings are final, already translated text: renderers never translate or reformat values
(None in a table renders as an empty cell). Only the constructors below build these dicts.
"""
from __future__ import annotations

from typing import Any, Iterable

Block = dict[str, Any]
Section = dict[str, Any]
Document = dict[str, Any]


def document(kind: str, title: str, subtitle: str, meta: Iterable[tuple[str, str]],
             sections: list[Section], lang: str) -> Document:
    return {"kind": kind, "lang": lang, "title": title, "subtitle": subtitle,
            "meta": [[str(label), str(value)] for label, value in meta], "sections": sections}


def language(document: Document) -> str:
    """Documents frozen before the field existed were all in French."""
    return document.get("lang") or "fr"


def language_tag(document: Document) -> str:
    """For the files' metadata (DOCX, ODT): fr → fr-FR."""
    lang = language(document)
    return {"fr": "fr-FR", "en": "en-GB"}.get(lang, lang)


def section(key: str, number: str, title: str, blocks: list[Block] | None = None,
            sections: list[Section] | None = None) -> Section:
    return {"key": key, "number": number, "title": title, "blocks": blocks or [],
            "sections": sections or []}


def markdown(source: str) -> Block:
    return {"type": "markdown", "source": source}


def paragraph(text: str) -> Block:
    return {"type": "paragraph", "text": text}


def bullet_list(items: Iterable[str]) -> Block:
    return {"type": "list", "items": [str(item) for item in items]}


def fields(items: Iterable[tuple[str, Any]]) -> Block:
    return {"type": "fields", "items": [[str(label), "" if value is None else str(value)]
                                        for label, value in items]}


def table(caption: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> Block:
    return {"type": "table", "caption": caption, "columns": [str(c) for c in columns],
            "rows": [list(row) for row in rows]}


def chart(title: str, svg: str, alt: str) -> Block:
    return {"type": "chart", "title": title, "svg": svg, "alt": alt}


def walk(sections: list[Section]) -> Iterable[Section]:
    """Every section, depth first, in reading order."""
    for item in sections:
        yield item
        yield from walk(item["sections"])


def cell_text(value: Any) -> str:
    """A table cell as every renderer shows it: None empty, numbers the French way
    (1 234,5), text as is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        if value == int(value):
            return cell_text(int(value))
        whole, _, decimals = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", "\u202f") + ("," + decimals if decimals else "")
    return str(value)
