"""Users, sign-in (browser sessions and API tokens) and passwords."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import ApiToken, LoginSession, User, utcnow
from ..schemas.accounts import TokenInput
from . import audience, audit, mail, presence, security, validation
from .errors import Forbidden, Invalid, NotFound, Unauthorized

# Writing "last used" on every request would turn reads into writes.
_TOUCH_EVERY = timedelta(minutes=1)
# An expiring token is issued for a year at most: a forgotten script's token does not
# outlive the contract's negotiation.
MAX_TOKEN_DAYS = 365


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    """Adds a user to the session; the caller commits with the rest of its change."""
    user = User(
        email=validation.email(email),
        name=validation.text(name, "name", max_length=120),
        password_hash=security.hash_password(validation.password(password)),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_admin(email: str, password: str, name: str | None = None) -> User:
    """Creates a platform admin, or makes an existing user one and resets their password."""
    user = find_user(validation.email(email))
    if user is None:
        user = create_user(email, name or email.split("@")[0], password, is_admin=True)
        audit.record("admin.create", actor=None, obj=user, after={"email": user.email})
    else:
        user.password_hash = security.hash_password(validation.password(password))
        user.is_admin = True
        audit.record("admin.promote", actor=None, obj=user, after={"email": user.email})
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User:
    """The same answer, in the same time, for an unknown e-mail and a wrong password."""
    user = find_user(email) if isinstance(email, str) else None
    if not isinstance(password, str) or not security.verify_password(
        user.password_hash if user else None, password
    ):
        raise Unauthorized(_l("E-mail ou mot de passe incorrect."), code="invalid_credentials")
    if security.password_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    return user


def start_login_session(user: User, *, user_agent: str = "", ip_address: str = "") -> str:
    """A fresh random session key for each sign-in (never reuses the previous one). The
    device and address are kept for the account page's list of sign-ins."""
    key = security.new_secret()
    now = utcnow()
    db.session.add(
        LoginSession(
            key_hash=security.hash_secret(key),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"],
            user_agent=(user_agent or "")[:300],
            ip_address=(ip_address or "")[:45],
        )
    )
    user.last_login_at = now
    db.session.commit()
    return key


def end_login_session(key: str) -> None:
    login = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.key_hash == security.hash_secret(key)))
    if login is not None:
        presence.end_sockets(audience.credential_room("session", login.id))
        db.session.delete(login)
    db.session.commit()


def login_session(key: str) -> LoginSession | None:
    """The sign-in a cookie's key names, while it holds."""
    login = db.session.scalar(
        sa.select(LoginSession).where(LoginSession.key_hash == security.hash_secret(key))
    )
    now = utcnow()
    if login is None or login.expires_at <= now:
        return None
    if now - login.last_seen_at > _TOUCH_EVERY:
        login.last_seen_at = now
        db.session.commit()
    return login


