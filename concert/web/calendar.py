"""A workshop as an `.ics` file, for members to add to their calendar."""
from __future__ import annotations

from flask import Response
from flask_login import current_user, login_required

from ..services import calendar, workshops
from ..services.access import access
from . import bp


@bp.get("/t/<slug>/workshops/<int:workshop_id>.ics")
@login_required
def workshop_ics(slug: str, workshop_id: int):
    where = access(current_user, slug)
    workshop = workshops.get(where, workshop_id)
    response = Response(calendar.download(where, workshop),
                        content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="atelier-{workshop.id}.ics"'
    return response
