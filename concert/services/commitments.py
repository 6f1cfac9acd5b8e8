"""Commitments: fields, revisions, status lifecycle, indicators and their measurements."""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import (
    COMMITMENT_STATUSES, PARTIES, Commitment, CommitmentRevision, CommitmentSource, Indicator,
    Measurement, Post, Territory, utcnow,
)
from . import audience, audit, channels, events, validation
from .access import Access, access_via, in_territory
from .errors import Conflict, Invalid, NotFound

# Which status may follow which. Abandoning needs a reason; done and abandoned can reopen.
TRANSITIONS = {
    "draft": {"validated", "abandoned"},
    "validated": {"draft", "in_progress", "abandoned"},
    "in_progress": {"done", "abandoned"},
    "done": {"in_progress"},
    "abandoned": {"draft"},
}
EDITABLE = ("title", "description", "party", "pilot", "partners", "channel", "actions", "means",
            "start_date", "due_date", "indicators", "status", "abandon_reason")
MEANS_KEYS = ("staff", "budget", "equipment")


def parse_fields(access: Access, data: dict, *, partial: bool) -> dict:
    """Validated values of the editable fields present in `data` (all required ones when
    creating). Unknown fields are refused rather than silently ignored."""
    unknown = set(data) - set(EDITABLE) - (set() if partial else {"source_posts", "repromote"})
    if unknown:
        raise Invalid(_l("Champ inconnu : %(field)s.", field=sorted(unknown)[0]),
                      field=sorted(unknown)[0])
    if not partial and "status" in data:
        # A commitment starts as a draft; then its status follows TRANSITIONS.
        validation.choice(data["status"], "status", ("draft",))
    fields: dict[str, Any] = {}
    if not partial or "title" in data:
        fields["title"] = validation.text(data.get("title"), "title", max_length=200)
    if not partial or "party" in data:
        fields["party"] = validation.choice(data.get("party"), "party", PARTIES)
    if "description" in data:
        fields["description"] = validation.text(data["description"], "description",
                                                max_length=20_000, required=False)
    if "pilot" in data:
        fields["pilot"] = validation.text(data["pilot"], "pilot", max_length=200, required=False)
    if "partners" in data:
        fields["partners"] = _texts(data["partners"], "partners", 200)
    if "actions" in data:
        fields["actions"] = _texts(data["actions"], "actions", 2000)
    if "channel" in data:
        fields["channel_id"] = (None if data["channel"] is None else channels.get_channel(
            access, validation.integer(data["channel"], "channel")).id)
    if "means" in data:
        fields["means"] = _means(data["means"])
    for key in ("start_date", "due_date"):
        if key in data:
            fields[key] = _date(data[key], key)
    start = fields.get("start_date"); due = fields.get("due_date")
    if start and due and due < start:
        raise Invalid(_l("L'échéance précède la date de début."), field="due_date")
    if "indicators" in data:
        fields["indicators"] = _indicators(data["indicators"])
    return fields


def create(access: Access, fields: dict, sources: list[Post]) -> Commitment:
    """Within the promotion's transaction (services/facilitation.py)."""
    number = db.session.execute(
        sa.update(Territory).where(Territory.id == access.territory.id)
        .values(last_commitment_number=Territory.last_commitment_number + 1)
        .returning(Territory.last_commitment_number)).scalar_one()
    indicators = fields.pop("indicators", [])
    fields = {"partners": [], "actions": [], "means": {}, **fields}
    commitment = Commitment(territory_id=access.territory.id, number=number,
                            created_by_id=access.user.id, status="draft", **fields)
    # An indicator's `id` names an existing one when editing; a new commitment has none.
    commitment.indicators = [Indicator(position=i, **{k: v for k, v in ind.items() if k != "id"})
                             for i, ind in enumerate(indicators)]
    db.session.add(commitment)
    db.session.flush()
    for post in sources:
        db.session.add(CommitmentSource(commitment_id=commitment.id, post_id=post.id))
    db.session.flush()
    audit.record("commitment.create", actor=access.user, territory=access.territory,
                 obj=commitment, after=_snapshot(commitment))
    events.record(access.territory, "commitment.created", stored(commitment))
    return commitment


def update(access: Access, commitment_id: Any, data: dict) -> Commitment:
    """Edits fields and status, recording a revision with each field before and after."""
    access.require("facilitator")
    commitment = get(access, commitment_id)
    fields = parse_fields(access, data, partial=True)
    before = _snapshot(commitment)
    status = reason = None
    if "status" in data:
        status = validation.choice(data["status"], "status", COMMITMENT_STATUSES)
    if "abandon_reason" in data:
        reason = validation.text(data["abandon_reason"], "abandon_reason", max_length=2000,
                                 required=False)
    if status is not None and status != commitment.status:
        if status not in TRANSITIONS[commitment.status]:
            raise Conflict(_l("Passage de « %(a)s » à « %(b)s » impossible.",
                              a=commitment.status, b=status), field="status")
        if status == "abandoned" and not reason:
            raise Invalid(_l("Indiquez pourquoi l'engagement est abandonné."),
                          field="abandon_reason")
        commitment.status = status
        commitment.abandon_reason = reason if status == "abandoned" else None
    if "indicators" in fields:
        _replace_indicators(commitment, fields.pop("indicators"))
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
    events.record(access.territory, "commitment.updated", stored(commitment))
    db.session.commit()
    return commitment


