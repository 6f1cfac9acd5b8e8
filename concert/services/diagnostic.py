"""The shared diagnostic: SSMSI import, indicator tables and charts, the qualitative review
of each organisation's means and methods, observations, and the needs raised.

The SSMSI communal base is read in one streaming pass: binary lines are decoded one by one
(UTF-8, falling back to Latin-1 for the rest of the file at the first line that is not UTF-8),
every line is validated, and only the territory's communes are kept in memory. Nothing is
written until the whole file has been read, so a malformed file leaves the data as it was.
"""
from __future__ import annotations

import codecs
import csv
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Iterator

import sqlalchemy as sa
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l

from .. import communes as commune_names
from ..db import db
from ..documents import model as doc
from ..models import Membership, Post, Territory, utcnow
from ..models.diagnostic import (
    DelinquencyFigure, DiagnosticImport, DiagnosticObservation, QualitativeEntry,
)
from ..schemas.diagnostic import EntryInput, ObservationInput
from . import audience, audit, channels
from .access import Access, in_territory
from .charts import bar_chart
from .errors import Invalid
from .security import render_markdown

MAX_LINE = 1 << 20  # a longer "line" is not CSV: refused instead of read into memory
YIELD_EVERY = 5000

# Canonical field → normalised header names of the published editions.
ALIASES = {
    "year": ("annee",),
    "indicator": ("classe", "indicateur"),
    "unit": ("unitedecompte", "unite"),
    "published": ("valeurpubliee", "estdiffuse", "diffusion"),
    "facts": ("faits", "nombre"),
    "rate": ("tauxpourmille",),
    "complement_facts": ("complementinfoval", "complementinfonombre"),
    "complement_rate": ("complementinfotaux",),
    "population": ("pop", "inseepop"),
    "population_year": ("millpop", "inseepopmillesime"),
    "dwellings": ("log", "inseelog"),
    "dwellings_year": ("milllog", "inseelogmillesime"),
}
REQUIRED = ("commune", "year", "indicator", "unit", "published", "facts", "rate")
COLUMN_NAMES = {"commune": "CODGEO_<année>", "year": "annee", "indicator": "classe",
                "unit": "unité.de.compte", "published": "valeur.publiée", "facts": "faits",
                "rate": "tauxpourmille"}
_CODGEO = re.compile(r"codgeo(\d{4})?")
_COMMUNE = re.compile(r"[0-9][0-9AB][0-9]{3}")
PUBLISHED = {"diff": True, "ndiff": False, "true": True, "false": False, "oui": True,
             "non": False, "1": True, "0": False, "vrai": True, "faux": False}
_MISSING = {"", "na", "nan", "n/a", "nd", "null", "NA", "NaN", "N/A", "ND"}
NUMBER_FIELDS = ("facts", "rate", "complement_facts", "complement_rate", "population",
                 "population_year", "dwellings", "dwellings_year")
DECIMAL_FIELDS = ("facts", "rate", "complement_facts", "complement_rate")
ENTRY_FIELDS = ("staff", "equipment", "hours", "partnerships", "schemes", "notes")
ENTRY_EDITORS = ("facilitator", "actor")


def entry_labels() -> dict[str, str]:
    return {"staff": _("Effectifs"), "equipment": _("Équipements"),
            "hours": _("Horaires et amplitude"), "partnerships": _("Partenariats"),
            "schemes": _("Dispositifs existants"), "notes": _("Remarques")}


# --- reading the SSMSI file -------------------------------------------------------------

def normalise_header(name: str) -> str:
    name = name.strip().lstrip("\ufeff").strip().strip('"').strip()
    name = unicodedata.normalize("NFKD", name.casefold())
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"[\s._\-]+", "", name)


def map_columns(header: list[str]) -> tuple[dict[str, int], str]:
    """Index of each canonical field in the header, and the edition (CODGEO's year)."""
    columns: dict[str, int] = {}
    edition = ""
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    for index, raw in enumerate(header):
        name = normalise_header(raw)
        match = _CODGEO.fullmatch(name)
        if match:
            columns.setdefault("commune", index)
            edition = match.group(1) or ""
        elif name in lookup:
            columns.setdefault(lookup[name], index)
    missing = [COLUMN_NAMES[f] for f in REQUIRED if f not in columns]
    if missing:
        raise Invalid(_l("Ce fichier n'est pas une base communale SSMSI : colonnes manquantes "
                         "(%(columns)s).", columns=", ".join(missing)), field="file")
    return columns, edition


