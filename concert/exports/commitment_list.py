"""The commitment list, assembled once into plain data, then rendered as CSV, XLSX, ODS,
JSON and Markdown: every format shows the same rows, columns and values.

    listing = {
        "territory": {slug, name, departement, communes, phase},
        "generated_at": datetime (UTC),
        "filters": {party, status, pilot, channel} (only those given),
        "filters_shown": [(label, value)],   # the same, as a reader reads them
        "items": [item, ...],     # the JSON export's objects (see api/openapi.py CommitmentExport)
        "rows": [[cell, ...]],    # one per item, cells typed: str, int, date, datetime, None
    }
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Channel, Commitment, CommitmentRevision, CommitmentSource, Indicator, Post
from ..services import audience, channels, commitments, territories
from ..services.access import Access
from ..services.errors import BadRequest, Invalid, NotFound
from ..labels import COMMITMENT_STATUS_LABELS, PARTY_LABELS
from .document import cell_text

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
}
FILTERS = ("party", "status", "pilot", "channel")

# (label, width in characters) — one per cell of a row, in order.
COLUMNS = [
    (_l("N°"), 6), (_l("Titre"), 40), (_l("Description"), 50), (_l("Partie"), 14),
    (_l("Pilote"), 24), (_l("Partenaires"), 28), (_l("Domaine"), 24), (_l("Actions"), 50),
    (_l("Moyens humains"), 24), (_l("Budget"), 18), (_l("Équipements"), 24),
    (_l("Début"), 12), (_l("Échéance"), 12), (_l("Statut"), 12), (_l("Motif d'abandon"), 24),
    (_l("Indicateurs"), 40), (_l("Sources (nombre)"), 10), (_l("Sources (liens)"), 50),
    (_l("Dernière révision"), 17), (_l("Créé le"), 17), (_l("Modifié le"), 17),
]
INDICATOR_COLUMNS = [
    (_l("N° engagement"), 8), (_l("Engagement"), 40), (_l("Partie"), 14), (_l("Indicateur"), 40),
    (_l("Unité"), 12), (_l("Valeur de référence"), 14), (_l("Cible"), 14),
    (_l("Dernière mesure"), 14), (_l("Date de la dernière mesure"), 14),
]


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
    visible = _visible_channels(access)
    names = _channel_names(access)
    sources = _sources(ids, visible)
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


def _visible_channels(access: Access) -> set[int]:
    """The audience rule (services/audience.py); the command line sees what every member
    may see."""
    if access.membership is not None:
        return set(audience.visible_channel_ids(access.membership))
    return {c.id for c in db.session.scalars(sa.select(Channel).where(
        Channel.territory_id == access.territory.id)) if audience.open_to_all(c)}


def _channel_names(access: Access) -> dict[int, str]:
    if access.membership is not None:
        return {c.id: c.name for c in channels.list_channels(access)}
    return {c.id: c.name for c in db.session.scalars(sa.select(Channel).where(
        Channel.territory_id == access.territory.id)) if audience.open_to_all(c)}


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


def row(item: dict) -> list:
    return [
        item["number"], item["title"], item["description"], item["party_label"], item["pilot"],
        "\n".join(item["partners"]), item["channel_name"] or "", "\n".join(item["actions"]),
        item["means"]["staff"], item["means"]["budget"], item["means"]["equipment"],
        item["start_date"], item["due_date"], item["status_label"], item["abandon_reason"] or "",
        "\n".join(indicator_text(i) for i in item["indicators"]), len(item["sources"]),
        "\n".join(s["url"] for s in item["sources"]), local(item["last_revision_at"]),
        local(item["created_at"]), local(item["updated_at"]),
    ]


def indicator_rows(listing: dict) -> list[list]:
    return [[item["number"], item["title"], item["party_label"], i["name"], i["unit"],
             i["baseline"], i["target"], i["latest"], i["latest_date"]]
            for item in listing["items"] for i in item["indicators"]]


def headers(columns=COLUMNS) -> list[str]:
    return [str(label) for label, _width in columns]


def sheets(listing: dict) -> list[tuple[str, list[list]]]:
    """("Tous", all rows), then one sheet per party, in the contract's order."""
    by_party = defaultdict(list)
    for item, cells in zip(listing["items"], listing["rows"]):
        by_party[item["party"]].append(cells)
    return [(_("Tous"), listing["rows"])] + [(str(label), by_party[party])
                                             for party, label in PARTY_LABELS.items()]


def filename(slug: str, ext: str, generated_at: datetime, stem: str = "engagements") -> str:
    return f"{stem}-{slug}-{local(generated_at).date().isoformat()}.{ext}"


def render(listing: dict, fmt: str) -> bytes:
    if fmt == "csv":
        from .spreadsheets import csv_bytes as renderer
    elif fmt == "xlsx":
        from .spreadsheets import xlsx_bytes as renderer
    elif fmt == "ods":
        from .spreadsheets import ods_bytes as renderer
    elif fmt == "json":
        from .spreadsheets import json_bytes as renderer
    elif fmt == "md":
        from .spreadsheets import markdown_bytes as renderer
    else:
        raise NotFound(_l("Format d'export inconnu."))
    return renderer(listing)

