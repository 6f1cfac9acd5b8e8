"""My notifications and how often they come by mail."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from ..schemas.common import parse
from ..schemas.notifications import (
    MarkedRead, MarkRead, NotificationList, NotificationsQuery, Preferences, PreferencesInput,
)
from ..services import notifications
from . import bp, json_body, signed_in
from .spec import declare


@bp.get("/notifications")
@declare({200: NotificationList}, query=NotificationsQuery)
@signed_in
def list_notifications():
    """My notifications, newest first (`unread=1`: the unread ones)."""
    query = NotificationsQuery(**request.args.to_dict())
    return jsonify({"items": [notifications.serialise(n, territory) for n, territory
                              in notifications.list_for(current_user, query)]})


@bp.post("/notifications/read")
@declare({200: MarkedRead}, body=MarkRead)
@signed_in
def mark_read():
    """Mark some of my notifications read (`ids`), or all of them (`all: true`)."""
    count = notifications.mark_read(current_user, parse(MarkRead, json_body()))
    return jsonify({"read": count})


@bp.get("/me/preferences")
@declare({200: Preferences})
@signed_in
def get_preferences():
    """How often each category of notification comes by mail."""
    return jsonify({"notifications": notifications.preferences(current_user)})


@bp.put("/me/preferences")
@declare({200: Preferences}, body=PreferencesInput)
@signed_in
def put_preferences():
    """Set how often categories of notification come by mail; those left out keep theirs."""
    chosen = notifications.set_preferences(current_user, parse(PreferencesInput, json_body()))
    return jsonify({"notifications": chosen})