class _Decoder:
    """Binary lines → text lines. UTF-8 (BOM or not) until a line is not UTF-8, then
    Latin-1 from that line on; the file is never read whole."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.encoding = "utf-8"
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(MAX_LINE)
            if not raw:
                return
            self.line += 1
            if self.line % YIELD_EVERY == 0:
                time.sleep(0)  # under gevent, lets the process's other connections run
            if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
                raise Invalid(_l("Ligne %(line)d : ligne trop longue, ce n'est pas un CSV.",
                                 line=self.line), field="file")
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if self.encoding == "utf-8":
                try:
                    yield raw.decode("utf-8")
                    continue
                except UnicodeDecodeError:
                    self.encoding = "latin-1"
            yield raw.decode("latin-1")


def _number(value: str) -> float | None:
    """A figure of the file: decimal comma or point; NA and empty mean "no value"."""
    if value in _MISSING:  # the common spellings, without raising
        return None
    try:
        result = float(value.replace(",", ".") if "," in value else value)
    except ValueError:
        value = value.strip()
        if value.casefold() in _MISSING:
            return None
        result = float(value.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if not math.isfinite(result):
        if value.strip().casefold() in _MISSING:  # "NaN"
            return None
        raise ValueError(value)
    return result


def _whole(value: str) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != int(number):
        raise ValueError(value)
    return int(number)


def _year(value: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) not in (2, 4):
        raise ValueError(value)
    year = int(value)
    year = 2000 + year if len(value) == 2 else year
    if not 1990 <= year <= 2100:  # the base starts in 2016; anything this far off is an error
        raise ValueError(value)
    return year


@dataclass
class ParsedFile:
    rows: dict[tuple, dict] = field(default_factory=dict)
    skipped: int = 0
    edition: str = ""
    encoding: str = "utf-8"
    lines: int = 0


def parse(stream: IO[bytes], communes: set[str]) -> ParsedFile:
    """Reads and checks every line; keeps the rows of `communes`. Raises Invalid naming
    the first bad line."""
    decoder = _Decoder(stream)
    reader = csv.reader(decoder, delimiter=";", quotechar='"')
    result = ParsedFile()
    try:
        header = next(reader, None)
        if not header or header == [""]:
            raise Invalid(_l("Le fichier est vide."), field="file")
        columns, result.edition = map_columns(header)
        width = len(header)
        c = columns
        numbers = [(name, columns[name], _number if name in DECIMAL_FIELDS else _whole)
                   for name in NUMBER_FIELDS if name in columns]
        absent = {name: None for name in NUMBER_FIELDS if name not in columns}
        for row in reader:
            if not row or row == [""]:
                continue
            line = reader.line_num
            if len(row) != width:
                raise Invalid(_l("Ligne %(line)d : %(found)d champs au lieu de %(expected)d.",
                                 line=line, found=len(row), expected=width), field="file")
            commune = row[c["commune"]].strip().upper()
            if len(commune) == 4 and commune.isdigit():
                commune = "0" + commune  # a spreadsheet dropped the leading zero
            if not _COMMUNE.fullmatch(commune):
                raise _bad(line, _l("code commune « %(value)s » invalide",
                                    value=row[c["commune"]][:20]))
            published = PUBLISHED.get(row[c["published"]].strip().casefold())
            if published is None:
                raise _bad(line, _l("valeur publiée « %(value)s » inconnue (diff ou ndiff "
                                    "attendu)", value=row[c["published"]][:20]))
            indicator = row[c["indicator"]].strip()
            unit = row[c["unit"]].strip()
            if not indicator or len(indicator) > 200 or "\x00" in indicator:
                raise _bad(line, _l("indicateur manquant ou invalide"))
            if len(unit) > 100 or "\x00" in unit:
                raise _bad(line, _l("unité de compte invalide"))
            try:
                year = _year(row[c["year"]])
            except ValueError:
                raise _bad(line, _l("année « %(value)s » invalide",
                                    value=row[c["year"]][:20])) from None
            values = dict(absent)
            for name, index, parse_value in numbers:
                try:
                    values[name] = parse_value(row[index])
                except (ValueError, OverflowError):
                    raise _bad(line, _l("nombre « %(value)s » invalide (colonne %(column)s)",
                                        value=row[index][:20], column=header[index].strip()
                                        .lstrip("\ufeff")[:40])) from None
            if published and values["facts"] is None:
                raise _bad(line, _l("nombre de faits manquant pour une donnée diffusée"))
            if not published:
                values["facts"] = values["rate"] = None  # "non diffusé", never a number
            if commune not in communes:
                result.skipped += 1
                continue
            result.rows[(commune, year, indicator, unit)] = {
                "commune": commune, "year": year, "indicator": indicator, "unit": unit,
                "published": published, **values}
    except csv.Error as exc:
        raise _bad(reader.line_num or decoder.line, str(exc)) from None
    result.encoding = decoder.encoding
    result.lines = reader.line_num
    return result


def _bad(line: int, reason) -> Invalid:
    return Invalid(_l("Ligne %(line)d : %(reason)s.", line=line, reason=reason), field="file")


# --- import ----------------------------------------------------------------------------

def require_importer(access: Access) -> None:
    """Facilitators (and the command line) import. Adapters check it before they read an
    upload, so nobody else can make the server spool a large file."""
    access.require("facilitator")


def import_ssmsi(access: Access, stream: IO[bytes], filename: str = "") -> DiagnosticImport:
    """Replaces the territory's figures by those of the file."""
    require_importer(access)
    territory = access.territory
    communes = set(territory.communes or [])
    if not communes:
        raise Invalid(_l("Ce territoire n'a aucune commune : renseignez ses codes INSEE avant "
                         "d'importer des données."), field="file")
    # A national file takes a minute to read: hold no database connection meanwhile.
    db.session.commit()
    parsed = parse(stream, communes)
    keep = parsed.rows
    # Two imports at once would both insert the same rows: the second waits for the first.
    db.session.execute(sa.select(Territory.id).where(Territory.id == territory.id)
                       .with_for_update())
    existing = {(f.commune, f.year, f.indicator, f.unit): f for f in db.session.scalars(
        sa.select(DelinquencyFigure).where(DelinquencyFigure.territory_id == territory.id))}
    for key, figure in existing.items():
        if key not in keep:
            db.session.delete(figure)
    for key, values in keep.items():
        figure = existing.get(key)
        if figure is None:
            db.session.add(DelinquencyFigure(territory_id=territory.id, **values))
        else:
            for name, value in values.items():
                if getattr(figure, name) != value:
                    setattr(figure, name, value)
    record = DiagnosticImport(
        territory_id=territory.id, filename=(filename or "")[:255], edition=parsed.edition,
        encoding=parsed.encoding, rows=len(keep), skipped=parsed.skipped,
        imported_by_id=access.user.id if access.user else None)
    db.session.add(record)
    db.session.flush()
    audit.record("diagnostic.import", actor=access.user, territory=territory, obj=record,
                 after={"filename": record.filename, "rows": record.rows,
                        "skipped": record.skipped, "edition": record.edition})
    db.session.commit()
    return record


