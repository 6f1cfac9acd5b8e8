"""The shared diagnostic: SSMSI import, indicator tables and charts, the qualitative review
of each organisation's means and methods, observations, and the needs raised.

The SSMSI file is read by `ssmsi.parse`; nothing is written until the whole file has been
read, so a malformed file leaves the data as it was.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import IO, Any, Callable

import sqlalchemy as sa
from flask_babel import format_date, format_decimal, gettext as _, lazy_gettext as _l

from .. import communes as commune_names
from ..db import db
from ..documents import model as doc
from ..models import Membership, Post, Territory, User, utcnow
from ..models.diagnostic import (
    DelinquencyFigure, DiagnosticImport, DiagnosticImportJob, DiagnosticObservation,
    QualitativeEntry, ReferenceFigure,
)
from ..schemas.diagnostic import EntryInput, ObservationInput
from . import audience, audit, channels, ssmsi, validation
from .access import Access, access as access_of, in_territory
from .charts import bar_chart
from .errors import Invalid, ServiceError
from .security import render_markdown

ENTRY_FIELDS = ("staff", "equipment", "hours", "partnerships", "schemes", "notes")
ENTRY_EDITORS = ("facilitator", "actor")
PROGRESS_EVERY = 0.5  # seconds between two progress writes of a background import
STALE_AFTER = timedelta(minutes=1)  # a running job without progress for this long has died
logger = logging.getLogger(__name__)


def entry_labels() -> dict[str, str]:
    return {"staff": _("Effectifs"), "equipment": _("Équipements"),
            "hours": _("Horaires et amplitude"), "partnerships": _("Partenariats"),
            "schemes": _("Dispositifs existants"), "notes": _("Remarques")}


# --- import ----------------------------------------------------------------------------

def require_importer(access: Access) -> None:
    """Facilitators (and the command line) import. Adapters check it before they read an
    upload, so nobody else can make the server spool a large file."""
    access.require("facilitator")


def import_ssmsi(access: Access, stream: IO[bytes], filename: str = "",
                 progress: Callable[[ssmsi.Progress], None] | None = None,
                 kind: str | None = None) -> DiagnosticImport:
    """Replaces the territory's figures of the file's kind (communal or departmental base,
    `kind` or the file's columns tell) by those of the file; `progress` follows the reading
    (see ssmsi.parse). The departmental base keeps the territory's départements and France."""
    require_importer(access)
    territory = access.territory
    communes = set(territory.communes or [])
    if kind is not None:
        kind = validation.choice(kind, "kind", ssmsi.KINDS)
    if not communes and kind == ssmsi.COMMUNAL:
        raise ssmsi.no_communes()
    # A national file takes a minute to read: hold no database connection meanwhile.
    db.session.commit()
    parsed = ssmsi.parse(stream, communes, progress, departements=set(departements(territory)),
                         kind=kind)
    if parsed.kind == ssmsi.COMMUNAL:
        _replace(territory, DelinquencyFigure, "commune", parsed.rows)
    else:
        _replace(territory, ReferenceFigure, "area", parsed.rows)
    record = DiagnosticImport(
        territory_id=territory.id, kind=parsed.kind, filename=(filename or "")[:255],
        edition=parsed.edition, encoding=parsed.encoding, rows=len(parsed.rows),
        skipped=parsed.skipped, imported_by_id=access.user.id if access.user else None)
    db.session.add(record)
    db.session.flush()
    audit.record("diagnostic.import", actor=access.user, territory=territory, obj=record,
                 after={"kind": record.kind, "filename": record.filename, "rows": record.rows,
                        "skipped": record.skipped, "edition": record.edition})
    db.session.commit()
    return record


def _replace(territory: Territory, model, place: str, keep: dict[tuple, dict]) -> None:
    """The territory's rows of `model` become `keep` (keyed by place, year, indicator,
    unit), touching only what changed."""
    # Two imports at once would both insert the same rows: the second waits for the first.
    db.session.execute(sa.select(Territory.id).where(Territory.id == territory.id)
                       .with_for_update())
    existing = {(getattr(f, place), f.year, f.indicator, f.unit): f for f in db.session.scalars(
        sa.select(model).where(model.territory_id == territory.id))}
    for key, figure in existing.items():
        if key not in keep:
            db.session.delete(figure)
    for key, values in keep.items():
        figure = existing.get(key)
        if figure is None:
            db.session.add(model(territory_id=territory.id, **values))
        else:
            for name, value in values.items():
                if getattr(figure, name) != value:
                    setattr(figure, name, value)


def departements(territory: Territory) -> list[str]:
    """The territory's départements: its own code and its communes'."""
    codes = {territory.departement} | {commune_names.departement_of(c)
                                       for c in territory.communes or []}
    return sorted(code for code in codes if code)


def start_import_job(access: Access, filename: str, size: int) -> DiagnosticImportJob:
    """An import the caller will run in the background (run_import_job), followed by its
    progress from any process."""
    require_importer(access)
    job = DiagnosticImportJob(
        territory_id=access.territory.id, user_id=access.user.id if access.user else None,
        filename=(filename or "")[:255], status="running", size=size)
    db.session.add(job)
    db.session.commit()
    return job


def run_import_job(job_id: int, stream: IO[bytes], kind: str | None = None) -> None:
    """Runs a started job to its end, writing its progress at most every PROGRESS_EVERY
    seconds, then its result or its error. The importer's rights are checked again."""
    job = db.session.get(DiagnosticImportJob, job_id)
    territory = db.session.get(Territory, job.territory_id)
    user = db.session.get(User, job.user_id) if job.user_id else None
    last = 0.0
    read = ssmsi.Progress(0, 0, 0, 0)

    def progress(step: ssmsi.Progress) -> None:
        nonlocal last, read
        read = step
        if time.monotonic() - last >= PROGRESS_EVERY:
            last = time.monotonic()
            _save_job(job_id, **_progress_values(step))

    try:
        record = import_ssmsi(access_of(user, territory.slug), stream, job.filename, progress,
                              kind)
    except ServiceError as exc:
        db.session.rollback()
        _save_job(job_id, status="failed", error=str(exc.message))
        return
    except Exception:
        db.session.rollback()
        logger.exception("SSMSI import job %d failed", job_id)
        _save_job(job_id, status="failed", error=_("L'import a échoué sur une erreur "
                                                   "interne ; les données n'ont pas changé."))
        return
    _save_job(job_id, status="done", import_id=record.id, **_progress_values(read))


def _progress_values(step: ssmsi.Progress) -> dict:
    return {"bytes_read": step.bytes_read, "lines": step.lines, "kept": step.kept,
            "skipped": step.skipped}


def _save_job(job_id: int, **values) -> None:
    db.session.execute(sa.update(DiagnosticImportJob).where(DiagnosticImportJob.id == job_id)
                       .values(**{"updated_at": utcnow(), **values}))
    db.session.commit()


def import_job(access: Access, job_id: Any) -> DiagnosticImportJob:
    """A job of this territory, for its importers."""
    require_importer(access)
    job = in_territory(access, DiagnosticImportJob, job_id, _l("Import introuvable."))
    db.session.refresh(job)  # another process, or a background task, writes it
    return job


def job_status(job: DiagnosticImportJob) -> str:
    """running, done or failed; a job whose process died while running is failed."""
    if job.status == "running" and utcnow() - job.updated_at > STALE_AFTER:
        return "failed"
    return job.status


def serialise_job(job: DiagnosticImportJob) -> dict:
    status = job_status(job)
    error = job.error
    if status == "failed" and job.status == "running":
        error = _("L'import a été interrompu (serveur arrêté) ; les données n'ont pas "
                  "changé. Recommencez-le.")
    return {"id": job.id, "status": status, "filename": job.filename, "size": job.size,
            "bytes_read": job.bytes_read, "lines": job.lines, "kept": job.kept,
            "skipped": job.skipped, "error": error,
            "import": serialise_import(job.result) if status == "done" else None,
            "created_at": job.created_at.isoformat(), "updated_at": job.updated_at.isoformat()}


def last_import(access: Access, kind: str = ssmsi.COMMUNAL) -> DiagnosticImport | None:
    require_member(access)
    return db.session.scalar(
        sa.select(DiagnosticImport).where(DiagnosticImport.territory_id == access.territory.id,
                                          DiagnosticImport.kind == kind)
        .order_by(DiagnosticImport.id.desc()).limit(1))


# --- indicators ------------------------------------------------------------------------

def _uses_dwellings(indicator: str) -> bool:
    """The SSMSI gives burglaries of dwellings per 1,000 dwellings, the rest per 1,000
    inhabitants."""
    return "logement" in ssmsi.normalise_header(indicator)


def _evolution(first: float | None, last: float | None) -> float | None:
    if first is None or last is None or first == 0:
        return None
    return round((last - first) / first * 100, 1)


def _key(indicator: str, unit: str) -> tuple[str, str]:
    """The communal and departmental bases spell the same indicator's unit differently
    ("victime", "Victime"): compared by their normalised names."""
    return ssmsi.normalise_header(indicator), ssmsi.normalise_header(unit)


# The SSMSI's units of account ("unité de compte"), by normalised name: what is counted.
def _units() -> dict[str, str]:
    return {"victime": _("victimes"), "victimes": _("victimes"),
            "victimeentendue": _("victimes entendues"), "infraction": _("infractions"),
            "infractions": _("infractions"), "misencause": _("mis en cause"),
            "vehicule": _("véhicules"), "vehicules": _("véhicules"), "fait": _("faits"),
            "faits": _("faits"), "": _("faits")}


def unit_label(unit: str) -> str:
    """What a figure counts, plural and lower case: "victimes", "mis en cause"; a unit
    this list does not know yet is shown as the file spells it."""
    return _units().get(ssmsi.normalise_header(unit), unit.strip().lower())


def counted(item: dict) -> str:
    """"nombre de victimes", "nombre d'infractions": what an indicator's figures count."""
    label = item["unit_label"]
    if label[:1].casefold() in "aeiouyéèêh":
        return _("nombre d'%(unit)s", unit=label)
    return _("nombre de %(unit)s", unit=label)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def caveat(indicator: str) -> str | None:
    """The reading precaution the SSMSI gives with an indicator, if any."""
    name = ssmsi.normalise_header(indicator)
    if "stupefiant" in name:
        return _("Indicateur d'activité des services : les infractions à la législation sur "
                 "les stupéfiants sont presque toutes révélées par l'initiative de la police "
                 "et de la gendarmerie (contrôles, interpellations), sans plainte. Leur nombre "
                 "suit l'intensité de cette action autant que le phénomène lui-même.")
    if "escroquerie" in name:
        return _("Les escroqueries sont comptées au lieu de résidence de la victime, non au "
                 "lieu des faits.")
    if "violencessexuelles" in name or "intrafamiliau" in name:
        return _("Le nombre de victimes enregistrées dépend aussi de leur propension à "
                 "porter plainte : une hausse peut traduire une meilleure révélation des "
                 "faits.")
    return None


def _areas(territory: Territory) -> list[tuple[str, str]]:
    """The areas a territory is compared with: its départements, then France."""
    return [(code, commune_names.departement_label(code)) for code in departements(territory)
            ] + [(ssmsi.FRANCE, _("France"))]


def _references(territory: Territory) -> dict[tuple[str, str], dict[str, dict[int, dict]]]:
    """The departmental base's rows: indicator key → area → year → {facts, rate}."""
    found: dict[tuple[str, str], dict[str, dict[int, dict]]] = {}
    for row in db.session.scalars(sa.select(ReferenceFigure).where(
            ReferenceFigure.territory_id == territory.id)):
        base = row.dwellings if _uses_dwellings(row.indicator) else row.population
        rate = row.rate
        if rate is None and row.facts is not None and base:
            rate = round(row.facts / base * 1000, 2)
        found.setdefault(_key(row.indicator, row.unit), {}).setdefault(row.area, {})[
            row.year] = {"facts": row.facts, "rate": rate}
    return found


def indicators(access: Access) -> list[dict]:
    """Per indicator (and unit): communes × years (facts, rate, published), the territory's
    totals per year, the evolution over the period with its years, and the rates of the
    territory's départements and France the same years (departmental base). Non-published
    values stay None and are left out of totals and evolutions; a year's total is "partial"
    when a commune's figure was not published, and the territory's evolution uses complete
    years only. A commune's evolution runs over its own published years (`last_year` says
    where its data stop)."""
    require_member(access)
    territory = access.territory
    figures = db.session.scalars(
        sa.select(DelinquencyFigure).where(DelinquencyFigure.territory_id == territory.id)
        .order_by(DelinquencyFigure.indicator, DelinquencyFigure.unit,
                  DelinquencyFigure.commune, DelinquencyFigure.year))
    grouped: dict[tuple[str, str], list[DelinquencyFigure]] = {}
    for figure in figures:
        grouped.setdefault((figure.indicator, figure.unit), []).append(figure)
    references = _references(territory)
    areas = _areas(territory)
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
            published = [(y, commune["values"][y]["facts"]) for y in years
                         if y in commune["values"] and commune["values"][y]["published"]]
            commune["evolution"], commune["evolution_years"] = _over(published)
            commune["last_year"] = published[-1][0] if published else None
            commune["series"] = [commune["values"].get(y) for y in years]
            del commune["values"]
        evolution, evolution_years = _over([(t["year"], t["facts"]) for t in totals
                                            if t["facts"] is not None and not t["partial"]])
        found = references.get(_key(name, unit), {})
        comparisons = []
        for area, label in areas:
            values = found.get(area)
            if not values:
                continue
            comparisons.append({
                "area": area, "label": label,
                "rates": [values.get(y, {}).get("rate") for y in years],
                "evolution": (_evolution(values.get(evolution_years[0], {}).get("facts"),
                                         values.get(evolution_years[1], {}).get("facts"))
                              if evolution_years else None)})
        result.append({
            "key": f"indicator-{number}",
            "indicator": name, "unit": unit, "unit_label": unit_label(unit),
            "caveat": caveat(name), "years": years,
            "rate_base": "dwellings" if dwellings else "population",
            "communes": list(communes.values()), "totals": totals,
            "evolution": evolution, "evolution_years": evolution_years,
            "comparisons": comparisons,
        })
    return result


def _over(series: list[tuple[int, float | None]]) -> tuple[float | None, list[int] | None]:
    """The evolution from the first to the last (year, value) of a series, with its years."""
    if len(series) < 2:
        return None, None
    (first_year, first), (last_year, last) = series[0], series[-1]
    evolution = _evolution(first, last)
    return evolution, ([first_year, last_year] if evolution is not None else None)


def evolution_text(value: float | None, years: list[int] | None) -> str:
    """"+10,0 % de 2016 à 2019": an evolution always says which years it compares."""
    if value is None or not years:
        return ""
    return _("%(value)s %% de %(first)d à %(last)d", value=signed(value), first=years[0],
             last=years[1])


def commune_evolution_text(commune: dict, years: list[int]) -> str:
    """A commune's evolution, and where its published data stop when it is before the
    table's last year."""
    text = evolution_text(commune["evolution"], commune["evolution_years"])
    last = commune["last_year"]
    if last is not None and last < years[-1]:
        stop = _("données diffusées jusqu'en %(year)d", year=last)
        text = f"{text} ({stop})" if text else stop.capitalize()
    return text


def signed(value: float) -> str:
    """A percentage change with its sign, in the reader's language: +4,2 / -3,0."""
    return format_decimal(value, "+#,##0.0;-#,##0.0")


def rate_text(value: float | None) -> str:
    return "" if value is None else _("%(rate)s ‰", rate=format_decimal(round(value, 2),
                                                                       "#,##0.00"))


def rate_base_label(item: dict) -> str:
    return (_("pour 1 000 logements") if item["rate_base"] == "dwellings"
            else _("pour 1 000 habitants"))


def _figure(value: float | None) -> str:
    return _("non diffusé") if value is None else format_decimal(value)


def chart(item: dict) -> str:
    """The SVG chart of one indicator: the territory's count per year, in its unit."""
    what = counted(item)
    title = _("%(indicator)s — %(counted)s sur le territoire", indicator=item["indicator"],
              counted=what)
    partial = _("partiel")
    parts = [f"{t['year']} : {_figure(t['facts'])}" + (f" ({partial})" if t["partial"] else "")
             for t in item["totals"]]
    description = _("%(counted)s par année : %(values)s.", counted=_capital(what),
                    values="; ".join(parts))
    if item["evolution"] is not None:
        description += " " + _("Évolution : %(evolution)s.", evolution=evolution_text(
            item["evolution"], item["evolution_years"]))
    return bar_chart(
        title, description, [f"{t['year']} *" if t["partial"] else str(t["year"])
                             for t in item["totals"]],
        [t["facts"] for t in item["totals"]],
        x_label=_("Année (* total partiel : une commune au moins non diffusée)")
        if any(t["partial"] for t in item["totals"]) else _("Année"),
        y_label=_capital(what),
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
    return {"kind": record.kind, "filename": record.filename, "edition": record.edition,
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
        "departmental_import": serialise_import(last_import(access, ssmsi.DEPARTMENTAL)),
        "departements": [{"code": code, "label": commune_names.departement_label(code)}
                         for code in departements(territory)],
        "indicators": [{key: value for key, value in item.items() if key != "key"}
                       for item in indicators(access)],
        "entries": [serialise_entry(e) for e in list_entries(access)],
        "observations": [serialise_observation(o) for o in list_observations(access)],
        "needs": needs_by_channel(access),
    }


def contract_blocks(access: Access) -> list[doc.Block]:
    """The diagnostic as the contract prints it: its synthesis, then every indicator's
    full table and chart (see synthesis_blocks and table_blocks: an act with annexes
    prints the second as one). Nothing from any channel: the same for every reader."""
    items = indicators(access)
    return synthesis_blocks(access, items) + table_blocks(access, items, notes=False)


def synthesis_blocks(access: Access, items: list[dict] | None = None) -> list[doc.Block]:
    """Sources; per indicator the last year's count and rate beside its départements' and
    France's, and the evolution with its years; reading precautions; the facilitators'
    observations; each organisation's means and methods with the observations on them."""
    items = indicators(access) if items is None else items
    blocks = _source_blocks(access)
    if items:
        blocks += _comparison_blocks(access.territory, items)
    observations = list_observations(access)
    general = [o for o in observations if o.entry_id is None]
    if general:
        blocks.append(doc.paragraph(_("Observations de l'animation :")))
        blocks += [doc.markdown(o.body) for o in general]
    labels = entry_labels()
    for entry in list_entries(access):
        blocks.append(doc.paragraph(entry.organisation))
        blocks.append(doc.fields([(labels[name], getattr(entry, name))
                                  for name in ENTRY_FIELDS if getattr(entry, name)]))
        for observation in observations:
            if observation.entry_id == entry.id:
                blocks.append(doc.paragraph(_("Observation de l'animation :")))
                blocks.append(doc.markdown(observation.body))
    return blocks


def _source_blocks(access: Access) -> list[doc.Block]:
    blocks = []
    sources = {ssmsi.COMMUNAL: _("base communale de la délinquance enregistrée (SSMSI)"),
               ssmsi.DEPARTMENTAL: _("base départementale de la délinquance enregistrée "
                                     "(SSMSI)")}
    for kind, source in sources.items():
        record = last_import(access, kind)
        if record is not None:
            blocks.append(doc.paragraph(_(
                "Source : %(source)s%(edition)s, importée le %(date)s.", source=source,
                edition=f" {record.edition}" if record.edition else "",
                date=format_date(record.created_at, "long"))))
    return blocks


def _comparison_blocks(territory: Territory, items: list[dict]) -> list[doc.Block]:
    """One line per indicator: its last year on the territory, beside its départements
    and France (rates per 1,000), and its evolution with the years it compares."""
    areas = [(code, label) for code, label in _areas(territory)
             if any(c["area"] == code for item in items for c in item["comparisons"])]
    columns = [_("Indicateur"), _("Unité de compte"), _("Année"), _("Nombre"),
               _("Taux du territoire"), *[_("Taux : %(area)s", area=label)
                                          for _code, label in areas],
               _("Évolution du territoire")]
    rows = []
    for item in items:
        last = item["totals"][-1]
        rates = {c["area"]: c["rates"][-1] for c in item["comparisons"]}
        rows.append([
            item["indicator"] + (" †" if item["caveat"] else ""), item["unit_label"],
            str(last["year"]), _figure(last["facts"]) + (" *" if last["partial"] else ""),
            rate_text(last["rate"]) + (" *" if last["partial"] and last["rate"] else ""),
            *[rate_text(rates.get(code)) for code, _label in areas],
            evolution_text(item["evolution"], item["evolution_years"])])
    blocks = [doc.table(_("Délinquance enregistrée : dernière année publiée ; taux (‰) pour "
                          "1 000 habitants, pour 1 000 logements pour les cambriolages de "
                          "logement, comparés au département et à la France"), columns, rows)]
    cautions = [f"{item['indicator']} : {item['caveat']}" for item in items if item["caveat"]]
    if cautions:
        blocks.append(doc.paragraph(_("† Précautions de lecture :")))
        blocks.append(doc.bullet_list(cautions))
    return blocks + _notes(items)


def table_blocks(access: Access, items: list[dict] | None = None, *,
                 notes: bool = True) -> list[doc.Block]:
    """Per indicator, the full table — per commune its count and its rate per 1,000 each
    year, its evolution with its years; the territory's total; its départements' and
    France's rates — then its reading precaution and its chart."""
    items = indicators(access) if items is None else items
    blocks: list[doc.Block] = []
    for item in items:
        columns = [_("Commune"), *[str(y) for y in item["years"]], _("Évolution")]
        per = _("taux %(base)s", base=rate_base_label(item))
        rows = []
        for c in item["communes"]:
            rows.append([commune_names.label(c["commune"]), *[_cell(v) for v in c["series"]],
                         commune_evolution_text(c, item["years"])])
            rows.append([f"— {per}", *[_rate(v) for v in c["series"]], ""])
        rows.append([_("Total du territoire"),
                     *[_figure(t["facts"]) + (" *" if t["partial"] else "")
                       for t in item["totals"]],
                     evolution_text(item["evolution"], item["evolution_years"])])
        rows.append([f"— {per}", *[rate_text(t["rate"]) for t in item["totals"]], ""])
        for comparison in item["comparisons"]:
            rows.append([f"{comparison['label']} — {per}",
                         *[rate_text(r) for r in comparison["rates"]],
                         evolution_text(comparison["evolution"], item["evolution_years"])])
        caption = _("%(indicator)s — %(counted)s et taux %(base)s",
                    indicator=item["indicator"], counted=counted(item),
                    base=rate_base_label(item))
        blocks.append(doc.table(caption, columns, rows))
        if item["caveat"]:
            blocks.append(doc.paragraph(_("Précaution de lecture : %(caveat)s",
                                          caveat=item["caveat"])))
        blocks.append(doc.chart(item["indicator"], chart(item), _(
            "%(counted)s par année sur le territoire : %(values)s.",
            counted=_capital(counted(item)),
            values="; ".join(f"{t['year']} : {_figure(t['facts'])}" for t in item["totals"]))))
    return blocks + (_notes(items) if notes else [])


def _notes(items: list[dict]) -> list[doc.Block]:
    notes = []
    if any(t["partial"] for item in items for t in item["totals"]):
        notes.append(doc.paragraph(_("* Total partiel : une ou plusieurs communes sans donnée "
                                     "diffusée cette année-là.")))
    notes.append(doc.paragraph(_(
        "« non diffusé » : valeur que le SSMSI ne publie pas (secret statistique), jamais "
        "comptée comme zéro. Une évolution compare les deux années qu'elle nomme.")))
    return notes


def _cell(value: dict | None) -> str:
    if value is None:
        return ""
    return _figure(value["facts"]) if value["published"] else _("non diffusé")


def _rate(value: dict | None) -> str:
    return rate_text(value["rate"]) if value and value["published"] else ""
