"""The SSMSI bases of recorded delinquency (national open-data CSVs): the communal base (one
row per commune × year × indicator) and the departmental one (per département, every figure
published), told apart by their columns. Read in one streaming pass: binary lines are
decoded one by one (UTF-8, falling back to Latin-1 for the rest of the file at the first line
that is not UTF-8), every line is validated, and only the rows of the wanted communes or
départements are kept in memory — with, for the departmental base, France's totals (the sum
of every département). Pure parsing: no database.
"""
from __future__ import annotations

import codecs
import csv
import math
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Callable, Iterator

from flask_babel import lazy_gettext as _l

from .errors import Invalid

MAX_LINE = 1 << 20  # a longer "line" is not CSV: refused instead of read into memory
YIELD_EVERY = 5000  # lines; also how often progress is reported

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
COMMUNAL, DEPARTMENTAL = "communal", "departmental"
KINDS = (COMMUNAL, DEPARTMENTAL)
FRANCE = "FR"  # the area code of France's totals, beside the départements' codes
REQUIRED = {
    COMMUNAL: ("commune", "year", "indicator", "unit", "published", "facts", "rate"),
    DEPARTMENTAL: ("departement", "year", "indicator", "unit", "facts"),
}
# How a missing column is named: as the edition the reader most likely has calls it.
COLUMN_NAMES = {
    COMMUNAL: {"commune": "CODGEO_<année>", "year": "annee", "indicator": "classe",
               "unit": "unité.de.compte", "published": "valeur.publiée", "facts": "faits",
               "rate": "tauxpourmille"},
    DEPARTMENTAL: {"departement": "Code_departement", "year": "annee",
                   "indicator": "indicateur", "unit": "unite_de_compte", "facts": "nombre"},
}
_CODGEO = re.compile(r"codgeo(\d{4})?")
_DEPARTEMENT_COLUMN = re.compile(r"(code)?dep(artement)?")
_COMMUNE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_DEPARTEMENT = re.compile(r"[0-9]{2}|2[AB]|97[1-8]")
PUBLISHED = {"diff": True, "ndiff": False, "true": True, "false": False, "oui": True,
             "non": False, "1": True, "0": False, "vrai": True, "faux": False}
_MISSING = {"", "na", "nan", "n/a", "nd", "null", "NA", "NaN", "N/A", "ND"}
NUMBER_FIELDS = ("facts", "rate", "complement_facts", "complement_rate", "population",
                 "population_year", "dwellings", "dwellings_year")
DECIMAL_FIELDS = ("facts", "rate", "complement_facts", "complement_rate")
# Census counts: some editions give estimates with decimals ("12345,6"), kept to the unit.
ROUNDED_FIELDS = ("population", "dwellings")


def normalise_header(name: str) -> str:
    name = name.strip().lstrip("\ufeff").strip().strip('"').strip()
    name = unicodedata.normalize("NFKD", name.casefold())
    name = "".join(c for c in name if not unicodedata.combining(c))
    return re.sub(r"[\s._\-]+", "", name)


def map_columns(header: list[str], kind: str | None = None) -> tuple[dict[str, int], str, str]:
    """Index of each canonical field in the header, the edition (CODGEO's year) and the
    base's kind: the one asked for, or the one its columns tell (a commune code column
    makes it communal, a département code column departmental)."""
    columns: dict[str, int] = {}
    edition = ""
    lookup = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
    for index, raw in enumerate(header):
        name = normalise_header(raw)
        match = _CODGEO.fullmatch(name)
        if match:
            columns.setdefault("commune", index)
            edition = match.group(1) or ""
        elif _DEPARTEMENT_COLUMN.fullmatch(name):
            columns.setdefault("departement", index)
        elif name in lookup:
            columns.setdefault(lookup[name], index)
    if kind is None:
        kind = (DEPARTMENTAL if "departement" in columns and "commune" not in columns
                else COMMUNAL)
    missing = [COLUMN_NAMES[kind][f] for f in REQUIRED[kind] if f not in columns]
    if missing:
        message = (_l("Ce fichier n'est pas une base communale SSMSI : colonnes manquantes "
                      "(%(columns)s).", columns=", ".join(missing)) if kind == COMMUNAL else
                   _l("Ce fichier n'est pas une base départementale SSMSI : colonnes "
                      "manquantes (%(columns)s).", columns=", ".join(missing)))
        raise Invalid(message, field="file")
    return columns, edition, kind