def last_import(access: Access) -> DiagnosticImport | None:
    require_member(access)
    return db.session.scalar(
        sa.select(DiagnosticImport).where(DiagnosticImport.territory_id == access.territory.id)
        .order_by(DiagnosticImport.id.desc()).limit(1))


# --- indicators ------------------------------------------------------------------------

def _uses_dwellings(indicator: str) -> bool:
    """The SSMSI gives burglaries of dwellings per 1,000 dwellings, the rest per 1,000
    inhabitants."""
    return "logement" in normalise_header(indicator)


def _evolution(first: float | None, last: float | None) -> float | None:
    if first is None or last is None or first == 0:
        return None
    return round((last - first) / first * 100, 1)


def indicators(access: Access) -> list[dict]:
    """Per indicator (and unit): communes × years (facts, rate, published), the territory's
    totals per year and the evolution over the period. Non-published values stay None and
    are left out of totals and evolutions; a year's total is "partial" when a commune's
    figure was not published, and the territory's evolution uses complete years only."""
    require_member(access)
    figures = db.session.scalars(
        sa.select(DelinquencyFigure).where(DelinquencyFigure.territory_id == access.territory.id)
        .order_by(DelinquencyFigure.indicator, DelinquencyFigure.unit,
                  DelinquencyFigure.commune, DelinquencyFigure.year))
    grouped: dict[tuple[str, str], list[DelinquencyFigure]] = {}
    for figure in figures:
        grouped.setdefault((figure.indicator, figure.unit), []).append(figure)
    result = []
    for number, ((name, unit), rows) in enumerate(grouped.items(), start=1):
        years = sorted({f.year for f in rows})
        dwellings = _uses_dwellings(name)
        communes: dict[str, dict] = {}
        for f in rows:
            communes.setdefault(f.commune, {
                "commune": f.commune, "name": commune_names.name(f.commune), "values": {},
            })["values"][f.year] = {"facts": f.facts, "rate": f.rate, "published": f.published}
        totals = []
        for year in years:
            cells = [f for f in rows if f.year == year]
            shown = [f for f in cells if f.published]
            facts = sum(f.facts for f in shown) if shown else None
            base = [(f.dwellings if dwellings else f.population) for f in shown]
            base_total = sum(b for b in base if b) if shown and all(base) else None
            rate = (round(facts / base_total * 1000, 2)
                    if facts is not None and base_total else None)
            totals.append({"year": year, "facts": facts, "rate": rate,
                           "partial": len(shown) < len(cells)})
        for commune in communes.values():
            published = [commune["values"][y] for y in years
                         if y in commune["values"] and commune["values"][y]["published"]]
            commune["evolution"] = (_evolution(published[0]["facts"], published[-1]["facts"])
                                    if len(published) > 1 else None)
            commune["series"] = [commune["values"].get(y) for y in years]
            del commune["values"]
        complete = [t for t in totals if t["facts"] is not None and not t["partial"]]
        result.append({
            "key": f"indicator-{number}",
            "indicator": name, "unit": unit, "years": years,
            "rate_base": "dwellings" if dwellings else "population",
            "communes": list(communes.values()), "totals": totals,
            "evolution": (_evolution(complete[0]["facts"], complete[-1]["facts"])
                          if len(complete) > 1 else None),
            "evolution_years": ([complete[0]["year"], complete[-1]["year"]]
                                if len(complete) > 1 else None),
        })
    return result


