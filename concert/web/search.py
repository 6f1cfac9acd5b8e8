"""The search page of a territory."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from ..labels import COMMITMENT_STATUS_LABELS
from ..schemas.search import PAGE, SearchQuery
from ..services import channels, events, search
from ..services.access import access
from . import bp
from .feedback import form_error, outcome

FILTERS = ("kind", "channel", "status", "organisation", "since", "until", "order")


@bp.get("/t/<slug>/search")
@login_required
def search_page(slug: str):
    """Results grouped by kind, a page at a time; the filters are a plain GET form."""
    where = access(current_user, slug)
    args = request.args
    asked = {name: args.get(name, "") for name in ("q", *FILTERS)}
    results = totals = None
    query = None
    if asked["q"].strip():
        query, refused = outcome(lambda: SearchQuery(**asked, offset=args.get("offset") or 0))
        if refused is None:
            results, refused = outcome(lambda: search.search(where, query))
        if refused is not None:
            form_error(None, refused)
            query = results = None
        else:
            totals = search.totals_by_kind(where, query)
    link = {name: value for name, value in asked.items() if value}
    pages = {}
    if results is not None:
        if query.offset + PAGE < results.total:
            pages["following"] = url_for("web.search_page", slug=slug, **link,
                                         offset=query.offset + PAGE)
        if query.offset:
            pages["previous"] = url_for("web.search_page", slug=slug, **link,
                                        offset=max(0, query.offset - PAGE))
    groups: dict[str, list] = {}
    for item in results.items if results else []:
        groups.setdefault(item.type, []).append(item)
    return render_template(
        "search.html", where=where, territory=where.territory, asked=asked, results=results,
        groups=groups, totals=totals or {}, pages=pages, offset=query.offset if query else 0,
        channels=channels.list_channels(where, readable=True),
        commitment_statuses=COMMITMENT_STATUS_LABELS,
        kind_link=lambda kind: url_for("web.search_page", slug=slug, **{**link, "kind": kind}),
        seq=events.latest_seq(where.territory.id))
