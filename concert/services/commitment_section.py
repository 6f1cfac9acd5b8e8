"""One commitment's section of a document, as the contract states it: "Engagement n° N —
Titre", its description, then its fields as an act states them (pilot, partners, status,
domain, calendar, means), its actions and its indicators. The contract (services/contract.py)
and the commitment list's document formats (services/commitment_list.py: Markdown) both
build their commitments here, so a commitment reads the same in both.

The builder reads plain facts (Facts), so that the contract can give it ORM rows and the list
its assembled items. Words are translated once per document (Words.current), in whatever
locale is active: the contract forces French, the list follows its reader."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from babel import dates as babel_dates, numbers as babel_numbers
from flask_babel import gettext as _

from ..documents import model as doc
from ..labels import COMMITMENT_STATUS_LABELS


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str | None
    baseline: float | None
    target: float | None


@dataclass(frozen=True)
class Facts:
    """What a commitment's section states, whoever assembled it."""
    id: int
    number: int
    title: str
    description: str
    pilot: str
    partners: list[str]
    status: str
    domain: str | None           # the channel's name, None when the reader may not see it
    start_date: date | None
    due_date: date | None
    means: dict[str, str]
    actions: list[str]
    indicators: list[Indicator] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # links to the source posts (the list)


@dataclass(frozen=True)
class Words:
    """The section's words in the active locale, and the locale its dates and numbers are
    formatted in."""
    locale: str
    labels: dict[str, Any]

    @classmethod
    def current(cls, locale: str) -> "Words":
        return cls(locale, {
            "pilot": _("Pilote"), "no_pilot": _("non désigné"), "partners": _("Partenaires"),
            "no_partner": _("aucun"), "status": _("Statut"), "domain": _("Domaine"),
            "unspecified": _("non précisé"), "calendar": _("Calendrier"),
            "staff": _("Moyens humains"), "budget": _("Budget"),
            "equipment": _("Équipements"), "actions": _("Actions :"),
            "sources": _("Sources :"),
            "indicators": _("Indicateurs de l'engagement n° %(n)d"),
            "columns": [_("Indicateur"), _("Unité"), _("Référence"), _("Cible")],
            "statuses": {key: str(label) for key, label in COMMITMENT_STATUS_LABELS.items()},
        })


def title(number: int, name: str) -> str:
    return _("Engagement n° %(n)d — %(title)s", n=number, title=name)


def section(facts: Facts, number: str, words: Words, heading: str | None = None) -> dict:
    """The commitment's section, numbered `number` in its document. `heading` is the
    already translated title (title() called once per commitment otherwise)."""
    w = words.labels
    means = facts.means or {}
    blocks = []
    if facts.description.strip():
        blocks.append(doc.paragraph(facts.description))
    blocks.append(doc.fields([
        (w["pilot"], facts.pilot or w["no_pilot"]),
        (w["partners"], ", ".join(facts.partners or []) or w["no_partner"]),
        (w["status"], w["statuses"][facts.status]),
        (w["domain"], facts.domain or w["unspecified"]),
        (w["calendar"], calendar(facts.start_date, facts.due_date, w["unspecified"],
                                 words.locale)),
        (w["staff"], means.get("staff") or "—"),
        (w["budget"], means.get("budget") or "—"),
        (w["equipment"], means.get("equipment") or "—"),
    ]))
    if facts.actions:
        blocks.append(doc.paragraph(w["actions"]))
        blocks.append(doc.bullet_list(facts.actions))
    if facts.indicators:
        blocks.append(doc.table(
            w["indicators"] % {"n": facts.number}, w["columns"],
            [[i.name, i.unit, number_text(i.baseline, words.locale),
              number_text(i.target, words.locale)] for i in facts.indicators]))
    if facts.sources:
        blocks.append(doc.paragraph(w["sources"]))
        blocks.append(doc.bullet_list(facts.sources))
    return doc.section(f"commitment-{facts.id}", number,
                       heading or title(facts.number, facts.title), blocks)


def calendar(start: date | None, due: date | None, unspecified: str, locale: str) -> str:
    if not start and not due:
        return unspecified
    return f"{day(start, locale) or '…'} → {day(due, locale) or '…'}"


# Dates and numbers formatted for the document's locale directly, once per value (Babel's
# formatting is slow, and a document repeats the same values).

@functools.lru_cache(maxsize=4096)
def _day(value: date, locale: str) -> str:
    return babel_dates.format_date(value, "medium", locale=locale)


@functools.lru_cache(maxsize=4096)
def _number(value: float, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def day(value: date | None, locale: str) -> str | None:
    return _day(value, locale) if value else None


def number_text(value: float | None, locale: str) -> str | None:
    return None if value is None else _number(value, locale)


def indicators(items: Iterable[Any]) -> list[Indicator]:
    """From ORM indicators or the list's indicator dicts."""
    return [Indicator(i["name"], i["unit"], i["baseline"], i["target"])
            if isinstance(i, dict) else Indicator(i.name, i.unit, i.baseline, i.target)
            for i in items]
