"""The person's own profile: name, language, time zone, and the request to change the
e-mail address (which changes only once the mailed link is followed)."""
from __future__ import annotations

from flask import current_app

from ..db import db
from ..models import User
from ..schemas.me import ProfileInput
from . import account_links, accounts, audit, mail


def update(user: User, data: ProfileInput) -> User:
    """Changes the fields given, all or none (the input is valid as a whole before any of
    it is applied). A new e-mail needs the current password and mails a confirmation
    link; the address in the account stays the same until the link is followed."""
    if data.email is not None:  # first: its refusals come before any change
        accounts.verify_password(user, data.password)
        account_links.queue_email_change(user, data.email)
    before = _profile(user)
    if data.name is not None:
        user.name = data.name
    if data.language is not None:
        user.locale = data.language
    if data.time_zone is not None:
        user.time_zone = data.time_zone
    after = _profile(user)
    if after != before:
        audit.record("account.update", actor=user, obj=user,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    db.session.commit()
    return user


def _profile(user: User) -> dict:
    return {"name": user.name, "language": user.locale, "time_zone": user.time_zone}


def serialise(user: User) -> dict:
    """`/api/v1/me`: the language and time zone in effect (the platform's when unset)."""
    return {
        "id": user.id, "email": user.email, "name": user.name,
        "language": mail.language_of(user),
        "time_zone": user.time_zone or current_app.config["BABEL_DEFAULT_TIMEZONE"],
        "is_admin": user.is_admin,
    }