class _Decoder:
    """Binary lines → text lines. UTF-8 (BOM or not) until a line is not UTF-8, then
    Latin-1 from that line on; the file is never read whole."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.encoding = "utf-8"
        self.line = 0
        self.bytes = 0

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(MAX_LINE)
            if not raw:
                return
            self.line += 1
            self.bytes += len(raw)
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


def _rounded(value: str) -> int | None:
    number = _number(value)
    return None if number is None else round(number)


def _year(value: str) -> int:
    value = value.strip()
    if not value.isdigit() or len(value) not in (2, 4):
        raise ValueError(value)
    year = int(value)
    year = 2000 + year if len(value) == 2 else year
    if not 1990 <= year <= 2100:  # the base starts in 2016; anything this far off is an error
        raise ValueError(value)
    return year


@dataclass(frozen=True)
class Progress:
    """Where a reading stands: bytes and lines read, rows kept (the wanted communes') and
    skipped (the others')."""
    bytes_read: int
    lines: int
    kept: int
    skipped: int


@dataclass
class ParsedFile:
    """The rows kept, by (commune or area, year, indicator, unit). A departmental base's
    rows are keyed by département code, plus France's (FRANCE) summed over all of them."""
    rows: dict[tuple, dict] = field(default_factory=dict)
    skipped: int = 0
    edition: str = ""
    encoding: str = "utf-8"
    lines: int = 0
    kind: str = COMMUNAL


def parse(stream: IO[bytes], communes: set[str],
          progress: Callable[[Progress], None] | None = None, *,
          departements: set[str] = frozenset(), kind: str | None = None) -> ParsedFile:
    """Reads and checks every line; keeps the rows of `communes` (communal base) or of
    `departements` and France (departmental base; `kind` forces one, otherwise the columns
    tell). Raises Invalid naming the first bad line. `progress` is called every
    YIELD_EVERY lines and at the end."""
    decoder = _Decoder(stream)
    reader = csv.reader(decoder, delimiter=";", quotechar='"')
    result = ParsedFile()
    france: dict[tuple, dict] = {}

    def report() -> None:
        if progress is not None:
            progress(Progress(decoder.bytes, reader.line_num, len(result.rows),
                              result.skipped))
    try:
        header = next(reader, None)
        if not header or header == [""]:
            raise Invalid(_l("Le fichier est vide."), field="file")
        columns, result.edition, result.kind = map_columns(header, kind)
        departmental = result.kind == DEPARTMENTAL
        if not departmental and not communes:
            raise no_communes()  # at the header, before a national file is read for nothing
        width = len(header)
        c = columns
        numbers = [(name, columns[name], _number if name in DECIMAL_FIELDS else
                    _rounded if name in ROUNDED_FIELDS else _whole)
                   for name in NUMBER_FIELDS if name in columns]
        absent = {name: None for name in NUMBER_FIELDS if name not in columns}
        for row in reader:
            if not row or row == [""]:
                continue
            line = reader.line_num
            if line % YIELD_EVERY == 0:
                report()
            if len(row) != width:
                raise Invalid(_l("Ligne %(line)d : %(found)d champs au lieu de %(expected)d.",
                                 line=line, found=len(row), expected=width), field="file")
            if departmental:
                area = _departement(row[c["departement"]], line)
            else:
                area = row[c["commune"]].strip().upper()
                if len(area) == 4 and area.isdigit():
                    area = "0" + area  # a spreadsheet dropped the leading zero
                if not _COMMUNE.fullmatch(area):
                    raise _bad(line, _l("code commune « %(value)s » invalide",
                                        value=row[c["commune"]][:20]))
            published = (PUBLISHED.get(row[c["published"]].strip().casefold())
                         if "published" in c else True)  # the departmental base: all
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
            if departmental:
                _add_to_france(france, (FRANCE, year, indicator, unit), values)
                if area not in departements:
                    result.skipped += 1
                    continue
                result.rows[(area, year, indicator, unit)] = _area_row(area, year, indicator,
                                                                       unit, values)
                continue
            if area not in communes:
                result.skipped += 1
                continue
            result.rows[(area, year, indicator, unit)] = {
                "commune": area, "year": year, "indicator": indicator, "unit": unit,
                "published": published, **values}
    except csv.Error as exc:
        raise _bad(reader.line_num or decoder.line, str(exc)) from None
    result.rows.update(france)
    result.encoding = decoder.encoding
    result.lines = reader.line_num
    report()
    return result


def no_communes() -> Invalid:
    return Invalid(_l("Ce territoire n'a aucune commune : renseignez ses codes INSEE avant "
                      "d'importer des données."), field="file")


def _departement(value: str, line: int) -> str:
    code = value.strip().upper()
    if len(code) == 1 and code.isdigit():
        code = "0" + code  # a spreadsheet dropped the leading zero
    if not _DEPARTEMENT.fullmatch(code):
        raise _bad(line, _l("code département « %(value)s » invalide", value=value[:20]))
    return code


def _area_row(area: str, year: int, indicator: str, unit: str, values: dict) -> dict:
    return {"area": area, "year": year, "indicator": indicator, "unit": unit,
            "facts": values["facts"], "rate": values["rate"],
            "population": values["population"], "dwellings": values["dwellings"]}


def _add_to_france(france: dict[tuple, dict], key: tuple, values: dict) -> None:
    """France's figure is the sum of its départements'; one missing value leaves it
    unknown (None) rather than too low. Its rate is computed once the bases are summed."""
    total = france.get(key)
    if total is None:
        france[key] = _area_row(*key, {**values, "rate": None})
        return
    for name in ("facts", "population", "dwellings"):
        total[name] = (None if total[name] is None or values[name] is None
                       else total[name] + values[name])


def _bad(line: int, reason) -> Invalid:
    return Invalid(_l("Ligne %(line)d : %(reason)s.", line=line, reason=reason), field="file")
