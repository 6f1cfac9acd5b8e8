"""Commitments: fields, revisions, status lifecycle, indicators and their measurements."""
from __future__ import annotations

import calendar
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..labels import COMMITMENT_STATUS_LABELS, author_name
from ..models import (
    COMMITMENT_STATUSES, PARTIES, Commitment, CommitmentRevision, CommitmentSource, Indicator,
    Measurement, Post, Territory, utcnow,
)
from . import act, audience, audit, channels, events, files, notifications, search, validation
from .access import Access, access_via, in_territory
from .errors import Conflict, Invalid, NotFound
from ..schemas.facilitation import CommitmentInput, CommitmentsQuery, MeasurementInput

# Which status may follow which. Abandoning needs a reason; done and abandoned can reopen.
TRANSITIONS = {
    "draft": {"validated", "abandoned"},
    "validated": {"draft", "in_progress", "abandoned"},
    "in_progress": {"done", "abandoned"},
    "done": {"in_progress"},
    "abandoned": {"draft"},
}
MEANS_KEYS = ("staff", "budget", "equipment")
_date = validation.day  # services/contract.py's frameworks import it from here
FIELDS = ("title", "description", "party", "pilot", "partners", "actions", "start_date",
          "due_date", "financing", "target_area")


def parse_fields(access: Access, data: CommitmentInput) -> dict:
    """The record's values of the fields given in `data` (its shape checked by the model);
    the channel named must be one this member sees."""
    given = data.model_fields_set
    fields: dict[str, Any] = {key: getattr(data, key) for key in FIELDS if key in given}
    if "channel" in given:
        fields["channel_id"] = (None if data.channel is None
                                else channels.get_channel(access, data.channel).id)
    if "means" in given:
        fields["means"] = data.means.model_dump()
    if "attachments" in given:
        fields["attachments"] = data.attachments
    if "axis" in given:
        fields["axis"] = act.check_axis(access, data.axis)
    if "framework" in given:
        fields["framework_id"] = act.check_framework(access, data.framework)
    if "indicators" in given:
        fields["indicators"] = [indicator.model_dump(exclude_none=False)
                                for indicator in data.indicators]
    return fields


def create(access: Access, fields: dict, sources: list[Post]) -> Commitment:
    """Within the promotion's transaction (services/facilitation.py)."""
    number = db.session.execute(
        sa.update(Territory).where(Territory.id == access.territory.id)
        .values(last_commitment_number=Territory.last_commitment_number + 1)
        .returning(Territory.last_commitment_number)).scalar_one()
    indicators = fields.pop("indicators", [])
    attachments = fields.pop("attachments", [])
    if fields.get("axis") is None and fields.get("channel_id"):
        fields["axis"] = act.axis_of_channel(
            access, channels.get_channel(access, fields["channel_id"]).name)
    fields = {"partners": [], "actions": [], "means": {}, "financing": "", "target_area": "",
              **fields}
    commitment = Commitment(territory_id=access.territory.id, number=number,
                            created_by_id=access.user.id, status="draft", **fields)
    # An indicator's `id` names an existing one when editing; a new commitment has none.
    commitment.indicators = [Indicator(position=i, **{k: v for k, v in ind.items() if k != "id"})
                             for i, ind in enumerate(indicators)]
    db.session.add(commitment)
    db.session.flush()
    for post in sources:
        db.session.add(CommitmentSource(commitment_id=commitment.id, post_id=post.id))
    if attachments:
        files.attach(access, attachments, commitment)
    db.session.flush()
    audit.record("commitment.create", actor=access.user, territory=access.territory,
                 obj=commitment, after=_snapshot(commitment))
    search.index_commitment(commitment)
    events.record(access.territory, "commitment.created", stored(commitment))
    return commitment


def update(access: Access, commitment_id: Any, data: CommitmentInput) -> Commitment:
    """Edits fields and status, recording a revision with each field before and after."""
    access.require("facilitator")
    commitment = get(access, commitment_id)
    fields = parse_fields(access, data)
    before = _snapshot(commitment)
    status, reason = data.status, data.abandon_reason
    status_changed = status is not None and status != commitment.status
    if status_changed:
        if status not in TRANSITIONS[commitment.status]:
            raise Conflict(_l("Passage de « %(a)s » à « %(b)s » impossible.",
                              a=COMMITMENT_STATUS_LABELS[commitment.status],
                              b=COMMITMENT_STATUS_LABELS[status]), field="status")
        if status == "abandoned" and not reason:
            raise Invalid(_l("Indiquez pourquoi l'engagement est abandonné."),
                          field="abandon_reason")
        commitment.status = status
        commitment.abandon_reason = reason if status == "abandoned" else None
    if "indicators" in fields:
        _replace_indicators(commitment, fields.pop("indicators"))
    if "attachments" in fields:
        files.attach(access, fields.pop("attachments"), commitment)
    for key, value in fields.items():
        setattr(commitment, key, value)
    start, due = commitment.start_date, commitment.due_date
    if start and due and due < start:
        raise Invalid(_l("L'échéance précède la date de début."), field="due_date")
    db.session.flush()
    after = _snapshot(commitment)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if not changes:
        db.session.rollback()
        return get(access, commitment_id)
    commitment.updated_at = utcnow()
    db.session.add(CommitmentRevision(commitment_id=commitment.id, author_id=access.user.id,
                                      changes=changes))
    audit.record("commitment.update", actor=access.user, territory=access.territory,
                 obj=commitment, before={k: v["before"] for k, v in changes.items()},
                 after={k: v["after"] for k, v in changes.items()})
    search.index_commitment(commitment)
    events.record(access.territory, "commitment.updated", stored(commitment))
    if status_changed:
        notifications.commitment_changed(access, commitment, "commitment.status")
    db.session.commit()
    return commitment