def add_measurement(access: Access, commitment_id: Any, indicator_id: Any, data: dict) -> Measurement:
    access.require("facilitator")
    commitment = get(access, commitment_id)
    indicator = next((i for i in commitment.indicators if i.id == indicator_id), None)
    if indicator is None:
        raise NotFound(_l("Indicateur introuvable."))
    measured_on = _date(data.get("date"), "date")
    if measured_on is None:
        raise Invalid(_l("Date obligatoire."), field="date")
    measurement = Measurement(
        indicator_id=indicator.id, measured_on=measured_on,
        value=_number(data.get("value"), "value", required=True),
        comment=validation.text(data.get("comment"), "comment", max_length=2000,
                                required=False),
        author_id=access.user.id)
    db.session.add(measurement)
    db.session.flush()
    db.session.refresh(indicator)
    commitment.updated_at = utcnow()
    audit.record("measurement.create", actor=access.user, territory=access.territory,
                 obj=measurement, after={"indicator": indicator.name, "value": measurement.value,
                                         "date": measured_on.isoformat()})
    events.record(access.territory, "commitment.updated", stored(commitment))
    db.session.commit()
    return measurement


def commitment_access(user, commitment_id: Any) -> Access:
    return access_via(user, Commitment, commitment_id, _l("Engagement introuvable."))


def get(access: Access, commitment_id: Any) -> Commitment:
    return in_territory(access, Commitment, commitment_id, _l("Engagement introuvable."))


def list_commitments(access: Access, *, status: Any = None, party: Any = None,
                     pilot: Any = None, channel: Any = None) -> list[Commitment]:
    query = sa.select(Commitment).where(Commitment.territory_id == access.territory.id)
    if status not in (None, ""):
        query = query.where(Commitment.status == validation.choice(status, "status",
                                                                   COMMITMENT_STATUSES))
    if party not in (None, ""):
        query = query.where(Commitment.party == validation.choice(party, "party", PARTIES))
    if pilot not in (None, ""):
        query = query.where(Commitment.pilot == validation.text(pilot, "pilot", max_length=200))
    if channel not in (None, ""):
        query = query.where(Commitment.channel_id == validation.integer(channel, "channel"))
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
        "status": commitment.status,
        "abandon_reason": commitment.abandon_reason,
        "source_posts": source_ids,
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
                     "excerpt": p.body[:200], "author": p.author.name if p.author else ""}
                    for p in visible],
        "hidden_sources": len(ids) - len(visible),
    }


def serialise_revision(revision: CommitmentRevision) -> dict:
    return {"id": revision.id, "created_at": revision.created_at.isoformat(),
            "author": {"id": revision.author_id,
                       "name": revision.author.name if revision.author else ""},
            "changes": revision.changes}


def _indicator(indicator: Indicator) -> dict:
    measurements = [{"id": m.id, "date": m.measured_on.isoformat(), "value": m.value,
                     "comment": m.comment} for m in indicator.measurements]
    latest = measurements[-1]["value"] if measurements else None
    return {"id": indicator.id, "name": indicator.name, "unit": indicator.unit,
            "baseline": indicator.baseline, "target": indicator.target,
            "measurements": measurements, "latest": latest,
            "progress": progress(indicator.baseline, indicator.target, latest)}


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
                        "target": i.target} for i in commitment.indicators],
        "status": commitment.status, "abandon_reason": commitment.abandon_reason,
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


def _indicators(value: Any) -> list[dict]:
    if not isinstance(value, list) or len(value) > 50:
        raise Invalid(_l("Liste d'indicateurs attendue."), field="indicators")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise Invalid(_l("Liste d'indicateurs attendue."), field="indicators")
        indicator = {
            "name": validation.text(item.get("name"), "indicators", max_length=200),
            "unit": validation.text(item.get("unit"), "indicators", max_length=40,
                                    required=False),
            "baseline": _number(item.get("baseline"), "indicators"),
            "target": _number(item.get("target"), "indicators"),
        }
        if isinstance(item.get("id"), int) and not isinstance(item["id"], bool):
            indicator["id"] = item["id"]
        result.append(indicator)
    return result


def _means(value: Any) -> dict:
    if not isinstance(value, dict) or set(value) - set(MEANS_KEYS):
        raise Invalid(_l("Moyens attendus : effectifs, budget, équipement."), field="means")
    return {key: validation.text(value.get(key), "means", max_length=2000, required=False)
            for key in MEANS_KEYS}


def _texts(value: Any, field: str, max_length: int) -> list[str]:
    if not isinstance(value, list) or len(value) > 100:
        raise Invalid(_l("Liste de textes attendue."), field=field)
    return [validation.text(item, field, max_length=max_length) for item in value]


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(_l("Date attendue au format AAAA-MM-JJ."), field=field)


def _number(value: Any, field: str, *, required: bool = False) -> float | None:
    if value in (None, "") and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Invalid(_l("Nombre attendu."), field=field)
    try:
        number = float(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        raise Invalid(_l("Nombre attendu."), field=field) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Invalid(_l("Nombre attendu."), field=field)
    return number