def _figure(value: float | None) -> str:
    return _("non diffusé") if value is None else format_decimal(value)


def chart(item: dict) -> str:
    """The SVG chart of one indicator: the territory's facts per year."""
    title = _("%(indicator)s — faits constatés sur le territoire", indicator=item["indicator"])
    partial = _("partiel")
    parts = [f"{t['year']} : {_figure(t['facts'])}" + (f" ({partial})" if t["partial"] else "")
             for t in item["totals"]]
    description = _("Nombre de faits par année (%(unit)s) : %(values)s.",
                    unit=item["unit"] or _("faits"), values="; ".join(parts))
    if item["evolution"] is not None:
        description += " " + _("Évolution %(first)d–%(last)d : %(evolution)s %%.",
                               first=item["evolution_years"][0],
                               last=item["evolution_years"][1],
                               evolution=format_decimal(item["evolution"], "+#,##0.0;-#,##0.0"))
    return bar_chart(
        title, description, [f"{t['year']} *" if t["partial"] else str(t["year"])
                             for t in item["totals"]],
        [t["facts"] for t in item["totals"]],
        x_label=_("Année (* total partiel : une commune au moins non diffusée)")
        if any(t["partial"] for t in item["totals"]) else _("Année"),
        y_label=_("Nombre de faits (%(unit)s)", unit=item["unit"] or _("faits")),
        number=lambda v: format_decimal(v, "#,##0.##"), missing=_("n. d."),
        chart_id=item["key"])


# --- qualitative part ------------------------------------------------------------------

def list_entries(access: Access) -> list[QualitativeEntry]:
    require_member(access)
    return list(db.session.scalars(
        sa.select(QualitativeEntry).where(QualitativeEntry.territory_id == access.territory.id)
        .order_by(QualitativeEntry.organisation)))


def own_entry(access: Access) -> QualitativeEntry | None:
    """The entry of the member's organisation, if it has one yet."""
    if access.membership is None:
        return None
    return _entry_of(access.territory, access.membership)


