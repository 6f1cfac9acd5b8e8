"""Workshop pages: list and planning, editing and cancelling a planned workshop, the live
page, the projector view, the minutes."""
from __future__ import annotations

import secrets
from collections.abc import Container
from datetime import datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _, lazy_gettext as _l, to_user_timezone
from flask_login import current_user, login_required

from ..exports import DOCUMENT_FORMATS, render_document
from ..models import utcnow
from ..ratelimits import pdf_exports
from ..schemas.workshops import (
    CancelInput, DotInput, MoveInput, VoteInput, WorkshopInput, WorkshopPatch,
)
from ..schemas.workspace import ContributionsQuery, PostInput
from ..services import audience, channels, posts, workshops
from ..services.access import access
from ..services.errors import NotFound
from . import attachments, bp
from .feedback import attempt, form_error, outcome

AGENDA_ROWS = 8
WORKSHOP_STATUS_LABELS = {"planned": _l("À venir"), "live": _l("En cours"),
                          "closed": _l("Clos"), "cancelled": _l("Annulé")}
bp.add_app_template_global(WORKSHOP_STATUS_LABELS, "WORKSHOP_STATUS_LABELS")


@bp.app_template_filter("workshop_time")
def _workshop_time(value: str | None) -> str:
    """An ISO date-time of a workshop resource, in the territory's time zone."""
    return format_datetime(datetime.fromisoformat(value), "EEEE d MMMM y, HH:mm") if value else ""


def _workshop(slug: str, workshop_id: int):
    where = access(current_user, slug)
    return where, workshops.get(where, workshop_id)


def _back(slug: str, workshop_id: int):
    return redirect(url_for("web.workshop_page", slug=slug, workshop_id=workshop_id))


@bp.route("/t/<slug>/workshops", methods=["GET", "POST"])
@login_required
def workshops_page(slug: str):
    where = access(current_user, slug)
    status = 200
    if request.method == "POST":
        workshop, refused = outcome(lambda: workshops.create(
            where, WorkshopInput(**_planning(request.form),
                                 attachments=attachments.from_form(where))))
        if refused is not None:
            form_error(None, refused)
            status = refused.status
        else:
            flash(_("Atelier « %(title)s » programmé.", title=workshop.title), "success")
            return _back(slug, workshop.id)
    upcoming, past = workshops.list_workshops(where)
    return render_template(
        "workshops.html", where=where, territory=where.territory,
        upcoming=[workshops.serialise(w) for w in upcoming],
        past=[workshops.serialise(w) for w in past], channels=_agenda_channels(where),
        rows=range(AGENDA_ROWS), values=request.form), status


