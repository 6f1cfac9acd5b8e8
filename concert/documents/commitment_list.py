"""The commitment list's model: what services/commitment_list.py assembles, and how its
items read as cells and sheets. Every spreadsheet renderer of the list reads it through these
functions, so the formats show the same columns and values; the list as a document (Markdown)
is services/commitment_list.py's as_document, whose commitments read as the contract's.

    listing = {
        "territory": {slug, name, departement, communes, phase},
        "generated_at": datetime (UTC),
        "filters": {party, status, pilot, channel} (only those given),
        "filters_shown": [(label, value)],   # the same, as a reader reads them
        "items": [item, ...],     # the JSON export's objects (see api/openapi.py CommitmentExport)
        "rows": [[cell, ...]],    # one per item, in COLUMNS' order; cells typed: str, int,
                                  # date, datetime, None
    }
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..labels import PARTY_LABELS
from .model import cell_text

FILTERS = ("party", "status", "pilot", "channel")


class Column(NamedTuple):
    key: str
    label: str
    width: int  # in characters


COLUMNS = [
    Column("number", _l("N°"), 6), Column("title", _l("Titre"), 40),
    Column("description", _l("Description"), 50), Column("party", _l("Partie"), 14),
    Column("pilot", _l("Pilote"), 24), Column("partners", _l("Partenaires"), 28),
    Column("domain", _l("Domaine"), 24), Column("actions", _l("Actions"), 50),
    Column("staff", _l("Moyens humains"), 24), Column("budget", _l("Budget"), 18),
    Column("equipment", _l("Équipements"), 24), Column("start_date", _l("Début"), 12),
    Column("due_date", _l("Échéance"), 12), Column("status", _l("Statut"), 12),
    Column("abandon_reason", _l("Motif d'abandon"), 24),
    Column("indicators", _l("Indicateurs"), 40),
    Column("source_count", _l("Sources (nombre)"), 10),
    Column("source_links", _l("Sources (liens)"), 50),
    Column("last_revision", _l("Dernière révision"), 17),
    Column("created", _l("Créé le"), 17), Column("updated", _l("Modifié le"), 17),
]
INDICATOR_COLUMNS = [
    Column("number", _l("N° engagement"), 8), Column("title", _l("Engagement"), 40),
    Column("party", _l("Partie"), 14), Column("indicator", _l("Indicateur"), 40),
    Column("unit", _l("Unité"), 12), Column("baseline", _l("Valeur de référence"), 14),
    Column("target", _l("Cible"), 14), Column("latest", _l("Dernière mesure"), 14),
    Column("latest_date", _l("Date de la dernière mesure"), 14),
]


def local(value: datetime | None) -> datetime | None:
    """A UTC instant as the territory's wall-clock time (CONCERT_TIMEZONE), naive: that is
    what spreadsheets and readers expect."""
    if value is None:
        return None
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return value.astimezone(zone).replace(tzinfo=None)


def indicator_text(indicator: dict) -> str:
    unit = f" ({indicator['unit']})" if indicator["unit"] else ""
    baseline, target = _("référence"), _("cible")
    parts = [f"{baseline} {cell_text(indicator['baseline'])}" if indicator["baseline"]
             is not None else "",
             f"{target} {cell_text(indicator['target'])}" if indicator["target"] is not None
             else ""]
    detail = ", ".join(p for p in parts if p)
    return f"{indicator['name']}{unit}" + (f" : {detail}" if detail else "")


def cells(item: dict) -> dict:
    """An item's cells, by column key."""
    return {
        "number": item["number"], "title": item["title"], "description": item["description"],
        "party": item["party_label"], "pilot": item["pilot"],
        "partners": "\n".join(item["partners"]), "domain": item["channel_name"] or "",
        "actions": "\n".join(item["actions"]), "staff": item["means"]["staff"],
        "budget": item["means"]["budget"], "equipment": item["means"]["equipment"],
        "start_date": item["start_date"], "due_date": item["due_date"],
        "status": item["status_label"], "abandon_reason": item["abandon_reason"] or "",
        "indicators": "\n".join(indicator_text(i) for i in item["indicators"]),
        "source_count": len(item["sources"]),
        "source_links": "\n".join(s["url"] for s in item["sources"]),
        "last_revision": local(item["last_revision_at"]), "created": local(item["created_at"]),
        "updated": local(item["updated_at"]),
    }


def row(item: dict) -> list:
    named = cells(item)
    return [named[column.key] for column in COLUMNS]


def indicator_rows(listing: dict) -> list[list]:
    return [[item["number"], item["title"], item["party_label"], i["name"], i["unit"],
             i["baseline"], i["target"], i["latest"], i["latest_date"]]
            for item in listing["items"] for i in item["indicators"]]


def headers(columns: list[Column] = COLUMNS) -> list[str]:
    return [str(column.label) for column in columns]


def sheets(listing: dict) -> list[tuple[str, list[list]]]:
    """("Tous", all rows), then one sheet per party, in the contract's order."""
    by_party = defaultdict(list)
    for item, cells in zip(listing["items"], listing["rows"]):
        by_party[item["party"]].append(cells)
    return [(_("Tous"), listing["rows"])] + [(str(label), by_party[party])
                                             for party, label in PARTY_LABELS.items()]


def filename(slug: str, ext: str, generated_at: datetime, stem: str = "engagements") -> str:
    return f"{stem}-{slug}-{local(generated_at).date().isoformat()}.{ext}"


def text(value) -> str:
    """A cell as text, where a reader reads it rather than a spreadsheet (CSV, Markdown):
    French dates, numbers without thin spaces."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return cell_text(value).replace("\u202f", "")
    return str(value)