def _entry_of(territory: Territory, membership: Membership) -> QualitativeEntry | None:
    return db.session.scalar(sa.select(QualitativeEntry).where(
        QualitativeEntry.territory_id == territory.id,
        QualitativeEntry.organisation == membership.organisation,
        QualitativeEntry.organisation_kind == membership.organisation_kind))


def can_edit_entry(access: Access) -> bool:
    return access.membership is not None and access.role in ENTRY_EDITORS


def require_editor(access: Access) -> None:
    """Members (facilitators and actors) describe their own organisation. Adapters check it
    before they read a body too."""
    access.require(*ENTRY_EDITORS)
    if access.membership is None:
        raise Invalid(_l("Seul un membre du territoire décrit son organisation."))


def save_entry(access: Access, data: EntryInput) -> QualitativeEntry:
    """Members (facilitators and actors) describe their own organisation's means and
    methods; the entry belongs to the organisation, so colleagues edit the same one."""
    require_editor(access)
    values = {name: getattr(data, name) for name in ENTRY_FIELDS
              if name in data.model_fields_set}
    entry = own_entry(access)
    before = None
    if entry is None:
        entry = QualitativeEntry(territory_id=access.territory.id,
                                 organisation=access.membership.organisation,
                                 organisation_kind=access.membership.organisation_kind,
                                 **{name: "" for name in ENTRY_FIELDS})
        db.session.add(entry)
    else:
        before = {name: getattr(entry, name) for name in values}
    for name, value in values.items():
        setattr(entry, name, value)
    entry.updated_by_id = access.user.id if access.user else None
    entry.updated_at = utcnow()
    db.session.flush()
    audit.record("diagnostic.entry", actor=access.user, territory=access.territory, obj=entry,
                 before=before, after=values)
    db.session.commit()
    return entry


def require_observer(access: Access) -> None:
    """Facilitators write observations. Adapters check it before they read a body too."""
    access.require("facilitator")


def add_observation(access: Access, data: ObservationInput) -> DiagnosticObservation:
    require_observer(access)
    body, entry = data.body, None
    if data.entry is not None:
        entry = in_territory(access, QualitativeEntry, data.entry, _l("Fiche introuvable."))
    observation = DiagnosticObservation(
        territory_id=access.territory.id, entry_id=entry.id if entry else None, body=body,
        html=render_markdown(body), author_id=access.user.id if access.user else None)
    db.session.add(observation)
    db.session.flush()
    audit.record("diagnostic.observation", actor=access.user, territory=access.territory,
                 obj=observation, after={"body": body, "entry": observation.entry_id})
    db.session.commit()
    return observation


def list_observations(access: Access) -> list[DiagnosticObservation]:
    require_member(access)
    return list(db.session.scalars(
        sa.select(DiagnosticObservation)
        .where(DiagnosticObservation.territory_id == access.territory.id)
        .order_by(DiagnosticObservation.created_at, DiagnosticObservation.id)))


# --- needs raised ----------------------------------------------------------------------

NEEDS_SHOWN = 10  # per channel; the contributions page, filtered, lists them all
NEEDS_COUNTED = 1000  # beyond, "more than 1,000": counting costs what is counted


def needs_by_channel(access: Access) -> list[dict]:
    """The needs of the channels this member may see, per channel: how many (up to
    NEEDS_COUNTED; `count_capped` says there are more) and the latest NEEDS_SHOWN. Read a
    few rows of an index per channel, so a long concertation costs no more to show than a
    young one."""
    if access.membership is None:
        return []
    readable = set(audience.visible_channel_ids(access))
    groups = []
    for channel in channels.list_channels(access):
        if channel.id not in readable:
            continue
        needs = sa.select(Post).where(Post.channel_id == channel.id, Post.kind == "need",
                                      Post.deleted_at.is_(None))
        count = db.session.scalar(sa.select(sa.func.count()).select_from(
            needs.with_only_columns(Post.id).limit(NEEDS_COUNTED + 1).subquery()))
        if not count:
            continue
        latest = db.session.scalars(needs.order_by(Post.seq.desc()).limit(NEEDS_SHOWN))
        groups.append({
            "channel": {"id": channel.id, "name": channel.name},
            "count": min(count, NEEDS_COUNTED), "count_capped": count > NEEDS_COUNTED,
            "needs": [{"id": post.id, "body": post.body, "html": post.html,
                       "status": post.status, "supports": post.support_count,
                       "organisation": post.author_organisation,
                       "decline_reason": post.decline_reason,
                       "created_at": post.created_at.isoformat()} for post in latest]})
    return groups