@bp.route("/t/<slug>/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def workshop_edit(slug: str, workshop_id: int):
    where = access(current_user, slug)
    workshop, refused = outcome(lambda: workshops.editable(where, workshop_id))
    if refused is None and request.method == "POST":
        _updated, refused = outcome(
            lambda: workshops.update(where, workshop_id, WorkshopPatch(
                **_planning(request.form), attachments=attachments.from_form(where))))
        if refused is None:
            flash(_("Atelier modifié."), "success")
            return _back(slug, workshop_id)
    status = 200
    if refused is not None:
        form_error(None, refused)
        if refused.status == 409:  # started or cancelled meanwhile: its page says so
            return _back(slug, workshop_id)
        status = refused.status
    values = request.form if request.method == "POST" else _form_values(workshop)
    used = {item.channel_id for item in workshop.agenda}
    return render_template(
        "workshop_edit.html", where=where, territory=where.territory,
        workshop=workshops.serialise(workshop), channels=_agenda_channels(where, used),
        rows=range(min(max(AGENDA_ROWS, len(workshop.agenda) + 2), workshops.MAX_ITEMS)),
        values=values), status


@bp.post("/t/<slug>/workshops/<int:workshop_id>/cancel")
@login_required
def workshop_cancel(slug: str, workshop_id: int):
    where = access(current_user, slug)
    attempt(lambda: workshops.cancel(where, workshop_id,
                                     CancelInput(reason=request.form.get("reason"))),
            _("Atelier annulé."))
    return _back(slug, workshop_id)


def _agenda_channels(where, used: Container[int] = ()) -> list:
    """The channels an agenda item may focus on: open to all, and not archived unless an
    item already focuses on it."""
    return [c for c in channels.list_channels(where)
            if audience.open_to_all(c) and (not c.archived or c.id in used)]


def _form_values(workshop) -> dict:
    """A planned workshop as its form posts it."""
    values = {"title": workshop.title, "place": workshop.place,
              "online_url": workshop.online_url, "invited": "\n".join(workshop.invited),
              "starts_at": to_user_timezone(workshop.starts_at).strftime("%Y-%m-%dT%H:%M")}
    for i, item in enumerate(workshop.agenda):
        values.update({f"item-{i}-title": item.title, f"item-{i}-minutes": str(item.minutes),
                       f"item-{i}-channel": str(item.channel_id or "")})
    return values


def _planning(form) -> dict:
    agenda = []
    for i in range(workshops.MAX_ITEMS):
        title = (form.get(f"item-{i}-title") or "").strip()
        if title:
            agenda.append({"title": title, "minutes": form.get(f"item-{i}-minutes") or "",
                           "channel": form.get(f"item-{i}-channel") or None})
    return {"title": form.get("title"), "starts_at": form.get("starts_at"),
            "place": form.get("place"), "online_url": form.get("online_url"),
            "invited": [line.strip() for line in (form.get("invited") or "").splitlines()],
            "agenda": agenda}


def _live_context(where, workshop) -> dict:
    now = utcnow()
    data = workshops.serialise(workshop, now=now, reader=where)
    vote = workshops.open_vote_of(workshop)
    names = {c.id: c.name for c in channels.list_channels(where)}
    feed = [posts.serialise(p) for p in workshops.contributions(where, workshop)]
    item = workshops.current_item(workshop)
    return {
        "where": where, "territory": where.territory, "workshop": data,
        "channel_names": names, "feed": feed,
        "items": {i["id"]: i for i in data["agenda"]},
        "open_vote": next((v for v in data["votes"] if vote and v["id"] == vote.id), None),
        "vote": next((v for v in data["votes"] if vote and v["id"] == vote.id),
                     data["votes"][-1] if data["votes"] else None),
        "my_dots": workshops.my_dots(where, vote) if vote else {},
        "can_vote": posts.can_contribute(where),
        "remaining": _remaining(data, now),
        "present": workshops.present_now(workshop),
        "default_channel": item.channel_id if item else None,
    }


def _remaining(data: dict, now: datetime) -> dict | None:
    """The timer as rendered before JavaScript takes over (and without it)."""
    if not data["item_ends_at"]:
        return None
    seconds = int((datetime.fromisoformat(data["item_ends_at"]) - now).total_seconds())
    over = seconds < 0
    seconds = abs(seconds)
    return {"over": over, "text": f"{seconds // 60:02d}:{seconds % 60:02d}"}


@bp.get("/t/<slug>/workshops/<int:workshop_id>")
@login_required
def workshop_page(slug: str, workshop_id: int):
    where, workshop = _workshop(slug, workshop_id)
    context = _live_context(where, workshop)
    if request.args.get("partial"):
        return render_template("_workshop_live.html", **context)
    contributions = []
    if where.is_facilitator and workshop.status == "live":  # what a vote may be opened on
        contributions = [posts.serialise(p) for p in posts.list_contributions(
            where, ContributionsQuery(order="supports")) if p.status in ("open", "promoted")
            and audience.open_to_all(p.channel)]
    writable = channels.list_channels(where, include_archived=False, readable=True)
    # A double submission of the composer stores one post (the same client id).
    return render_template("workshop.html", **context, contributions=contributions,
                           writable=writable, can_post=posts.can_contribute(where),
                           client_id=secrets.token_hex(16))


@bp.get("/t/<slug>/workshops/<int:workshop_id>/projector")
@login_required
def workshop_projector(slug: str, workshop_id: int):
    where, workshop = _workshop(slug, workshop_id)
    context = _live_context(where, workshop)
    # On the wall: what every participant may see, whoever's session shows it.
    context["feed"] = [p for p in context["feed"]
                       if p["channel"] in _open_channel_ids(where)][-8:]
    template = "_workshop_projector_live.html" if request.args.get("partial") \
        else "workshop_projector.html"
    return render_template(template, **context)


def _open_channel_ids(where) -> set[int]:
    return {c.id for c in channels.list_channels(where) if audience.open_to_all(c)}


@bp.post("/t/<slug>/workshops/<int:workshop_id>/start")
@login_required
def workshop_start(slug: str, workshop_id: int):
    where = access(current_user, slug)
    attempt(lambda: workshops.start(where, workshop_id), _("Atelier ouvert."))
    return _back(slug, workshop_id)


@bp.post("/t/<slug>/workshops/<int:workshop_id>/agenda")
@login_required
def workshop_agenda(slug: str, workshop_id: int):
    where = access(current_user, slug)
    to = request.form.get("to", "")
    attempt(lambda: workshops.move(where, workshop_id,
                                   MoveInput(to=int(to) if to.isdigit() else to)),
            _("Point de l'ordre du jour changé."))
    return _back(slug, workshop_id)


@bp.post("/t/<slug>/workshops/<int:workshop_id>/close")
@login_required
def workshop_close(slug: str, workshop_id: int):
    where = access(current_user, slug)
    if attempt(lambda: workshops.close(where, workshop_id),
               _("Atelier clos : le compte rendu est prêt.")):
        return redirect(url_for("web.workshop_minutes", slug=slug, workshop_id=workshop_id))
    return _back(slug, workshop_id)


@bp.post("/t/<slug>/workshops/<int:workshop_id>/posts")
@login_required
def workshop_post(slug: str, workshop_id: int):
    where = access(current_user, slug)
    form = request.form
    attempt(lambda: posts.create_post(where, PostInput(
        channel=form.get("channel"), kind=form.get("kind"), body=form.get("body"),
        client_id=form.get("client_id"), workshop=workshop_id,
        agenda_item=form.get("agenda_item"))), _("Contribution publiée."))
    return _back(slug, workshop_id)


@bp.post("/t/<slug>/workshops/<int:workshop_id>/votes")
@login_required
def workshop_open_vote(slug: str, workshop_id: int):
    where = access(current_user, slug)
    form = request.form
    attempt(lambda: workshops.open_vote(where, workshop_id, VoteInput(
        question=form.get("question"), dots=form.get("dots") or 3,
        posts=[int(v) for v in form.getlist("post") if v.isdigit()])), _("Vote ouvert."))
    return _back(slug, workshop_id)


@bp.post("/t/<slug>/workshops/<int:workshop_id>/votes/<int:vote_id>/dots")
@login_required
def workshop_dot(slug: str, workshop_id: int, vote_id: int):
    where = access(current_user, slug)
    form = request.form
    if form.get("remove") is not None:
        attempt(lambda: workshops.remove_dot(where, workshop_id, vote_id,
                                             _int(form.get("remove"))), _("Point retiré."))
    else:
        attempt(lambda: workshops.place_dot(where, workshop_id, vote_id, DotInput(
                    post=form.get("post"), slot=form.get("slot"))),
                _("Point placé."))
    return redirect(url_for("web.workshop_page", slug=slug, workshop_id=workshop_id,
                            _anchor="vote"))


@bp.post("/t/<slug>/workshops/<int:workshop_id>/votes/<int:vote_id>/close")
@login_required
def workshop_close_vote(slug: str, workshop_id: int, vote_id: int):
    where = access(current_user, slug)
    attempt(lambda: workshops.close_vote(where, workshop_id, vote_id), _("Vote clos."))
    return _back(slug, workshop_id)


@bp.get("/t/<slug>/workshops/<int:workshop_id>/minutes")
@login_required
def workshop_minutes(slug: str, workshop_id: int):
    where, workshop = _workshop(slug, workshop_id)
    document, refused = outcome(lambda: workshops.minutes(where, workshop_id))
    if refused is not None:
        form_error(None, refused)
        return _back(slug, workshop_id)
    return render_template("workshop_minutes.html", where=where, territory=where.territory,
                           workshop=workshops.serialise(workshop), document=document)


@bp.get("/t/<slug>/workshops/<int:workshop_id>/minutes.<fmt>")
@login_required
@pdf_exports
def workshop_minutes_file(slug: str, workshop_id: int, fmt: str):
    where = access(current_user, slug)
    if fmt not in ("md", "docx", "pdf"):
        raise NotFound(_("Format d'export inconnu."))
    document = workshops.minutes(where, workshop_id)
    chosen = DOCUMENT_FORMATS[fmt]
    return Response(render_document(document, fmt), mimetype=chosen.content_type, headers={
        "Content-Disposition":
            f'attachment; filename="atelier-{workshop_id}-compte-rendu.{chosen.ext}"'})


def _int(value):
    if value in (None, ""):
        return None
    return int(value) if str(value).isdigit() else value
