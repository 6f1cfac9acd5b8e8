"""Search of a territory."""
from __future__ import annotations

from dataclasses import asdict

from flask import jsonify, request
from flask_login import current_user

from ..schemas.search import SearchQuery, SearchResults
from ..services import search as search_service
from ..services.access import access
from . import bp, signed_in
from .spec import declare


@bp.get("/territories/<slug>/search")
@declare({200: SearchResults}, query=SearchQuery, errors=(404,))
@signed_in
def search(slug: str):
    """Search posts, commitments, workshops, contract sections and files: only what I may
    see (a channel hidden from me is neither returned nor counted)."""
    where = access(current_user, slug)
    found = search_service.search(where, SearchQuery(**request.args.to_dict()))
    return jsonify({"items": [{**asdict(item), "excerpt": str(item.excerpt)}
                              for item in found.items], "total": found.total})