def pilots(access: Access, commitment: Commitment) -> bool:
    """A member of the piloting organisation (named as the commitment names its pilot),
    other than an observer."""
    membership = access.membership
    return (membership is not None and membership.role in ("facilitator", "actor")
            and bool(commitment.pilot)
            and _organisation(membership.organisation) == _organisation(commitment.pilot))


def _organisation(name: str) -> str:
    return " ".join(name.split()).casefold()


def may_measure(access: Access, commitment: Commitment) -> bool:
    """Facilitators record any indicator's measurements, a commitment's pilot its own."""
    return access.system or access.is_facilitator or pilots(access, commitment)


def add_measurement(access: Access, commitment_id: Any, indicator_id: Any,
                    data: MeasurementInput) -> Measurement:
    commitment = get(access, commitment_id)
    if not may_measure(access, commitment):
        access.require("facilitator")  # refuses, with the roles' message
    indicator = next((i for i in commitment.indicators if i.id == indicator_id), None)
    if indicator is None:
        raise NotFound(_l("Indicateur introuvable."))
    measured_on = data.date
    measurement = Measurement(indicator_id=indicator.id, measured_on=measured_on,
                              value=data.value, comment=data.comment, author_id=access.user.id)
    db.session.add(measurement)
    db.session.flush()
    db.session.refresh(indicator)
    commitment.updated_at = utcnow()
    audit.record("measurement.create", actor=access.user, territory=access.territory,
                 obj=measurement, after={"indicator": indicator.name, "value": measurement.value,
                                         "date": measured_on.isoformat()})
    search.index_commitment(commitment)
    events.record(access.territory, "commitment.updated", stored(commitment))
    notifications.commitment_changed(access, commitment, "commitment.measurement",
                                     indicator=indicator.name, value=measurement.value)
    events.record(access.territory, "measurement.recorded", {
        "commitment": commitment.id, "number": commitment.number, "indicator": indicator.id,
        "name": indicator.name, **serialise_measurement(measurement),
        "author": {"id": access.user.id, "name": access.user.name}})
    db.session.commit()
    return measurement


def serialise_measurement(measurement: Measurement) -> dict:
    return {"id": measurement.id, "date": measurement.measured_on.isoformat(),
            "value": measurement.value, "comment": measurement.comment}


def commitment_access(user, commitment_id: Any) -> Access:
    return access_via(user, Commitment, commitment_id, _l("Engagement introuvable."))


def get(access: Access, commitment_id: Any) -> Commitment:
    return in_territory(access, Commitment, commitment_id, _l("Engagement introuvable."))


def list_commitments(access: Access, filters: CommitmentsQuery | None = None,
                     **given: Any) -> list[Commitment]:
    """`filters`; the keywords are services/commitment_list.py's, until it builds the
    model itself (another branch changes that file)."""
    filters = filters or CommitmentsQuery(**given)
    query = sa.select(Commitment).where(Commitment.territory_id == access.territory.id)
    if filters.status is not None:
        query = query.where(Commitment.status == filters.status)
    if filters.party is not None:
        query = query.where(Commitment.party == filters.party)
    if filters.pilot is not None:
        query = query.where(Commitment.pilot == filters.pilot)
    if filters.channel is not None:
        query = query.where(Commitment.channel_id == filters.channel)
    return list(db.session.scalars(query.order_by(Commitment.number)))


def revisions(access: Access, commitment_id: Any) -> list[CommitmentRevision]:
    commitment = get(access, commitment_id)
    return list(db.session.scalars(
        sa.select(CommitmentRevision).where(CommitmentRevision.commitment_id == commitment.id)
        .order_by(CommitmentRevision.created_at.desc(), CommitmentRevision.id.desc())))


def serialise(commitment: Commitment, reader: Access | None = None) -> dict:
    """The commitment resource (SPEC), with the sources this member may read (without a
    member: those every member may read)."""
    return with_sources(stored(commitment), audience.reader_kind(reader))


