"""The yearly evaluation (bilan annuel): per year, each commitment's status, each
indicator's reference, target, measurements and progress, what was abandoned and why, the
diagnostic's evolution since signature, the governance and the facilitators' synthesis,
assembled into the document model (documents/model.py) every renderer reads. And which
indicators' measurements are due.

Like the contract, the report is one document, identical for every member: commitments
whatever their channel (a restricted channel is never named), never a post."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, format_decimal, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..db import db
from ..documents import model as doc
from ..labels import COMMITMENT_STATUS_LABELS, FREQUENCY_LABELS, PHASE_LABELS
from ..models import Commitment, Indicator, Measurement, Territory, utcnow
from ..models.evaluation import EvaluationSynthesis
from ..schemas.evaluation import SynthesisInput
from . import (
    amendments, audit, commitment_section, commitments, contract, diagnostic, governance,
)
from .access import Access, system_reader
from .charts import bar_chart
from .errors import BadRequest, NotFound

REPORTED_STATUSES = ("validated", "in_progress", "done", "abandoned")  # not drafts
CHARTED_MEASUREMENTS = 8  # the last ones up to the year's end; the table lists the year's


# --- years and syntheses ---------------------------------------------------------------------

def years(access: Access, today: date) -> list[int]:
    """The years a report exists for: every year since signature, the current year, and any
    year with a measurement or a synthesis."""
    territory = access.territory
    found = {today.year}
    signature = amendments.signature_of(territory)
    if signature is not None:
        found |= set(range(signature.signed_at.year, today.year + 1))
    found |= set(db.session.scalars(sa.select(EvaluationSynthesis.year).where(
        EvaluationSynthesis.territory_id == territory.id)))
    measured = db.session.scalars(
        sa.select(Measurement.measured_on).join(Indicator).join(Commitment)
        .where(Commitment.territory_id == territory.id))
    found |= {day.year for day in measured}
    return sorted(found)


def year_of(access: Access, raw: Any, today: date) -> int:
    """The `year` asked for: 400 when it is no year, 404 when no report exists for it."""
    try:
        year = int(str(raw).strip()) if raw is not None else None
    except ValueError:
        year = None
    if year is None or not 1900 <= year <= 9999:
        raise BadRequest(_l("Indiquez une année sur quatre chiffres (par exemple ?year=%(year)d).",
                            year=today.year), field="year")
    if year not in years(access, today):
        raise NotFound(_l("Aucun bilan pour l'année %(year)d.", year=year), field="year")
    return year


def syntheses(access: Access) -> dict[int, str]:
    rows = db.session.execute(sa.select(EvaluationSynthesis.year, EvaluationSynthesis.body)
                              .where(EvaluationSynthesis.territory_id == access.territory.id))
    return dict(rows.all())


def set_synthesis(access: Access, year: Any, data: SynthesisInput, today: date) -> str:
    access.require("facilitator")
    year = year_of(access, year, today)
    row = db.session.scalar(sa.select(EvaluationSynthesis).where(
        EvaluationSynthesis.territory_id == access.territory.id,
        EvaluationSynthesis.year == year))
    before = row.body if row else ""
    if before == data.body:
        return data.body
    if row is None:
        row = EvaluationSynthesis(territory_id=access.territory.id, year=year)
        db.session.add(row)
    row.body, row.updated_at = data.body, utcnow()
    row.updated_by_id = access.user.id if access.user else None
    db.session.flush()
    audit.record("evaluation.synthesis", actor=access.user, territory=access.territory,
                 obj=row, before={"year": year, "body": before},
                 after={"year": year, "body": data.body})
    db.session.commit()
    return data.body


# --- due measurements ------------------------------------------------------------------------

def due_measurements(territory: Territory, today: date) -> list[dict]:
    """The indicators whose next measurement is due by `today` (a frequency, one period
    since the last measurement or the commitment's start), oldest due first: for the
    notifications that remind the pilots."""
    due = []
    for commitment in _commitments(territory, commitments.MEASURED_STATUSES):
        for indicator in commitment.indicators:
            due_on = commitments.next_due(indicator)
            if due_on is not None and due_on <= today:
                last = indicator.measurements[-1].measured_on if indicator.measurements else None
                due.append({"commitment": commitment.id, "number": commitment.number,
                            "indicator": indicator.id, "name": indicator.name,
                            "pilot": commitment.pilot, "frequency": indicator.frequency,
                            "last_measured_on": last, "due_on": due_on})
    return sorted(due, key=lambda item: (item["due_on"], item["number"], item["indicator"]))


def serialise_due(item: dict) -> dict:
    return {**{key: value for key, value in item.items() if key != "pilot"},
            "last_measured_on": item["last_measured_on"].isoformat()
            if item["last_measured_on"] else None, "due_on": item["due_on"].isoformat()}


def _commitments(territory: Territory, statuses: tuple[str, ...]) -> list[Commitment]:
    return list(db.session.scalars(sa.select(Commitment).where(
        Commitment.territory_id == territory.id, Commitment.status.in_(statuses))
        .order_by(Commitment.number).options(
            selectinload(Commitment.indicators).selectinload(Indicator.measurements))))


# --- the report ------------------------------------------------------------------------------

def assemble(access: Access, year: int) -> dict:
    """The bilan of `year` (checked by year_of), in French whoever reads it."""
    with force_locale("fr"):
        return _assemble(access.territory, year)


def _assemble(territory: Territory, year: int) -> dict:
    reader = system_reader(territory)
    signature = amendments.signature_of(territory)
    # Numbered as the act numbers them; an abandoned one (out of the act) after them.
    numbers = contract.act_numbers(territory)
    items = sorted(_commitments(territory, REPORTED_STATUSES),
                   key=lambda c: (numbers.get(c.id, len(numbers) + 1), c.number))
    heading = lambda c: (commitment_section.title(numbers[c.id], c.title) if c.id in numbers
                         else c.title)
    synthesis = syntheses(reader).get(year, "")
    sections = [
        (("synthesis", _("Synthèse des animateurs")),
         [doc.markdown(synthesis)] if synthesis.strip()
         else [doc.paragraph(_("Synthèse à rédiger."))], []),
        (("commitments", _("État des engagements")), _status_blocks(items, numbers, year), []),
        (("indicators", _("Indicateurs : mesures et progression")),
         [] if any(c.indicators for c in items)
         else [doc.paragraph(_("Aucun indicateur n'est défini."))],
         [(c, _indicator_blocks(c, year)) for c in items if c.indicators]),
        (("abandoned", _("Engagements abandonnés")), _abandoned_blocks(items, heading), []),
        (("diagnostic", _("Évolution du diagnostic depuis la signature")),
         _diagnostic_blocks(reader, signature, year), []),
        (("governance", _("Gouvernance")), governance.governance_blocks(territory)
         or [doc.paragraph(_("Les instances de gouvernance ne sont pas encore décrites."))], []),
    ]
    built = []
    for position, ((key, title), blocks, subsections) in enumerate(sections, start=1):
        built.append(doc.section(key, str(position), title, blocks, [
            doc.section(f"indicators-{c.id}", f"{position}.{i}",
                        heading(c), sub_blocks)
            for i, (c, sub_blocks) in enumerate(subsections, start=1)]))
    if signature is not None:
        signed = _("le %(date)s (version %(version)d)", date=_day(signature.signed_at.date()),
                   version=signature.version.number)
    else:
        signed = _("non signé (phase : %(phase)s)", phase=PHASE_LABELS[territory.phase])
    meta = [(_("Territoire"), territory.name), (_("Année"), str(year)),
            (_("Contrat signé"), signed), (_("Date"), _day(utcnow().date()))]
    return doc.document("evaluation", _("Bilan annuel %(year)d du contrat de sécurité "
                                        "intégrée", year=year),
                        territory.name, meta, built, lang="fr")


def _status_blocks(items: list[Commitment], numbers: dict[int, int],
                   year: int) -> list[doc.Block]:
    if not items:
        return [doc.paragraph(_("Aucun engagement n'est retenu au contrat."))]
    counts = {status: sum(1 for c in items if c.status == status) for status in REPORTED_STATUSES}
    summary = ", ".join(f"{COMMITMENT_STATUS_LABELS[status]} : {count}"
                        for status, count in counts.items() if count)
    return [doc.paragraph(_("%(count)d engagements au contrat (%(summary)s).",
                            count=len(items), summary=summary)),
            doc.table(_("Engagements au 31 décembre %(year)d", year=year),
                      [_("N°"), _("Engagement"), _("Pilote"), _("Statut"), _("Échéance")],
                      [[str(numbers.get(c.id, "—")), c.title, c.pilot, str(COMMITMENT_STATUS_LABELS[c.status]),
                        _day(c.due_date)] for c in items])]


def _indicator_blocks(commitment: Commitment, year: int) -> list[doc.Block]:
    blocks = []
    for indicator in commitment.indicators:
        until = [m for m in indicator.measurements if m.measured_on.year <= year]
        this_year = [m for m in until if m.measured_on.year == year]
        latest = until[-1] if until else None
        share = commitments.progress(indicator.baseline, indicator.target,
                                     latest.value if latest else None)
        unit = f" ({indicator.unit})" if indicator.unit else ""
        blocks.append(doc.paragraph(indicator.name + unit))
        facts = [(_("Référence"), _number(indicator.baseline)),
                 (_("Cible"), _number(indicator.target)),
                 (_("Fréquence de mesure"), FREQUENCY_LABELS[indicator.frequency]
                  if indicator.frequency else None),
                 (_("Dernière mesure"), _("%(value)s le %(date)s", value=_number(latest.value),
                                          date=_day(latest.measured_on)) if latest
                  else _("aucune mesure")),
                 (_("Progression vers la cible"),
                  f"{round(share * 100)} %" if share is not None else None)]
        blocks.append(doc.fields([(label, value) for label, value in facts if value]))
        if this_year:
            blocks.append(doc.table(
                _("Mesures %(year)d — %(indicator)s", year=year, indicator=indicator.name),
                [_("Date"), _("Valeur"), _("Commentaire")],
                [[_day(m.measured_on), _number(m.value), m.comment] for m in this_year]))
        else:
            blocks.append(doc.paragraph(_("Aucune mesure en %(year)d.", year=year)))
        if until:
            blocks.append(_chart(indicator, until[-CHARTED_MEASUREMENTS:]))
    return blocks


def _chart(indicator: Indicator, measured: list[Measurement]) -> doc.Block:
    """Reference, the measurements, target: one bar each, every value written."""
    labels = [_("Référence")] + [_day(m.measured_on) for m in measured] + [_("Cible")]
    values = [indicator.baseline] + [m.value for m in measured] + [indicator.target]
    described = "; ".join(f"{label} : {_number(value) or _('non renseignée')}"
                          for label, value in zip(labels, values))
    title = _("%(indicator)s : référence, mesures et cible", indicator=indicator.name)
    svg = bar_chart(title, described, labels, values, x_label=_("Mesure"),
                    y_label=indicator.unit or _("Valeur"), number=_number,
                    missing=_("n. r."), chart_id=f"indicator-{indicator.id}")
    return doc.chart(title, svg, described + ".")


def _abandoned_blocks(items: list[Commitment], heading) -> list[doc.Block]:
    dropped = [c for c in items if c.status == "abandoned"]
    if not dropped:
        return [doc.paragraph(_("Aucun engagement n'a été abandonné."))]
    return [doc.bullet_list(
        _("%(title)s : %(reason)s", title=heading(c),
          reason=c.abandon_reason or _("motif non précisé")) for c in dropped)]


def _diagnostic_blocks(reader: Access, signature, year: int) -> list[doc.Block]:
    """Each indicator's territory total at the reference year (the last published at
    signature; the first one without a signature) and at the last year published up to
    `year`, both years stated."""
    reference_year = signature.signed_at.year if signature else None
    rows = []
    for item in diagnostic.indicators(reader):
        totals = [t for t in item["totals"] if t["facts"] is not None and not t["partial"]
                  and t["year"] <= year]
        if not totals:
            continue
        before = [t for t in totals if reference_year is None or t["year"] <= reference_year]
        start = before[-1] if reference_year is not None and before else totals[0]
        end = totals[-1]
        rows.append([item["indicator"], item["unit"] or _("faits"), str(start["year"]),
                     start["facts"], str(end["year"]), end["facts"],
                     _change(start["facts"], end["facts"]) if end is not start else None])
    if not rows:
        return [doc.paragraph(_("Aucune donnée de délinquance n'est importée."))]
    intro = (_("Totaux du territoire (faits constatés, SSMSI), de la dernière année publiée "
               "à la signature (%(year)d) à la dernière année publiée.", year=reference_year)
             if reference_year else
             _("Le contrat n'est pas encore signé : totaux du territoire (faits constatés, "
               "SSMSI) de la première à la dernière année publiée."))
    return [doc.paragraph(intro),
            doc.table(_("Évolution des indicateurs de délinquance"),
                      [_("Indicateur"), _("Unité"), _("Année de référence"), _("Valeur"),
                       _("Dernière année"), _("Valeur"), _("Évolution")], rows)]


def _change(first: float, last: float) -> str | None:
    if not first:
        return None
    return format_decimal((last - first) / first * 100, "+#,##0.0;-#,##0.0") + " %"


def _day(value: date | None) -> str | None:
    return commitment_section.day(value, "fr")


def _number(value: float | None) -> str | None:
    return commitment_section.number_text(value, "fr")