def list_login_sessions(user: User) -> list[LoginSession]:
    """The account's sign-ins that still hold, the most recently seen first."""
    return list(db.session.scalars(
        sa.select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.expires_at > utcnow())
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def end_session(user: User, session_id: int) -> None:
    """Ends one of the account's sign-ins (another browser's): its sockets close too."""
    login = db.session.get(LoginSession, session_id)
    if login is None or login.user_id != user.id:
        raise NotFound(_l("Connexion inconnue."))
    presence.end_sockets(audience.credential_room("session", login.id))
    db.session.delete(login)
    audit.record("session.end", actor=user, obj=user, after={"sessions": 1})
    db.session.commit()


def end_other_sessions(user: User, keep_key: str | None) -> int:
    """Ends every sign-in of the account but the one `keep_key` names (this browser's; all
    of them when None); API tokens are kept. Commits; returns how many ended."""
    ended = _end_sessions(user, keep_key)
    audit.record("session.end", actor=user, obj=user, after={"sessions": ended})
    db.session.commit()
    return ended


def _end_sessions(user: User, keep_key: str | None) -> int:
    """Within the caller's transaction: deletes the sign-ins and closes their sockets."""
    query = sa.select(LoginSession.id).where(LoginSession.user_id == user.id)
    if keep_key:
        query = query.where(LoginSession.key_hash != security.hash_secret(keep_key))
    ended = list(db.session.scalars(query))
    if ended:
        presence.end_sockets(*(audience.credential_room("session", i) for i in ended))
        db.session.execute(sa.delete(LoginSession).where(LoginSession.id.in_(ended)))
    return len(ended)


def verify_password(user: User, password, field: str = "password") -> None:
    """The account's own password, asked before a change that matters (403 otherwise)."""
    if not isinstance(password, str) or not security.verify_password(user.password_hash,
                                                                      password):
        raise Forbidden(_l("Mot de passe incorrect."), code="invalid_credentials",
                        field=field)


def change_password(user: User, current, new, *, keep_key: str | None) -> int:
    """Sets a new password (the current one required): every other sign-in of the account
    ends, this one (`keep_key`) stays and API tokens are kept; a notice goes to the
    account's address. Returns how many sign-ins ended."""
    verify_password(user, current, "current_password")
    user.password_hash = security.hash_password(validation.password(new, "new_password"))
    ended = _end_sessions(user, keep_key)
    notify_password_changed(user)
    audit.record("password.change", actor=user, obj=user, after={"sessions_ended": ended})
    db.session.commit()
    return ended


def notify_password_changed(user: User) -> None:
    """Queues, in the caller's transaction, the notice that the account's password has
    changed (from the account page or a reset link), in the person's language: whoever did
    not change it learns that someone knows how to."""
    mail.enqueue(mail.compose(
        user.email, "password_changed", mail.language_of(user),
        _l("Votre mot de passe concert a été modifié"), name=user.name,
        reset_url=mail.absolute_url("/password-reset")), "password_changed")


def user_for_session(key: str) -> User | None:
    login = login_session(key)
    return login.user if login else None


def credential_holds(kind: str, credential_id: int) -> User | None:
    """The user of a sign-in or API token that still holds (a socket re-checks the one it
    was opened with before each event it handles), else None."""
    now = utcnow()
    if kind == "session":
        login = db.session.get(LoginSession, credential_id)
        return login.user if login is not None and login.expires_at > now else None
    api_token = db.session.get(ApiToken, credential_id)
    return api_token.user if api_token is not None and token_holds(api_token, now) else None


def token_holds(api_token: ApiToken, now: datetime) -> bool:
    """Neither revoked nor expired: the one rule for Bearer requests and sockets alike."""
    return api_token.revoked_at is None and (
        api_token.expires_at is None or api_token.expires_at > now)


def token_expiry(days: int | None) -> datetime | None:
    """`expires_in_days`: absent, the token lasts until revoked; else 1 to MAX_TOKEN_DAYS."""
    if days is None:
        return None
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(_l("Durée de validité : de 1 à %(max)s jours.", max=MAX_TOKEN_DAYS),
                      field="expires_in_days")
    return utcnow() + timedelta(days=days)


def new_api_token(user: User, data: TokenInput) -> tuple[ApiToken, str]:
    """The stored token (its hash only) and its secret, which is shown once."""
    token = "cct_" + security.new_secret()
    api_token = ApiToken(
        user_id=user.id,
        token_hash=security.hash_secret(token),
        label=data.label,
        expires_at=token_expiry(data.expires_in_days),
    )
    db.session.add(api_token)
    db.session.flush()
    audit.record("token.create", actor=user, obj=api_token, after={
        "label": api_token.label,
        "expires_at": api_token.expires_at.isoformat() if api_token.expires_at else None})
    db.session.commit()
    return api_token, token


def issue_api_token(user: User, label: str = "") -> str:
    return new_api_token(user, TokenInput(label=label))[1]


def api_token(token: str) -> ApiToken | None:
    """The API token a Bearer value names, unless revoked or expired."""
    api_token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == security.hash_secret(token)))
    now = utcnow()
    if api_token is None or not token_holds(api_token, now):
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > _TOUCH_EVERY:
        api_token.last_used_at = now
        db.session.commit()
    return api_token


def user_for_token(token: str) -> User | None:
    found = api_token(token)
    return found.user if found else None


def list_api_tokens(user: User) -> list[ApiToken]:
    """The owner's tokens not revoked, expired ones included (their owner revokes them)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(user: User, token_id: int) -> None:
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user.id or api_token.revoked_at is not None:
        raise NotFound(_l("Jeton inconnu."))
    api_token.revoked_at = utcnow()
    presence.end_sockets(audience.credential_room("token", api_token.id))
    audit.record("token.revoke", actor=user, obj=api_token)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = validation.choice(locale, "locale", current_app.config["LANGUAGES"])
    db.session.commit()
