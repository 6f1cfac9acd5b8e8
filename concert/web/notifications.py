"""The bell's page (works without JavaScript), its panel, the mail preferences, and the
one-click unsubscription links mails carry (RFC 8058)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import UNREACHABLE, db
from ..extensions import csrf
from ..models.notifications import CATEGORIES, FREQUENCIES
from ..schemas.common import parse
from ..schemas.notifications import MarkRead, NotificationsQuery, PreferencesInput
from ..services import notifications
from ..services.errors import ServiceError
from . import bp
from .feedback import form_error


@bp.app_context_processor
def _bell():
    """Called by the header only, for a signed-in person: pages that do not show it pay
    nothing."""
    def unread_notifications() -> int:
        try:
            return notifications.unread_count(current_user)
        except UNREACHABLE:  # the page saying the database is away still renders
            db.rollback_quietly()
            return 0

    return {"unread_notifications": unread_notifications}


def _items(limit: int = 50) -> list[dict]:
    return [{"id": n.id, "text": notifications.describe(n.type, n.data),
             "territory": territory.name, "url": n.data.get("url", "/"),
             "read": n.read_at is not None, "created_at": n.created_at}
            for n, territory in notifications.list_for(
                current_user, NotificationsQuery(limit=limit))]


@bp.get("/notifications")
@login_required
def notifications_page():
    return render_template("notifications.html", items=_items())


@bp.get("/notifications/panel")
@login_required
def notifications_panel():
    """The bell's list, for the header's script."""
    return render_template("_notifications_list.html", items=_items(10), panel=True)


@bp.post("/notifications/read")
@login_required
def notifications_read():
    data = {"all": True} if request.form.get("all") else {
        "ids": [int(i) for i in request.form.getlist("id") if i.isdigit()]}
    try:
        notifications.mark_read(current_user, parse(MarkRead, data))
    except ServiceError as exc:
        form_error(None, exc)
    return redirect(url_for("web.notifications_page"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def notification_preferences():
    status = 200
    if request.method == "POST":
        try:
            notifications.set_preferences(current_user, parse(PreferencesInput, {
                "notifications": {c: request.form.get(c) for c in CATEGORIES
                                  if request.form.get(c)}}))
            flash(_("Préférences enregistrées."), "success")
            return redirect(url_for("web.notification_preferences"))
        except ServiceError as exc:
            form_error(None, exc)
            status = exc.status
    return render_template(
        "notification_preferences.html", chosen=notifications.preferences(current_user),
        categories=notifications.CATEGORY_LABELS, frequencies=notifications.FREQUENCY_LABELS,
        order=FREQUENCIES), status


@bp.get("/notifications/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """The link followed from a mail: a button confirms (a link a mail scanner follows
    must not unsubscribe anyone)."""
    _user, what = notifications.unsubscription(token)
    return render_template("unsubscribe.html", token=token, what=_what(what), done=False)


@bp.post("/notifications/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    """RFC 8058 one-click: a POST without cookie or CSRF token, the signed link proving
    whose preferences change."""
    _user, what = notifications.unsubscription(token)
    notifications.unsubscribe(token)
    return render_template("unsubscribe.html", token=token, what=_what(what), done=True)


def _what(what: str) -> str:
    if what == "daily":
        return _("le résumé quotidien")
    if what == "weekly":
        return _("le résumé hebdomadaire")
    return str(notifications.CATEGORY_LABELS[what])
