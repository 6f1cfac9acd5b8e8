"""One commitment's section of a document, as the contract states it: "Engagement n° N —
Titre", its description, then its fields as an act states them (axis, framework, target
area, pilot, partners, status, calendar, financing, means; only those stated), its actions and its indicators. The contract (services/contract.py)
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

from babel import numbers as babel_numbers
from flask_babel import gettext as _

from ..documents import model as doc
from ..labels import COMMITMENT_STATUS_LABELS, day_text, period_text


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str | None
    baseline: float | None
    target: float | None
    reference_year: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Facts:
    """What a commitment's section states, whoever assembled it."""
    id: int
    number: int
    title: str
    description: str
    pilot: str
    partners: list[str]
    status: str | None           # None in the contract: every commitment there is validated
    domain: str | None           # the channel's name, None when the reader may not see it
    start_date: date | None
    due_date: date | None
    means: dict[str, str]
    actions: list[str]
    indicators: list[Indicator] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # links to the source posts (the list)
    axis: str | None = None       # the contract's axis, its label
    framework: str | None = None  # the framework it serves, its name
    target_area: str = ""
    financing: str = ""


@dataclass(frozen=True)
class Words:
    """The section's words in the active locale, and the locale its dates and numbers are
    formatted in."""
    locale: str
    labels: dict[str, Any]

    @classmethod
    def current(cls, locale: str) -> "Words":
        return cls(locale, {
            "pilot": _("Pilote"), "partners": _("Partenaires"), "status": _("Statut"),
            "domain": _("Domaine"), "axis": _("Axe"), "framework": _("Dispositif servi"),
            "target_area": _("Zone ciblée"), "financing": _("Source de financement"),
            "calendar": _("Calendrier"), "staff": _("Moyens humains"), "budget": _("Budget"),
            "equipment": _("Équipements"), "actions": _("Actions :"),
            "sources": _("Sources :"),
            "indicators": _("Indicateurs de l'engagement n° %(n)d"),
            "columns": [_("Indicateur"), _("Unité"), _("Référence"), _("Cible"),
                        _("Source")],
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
    # An act prints what it states: a field left empty is not printed at all.
    stated = [
        (w["axis"], facts.axis), (w["framework"], facts.framework),
        (w["target_area"], facts.target_area), (w["pilot"], facts.pilot),
        (w["partners"], ", ".join(facts.partners or [])),
        (w["status"], w["statuses"][facts.status] if facts.status else None),
        (w["domain"], facts.domain),
        (w["calendar"], period_text(facts.start_date, facts.due_date, words.locale)),
        (w["financing"], facts.financing), (w["staff"], means.get("staff")),
        (w["budget"], means.get("budget")), (w["equipment"], means.get("equipment")),
    ]
    stated = [(label, value) for label, value in stated if value and str(value).strip()]
    if stated:
        blocks.append(doc.fields(stated))
    if facts.actions:
        blocks.append(doc.paragraph(w["actions"]))
        blocks.append(doc.bullet_list(facts.actions))
    if facts.indicators:
        blocks.append(doc.table(
            w["indicators"] % {"n": facts.number}, w["columns"],
            [[i.name, i.unit, reference_text(i, words.locale),
              number_text(i.target, words.locale), i.source or None]
             for i in facts.indicators]))
    if facts.sources:
        blocks.append(doc.paragraph(w["sources"]))
        blocks.append(doc.bullet_list(facts.sources))
    return doc.section(f"commitment-{facts.id}", number,
                       heading or title(facts.number, facts.title), blocks)


def reference_text(indicator: Indicator, locale: str) -> str | None:
    """"30 (2025)": the baseline and the year it was measured."""
    value = number_text(indicator.baseline, locale)
    if value is None:
        return None
    return f"{value} ({indicator.reference_year})" if indicator.reference_year else value


# Dates and numbers formatted for the document's locale directly, once per value (Babel's
# formatting is slow, and a document repeats the same values).

@functools.lru_cache(maxsize=4096)
def _number(value: float, locale: str) -> str:
    return babel_numbers.format_decimal(value, locale=locale)


def day(value: date | None, locale: str) -> str | None:
    return day_text(value, locale) if value else None


def number_text(value: float | None, locale: str) -> str | None:
    return None if value is None else _number(value, locale)


def indicators(items: Iterable[Any]) -> list[Indicator]:
    """From ORM indicators or the list's indicator dicts."""
    return [Indicator(i["name"], i["unit"], i["baseline"], i["target"],
                      i.get("reference_year"), i.get("source") or "")
            if isinstance(i, dict) else Indicator(i.name, i.unit, i.baseline, i.target,
                                                  i.reference_year, i.source or "")
            for i in items]