def stored(commitment: Commitment) -> dict:
    """What its events store: every field, and its sources by id only (`source_posts`,
    resolved for each reader by with_sources)."""
    source_ids = list(db.session.scalars(
        sa.select(CommitmentSource.post_id).join(Post, Post.id == CommitmentSource.post_id)
        .where(CommitmentSource.commitment_id == commitment.id).order_by(Post.seq)))
    return {
        "id": commitment.id,
        "number": commitment.number,
        "title": commitment.title,
        "description": commitment.description,
        "party": commitment.party,
        "pilot": commitment.pilot,
        "partners": list(commitment.partners or []),
        "channel": commitment.channel_id,
        "actions": list(commitment.actions or []),
        "means": {key: (commitment.means or {}).get(key, "") for key in MEANS_KEYS},
        "start_date": commitment.start_date.isoformat() if commitment.start_date else None,
        "due_date": commitment.due_date.isoformat() if commitment.due_date else None,
        "indicators": [_indicator(i) for i in commitment.indicators],
        "axis": commitment.axis,
        "financing": commitment.financing or "",
        "target_area": commitment.target_area or "",
        "framework": commitment.framework_id,
        "status": commitment.status,
        "abandon_reason": commitment.abandon_reason,
        "source_posts": source_ids,
        "attachments": files.serialise_all(commitment),
        "created_at": commitment.created_at.isoformat(),
        "updated_at": commitment.updated_at.isoformat(),
    }


@events.quotes_posts("commitment.created", "commitment.updated")
def with_sources(data: dict, kind: str | None) -> dict:
    """The sources a reader of that organisation kind may see, with their excerpts, and
    how many others there are (in channels hidden from them, or deleted)."""
    ids = data.get("source_posts", [])
    readable = audience.readable_posts(ids, kind)
    visible = [readable[i] for i in ids if i in readable]
    return {
        **data,
        "source_posts": [p.id for p in visible],
        "sources": [{"id": p.id, "channel": p.channel_id, "kind": p.kind, "seq": p.seq,
                     "excerpt": p.body[:200], "author": author_name(p.author)}
                    for p in visible],
        "hidden_sources": len(ids) - len(visible),
    }


def serialise_revision(revision: CommitmentRevision) -> dict:
    return {"id": revision.id, "created_at": revision.created_at.isoformat(),
            "author": {"id": revision.author_id,
                       "name": author_name(revision.author)},
            "changes": revision.changes}


def _indicator(indicator: Indicator) -> dict:
    measurements = [serialise_measurement(m) for m in indicator.measurements]
    latest = measurements[-1]["value"] if measurements else None
    due = next_due(indicator)
    return {"id": indicator.id, "name": indicator.name, "unit": indicator.unit,
            "baseline": indicator.baseline, "target": indicator.target,
            "reference_year": indicator.reference_year, "source": indicator.source or "",
            "frequency": indicator.frequency, "due_on": due.isoformat() if due else None,
            "measurements": measurements, "latest": latest,
            "progress": progress(indicator.baseline, indicator.target, latest)}


PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "semestrial": 6, "annual": 12}
MEASURED_STATUSES = ("validated", "in_progress")  # a commitment being carried out


def next_due(indicator: Indicator) -> date | None:
    """When the next measurement is due: one period after the last one (or after the
    commitment's start); None without a frequency or once the commitment is not carried
    out (draft, done, abandoned)."""
    commitment = indicator.commitment
    if indicator.frequency is None or commitment.status not in MEASURED_STATUSES:
        return None
    if indicator.measurements:
        since = indicator.measurements[-1].measured_on
    else:
        since = commitment.start_date or commitment.created_at.date()
    return add_months(since, PERIOD_MONTHS[indicator.frequency])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day (31 January + 1: 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def progress(baseline: float | None, target: float | None, latest: float | None) -> float | None:
    """Share of the way from baseline to target, between 0 and 1 (also for decreasing targets)."""
    if baseline is None or target is None or latest is None or target == baseline:
        return None
    return max(0.0, min(1.0, (latest - baseline) / (target - baseline)))


def _snapshot(commitment: Commitment) -> dict:
    return {
        "title": commitment.title, "description": commitment.description,
        "party": commitment.party, "pilot": commitment.pilot,
        "partners": list(commitment.partners or []), "channel": commitment.channel_id,
        "actions": list(commitment.actions or []), "means": dict(commitment.means or {}),
        "start_date": commitment.start_date.isoformat() if commitment.start_date else None,
        "due_date": commitment.due_date.isoformat() if commitment.due_date else None,
        "indicators": [{"name": i.name, "unit": i.unit, "baseline": i.baseline,
                        "target": i.target, "reference_year": i.reference_year, "frequency": i.frequency,
                        "source": i.source or ""} for i in commitment.indicators],
        "axis": commitment.axis, "financing": commitment.financing or "",
        "target_area": commitment.target_area or "", "framework": commitment.framework_id,
        "status": commitment.status, "abandon_reason": commitment.abandon_reason,
        "attachments": [f.name for f in commitment.attachments],
    }


def _replace_indicators(commitment: Commitment, new: list[dict]) -> None:
    """Indicators given with their `id` keep their measurements; the others are new."""
    existing = {i.id: i for i in commitment.indicators}
    kept = []
    for position, data in enumerate(new):
        indicator = existing.get(data.pop("id", None)) or Indicator()
        for key, value in data.items():
            setattr(indicator, key, value)
        indicator.position = position
        kept.append(indicator)
    commitment.indicators = kept