# --- views -----------------------------------------------------------------------------

def require_member(access: Access) -> None:
    access.require("facilitator", "actor", "observer")


def serialise_entry(entry: QualitativeEntry) -> dict:
    return {"id": entry.id, "organisation": entry.organisation,
            "organisation_kind": entry.organisation_kind,
            **{name: getattr(entry, name) for name in ENTRY_FIELDS},
            "updated_by": entry.updated_by.name if entry.updated_by else None,
            "updated_at": entry.updated_at.isoformat()}


def serialise_observation(observation: DiagnosticObservation) -> dict:
    return {"id": observation.id, "entry": observation.entry_id, "body": observation.body,
            "html": observation.html,
            "author": observation.author.name if observation.author else None,
            "created_at": observation.created_at.isoformat()}


def serialise_import(record: DiagnosticImport | None) -> dict | None:
    if record is None:
        return None
    return {"filename": record.filename, "edition": record.edition,
            "encoding": record.encoding, "rows": record.rows, "skipped": record.skipped,
            "imported_by": record.imported_by.name if record.imported_by else None,
            "created_at": record.created_at.isoformat()}


def summary(access: Access) -> dict:
    """GET /api/v1/territories/<slug>/diagnostic: everything of the diagnostic this member
    may see (needs only from the channels open to them)."""
    require_member(access)
    territory = access.territory
    return {
        "communes": list(territory.communes or []),
        "import": serialise_import(last_import(access)),
        "indicators": [{key: value for key, value in item.items() if key != "key"}
                       for item in indicators(access)],
        "entries": [serialise_entry(e) for e in list_entries(access)],
        "observations": [serialise_observation(o) for o in list_observations(access)],
        "needs": needs_by_channel(access),
    }


def contract_blocks(access: Access) -> list[doc.Block]:
    """The diagnostic as document blocks for the contract: per indicator a table (communes
    × years, facts) and its chart, then one fields block per organisation. Nothing from any
    channel: it is the same for every reader."""
    blocks: list[doc.Block] = []
    items = indicators(access)
    record = last_import(access)
    if record is not None:
        blocks.append(doc.paragraph(_(
            "Source : base communale de la délinquance enregistrée (SSMSI)%(edition)s, "
            "importée le %(date)s.",
            edition=f" {record.edition}" if record.edition else "",
            date=record.created_at.date().isoformat())))
    for item in items:
        columns = [_("Commune"), *[str(y) for y in item["years"]], _("Évolution (%)")]
        rows = [[commune_names.label(c["commune"]), *[_cell(v) for v in c["series"]],
                 _percent(c["evolution"])] for c in item["communes"]]
        rows.append([_("Total du territoire"),
                     *[_figure(t["facts"]) + (" *" if t["partial"] else "")
                       for t in item["totals"]], _percent(item["evolution"])])
        caption = _("%(indicator)s (%(unit)s) — nombre de faits", indicator=item["indicator"],
                    unit=item["unit"] or _("faits"))
        blocks.append(doc.table(caption, columns, rows))
        svg = chart(item)
        blocks.append(doc.chart(item["indicator"], svg, _(
            "Nombre de faits par année sur le territoire : %(values)s.",
            values="; ".join(f"{t['year']} : {_figure(t['facts'])}" for t in item["totals"]))))
    if any(t["partial"] for item in items for t in item["totals"]):
        blocks.append(doc.paragraph(_("* Total partiel : une ou plusieurs communes sans donnée "
                                      "diffusée cette année-là.")))
    labels = entry_labels()
    for entry in list_entries(access):
        blocks.append(doc.paragraph(entry.organisation))
        blocks.append(doc.fields([(labels[name], getattr(entry, name))
                                  for name in ENTRY_FIELDS if getattr(entry, name)]))
    return blocks


def _cell(value: dict | None) -> str:
    if value is None:
        return ""
    return _figure(value["facts"]) if value["published"] else _("non diffusé")


def _percent(value: float | None) -> str:
    return "" if value is None else format_decimal(value, "+#,##0.0;-#,##0.0") + " %"
