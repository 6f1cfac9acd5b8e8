"""The commitment list, assembled here once into plain data (its model:
documents/commitment_list.py) from the commitments this reader may see; exports/ renders it
as CSV, XLSX, ODS, JSON and Markdown, so every format shows the same rows and values."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import get_locale, gettext as _
from sqlalchemy.orm import selectinload

from ..db import db
from ..documents import model as d
from ..documents.commitment_list import FILTERS, local, row, text
from ..labels import COMMITMENT_STATUS_LABELS, PARTY_LABELS
from ..models import Commitment, CommitmentRevision, CommitmentSource, Indicator, Post
from . import audience, commitment_section, commitments, territories
from .access import Access
from .errors import BadRequest, Invalid


def assemble(access: Access, filters: dict[str, Any]) -> dict:
    """The list as this member may see it. A filter the service refuses answers 400."""
    given = {key: filters.get(key) for key in FILTERS if filters.get(key) not in (None, "")}
    try:
        items = commitments.list_commitments(access, **given)
    except Invalid as exc:
        raise BadRequest(exc.message, code="bad_filter", field=exc.field) from None
    ids = [c.id for c in items]
    if ids:  # indicators and measurements in two queries rather than one per commitment
        db.session.scalars(sa.select(Commitment).where(Commitment.id.in_(ids)).options(
            selectinload(Commitment.indicators).selectinload(Indicator.measurements))).all()
    names = {c.id: c.name for c in audience.visible_channels(access)}
    sources = _sources(ids, set(names))
    revised = _last_revisions(ids)
    base = _base_url()
    slug = access.territory.slug
    listing_items = []
    for commitment in items:
        posts = sources.get(commitment.id, [])
        listing_items.append(_item(commitment, names, [
            {"id": post_id, "url": f"{base}/t/{slug}/?channel={channel_id}&post={post_id}"
                                   f"#post-{post_id}"}
            for post_id, channel_id in posts], revised.get(commitment.id)))
    return {
        "territory": territories.serialise(access.territory),
        "generated_at": datetime.now(timezone.utc),
        "filters": given,
        "filters_shown": _filters_shown(given, names),
        "items": listing_items,
        "rows": [row(item) for item in listing_items],
    }


def _filters_shown(given: dict, names: dict[int, str]) -> list[tuple[str, str]]:
    """The filters as a reader reads them (labels, channel names)."""
    shown = []
    if "party" in given:
        shown.append((_("Partie"), str(PARTY_LABELS[given["party"]])))
    if "status" in given:
        shown.append((_("Statut"), str(COMMITMENT_STATUS_LABELS[given["status"]])))
    if "pilot" in given:
        shown.append((_("Pilote"), str(given["pilot"])))
    if "channel" in given:
        shown.append((_("Domaine"), names.get(int(given["channel"]), str(given["channel"]))))
    return shown


def _sources(ids: list[int], visible: set[int]) -> dict[int, list[tuple[int, int]]]:
    """Source posts per commitment, only those of channels this reader may see."""
    result: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            sa.select(CommitmentSource.commitment_id, Post.id, Post.channel_id)
            .join(Post, Post.id == CommitmentSource.post_id)
            .where(CommitmentSource.commitment_id.in_(ids[start:start + 500]))
            .order_by(Post.seq))
        for commitment_id, post_id, channel_id in rows:
            if channel_id in visible:
                result[commitment_id].append((post_id, channel_id))
    return result


def _last_revisions(ids: list[int]) -> dict[int, datetime]:
    result = {}
    for start in range(0, len(ids), 500):
        result.update(db.session.execute(
            sa.select(CommitmentRevision.commitment_id, sa.func.max(CommitmentRevision.created_at))
            .where(CommitmentRevision.commitment_id.in_(ids[start:start + 500]))
            .group_by(CommitmentRevision.commitment_id)).all())
    return {key: _aware(value) for key, value in result.items() if value is not None}


def _aware(value: datetime | str) -> datetime:
    """max() over a column loses its type on SQLite: parse and mark UTC again."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _base_url() -> str:
    """Absolute links: CONCERT_BASE_URL, else the request's host; none from the command line."""
    if current_app.config.get("BASE_URL"):
        return current_app.config["BASE_URL"]
    if has_request_context():
        return request.host_url.rstrip("/")
    return ""


def _item(commitment: Commitment, names: dict[int, str], sources: list[dict],
          last_revision: datetime | None) -> dict:
    means = commitment.means or {}
    return {
        "id": commitment.id,
        "number": commitment.number,
        "title": commitment.title,
        "description": commitment.description or "",
        "party": commitment.party,
        "party_label": str(PARTY_LABELS[commitment.party]),
        "pilot": commitment.pilot or "",
        "partners": list(commitment.partners or []),
        "channel": commitment.channel_id if commitment.channel_id in names else None,
        "channel_name": names.get(commitment.channel_id),
        "actions": list(commitment.actions or []),
        "means": {key: means.get(key, "") or "" for key in commitments.MEANS_KEYS},
        "start_date": commitment.start_date,
        "due_date": commitment.due_date,
        "status": commitment.status,
        "status_label": str(COMMITMENT_STATUS_LABELS[commitment.status]),
        "abandon_reason": commitment.abandon_reason,
        "indicators": [_indicator(i) for i in commitment.indicators],
        "source_posts": [s["id"] for s in sources],
        "sources": sources,
        "last_revision_at": last_revision,
        "created_at": _aware(commitment.created_at),
        "updated_at": _aware(commitment.updated_at),
    }


def _indicator(indicator: Indicator) -> dict:
    latest = indicator.measurements[-1] if indicator.measurements else None
    return {"name": indicator.name, "unit": indicator.unit or "", "baseline": indicator.baseline,
            "target": indicator.target, "latest": latest.value if latest else None,
            "latest_date": latest.measured_on if latest else None}


def as_document(listing: dict) -> d.Document:
    """The list as a document (the Markdown export): one section per party, one sub-section
    per commitment, which reads as the contract's (services/commitment_section.py), plus
    links to its sources."""
    territory = listing["territory"]
    meta = [(_("Territoire"), territory["name"]),
            (_("Généré le"), text(local(listing["generated_at"]))),
            (_("Engagements"), str(len(listing["items"])))]
    meta += [(_("Filtre : %(name)s", name=label), value)
             for label, value in listing["filters_shown"]]
    by_party: dict[str, list[dict]] = {}
    for item in listing["items"]:
        by_party.setdefault(item["party_label"], []).append(item)
    words = commitment_section.Words.current(str(get_locale()))
    sections = []
    for index, (party, items) in enumerate(by_party.items(), start=1):
        children = [commitment_section.section(_facts(item), f"{index}.{position}", words)
                    for position, item in enumerate(items, start=1)]
        sections.append(d.section(f"party-{index}", str(index), party, [], children))
    return d.document("commitments", _("Engagements"), territory["name"], meta, sections,
                      lang=str(get_locale()))


def _facts(item: dict) -> commitment_section.Facts:
    return commitment_section.Facts(
        id=item["id"], number=item["number"], title=item["title"],
        description=item["description"], pilot=item["pilot"], partners=item["partners"],
        status=item["status"], domain=item["channel_name"], start_date=item["start_date"],
        due_date=item["due_date"], means=item["means"], actions=item["actions"],
        indicators=commitment_section.indicators(item["indicators"]),
        sources=[s["url"] for s in item["sources"]])
