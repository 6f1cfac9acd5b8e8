"""Links mailed to prove an address: a forgotten password's reset, and a new e-mail address.

Each link is single-use and valid one hour; only its token's SHA-256 is stored. A reset
ends every way in to the account (sign-ins, API tokens, live sockets): whoever knew the
old password could have opened them."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import ApiToken, EmailChange, LoginSession, PasswordReset, User, utcnow
from . import accounts, audience, audit, mail, presence, security, validation
from .errors import Conflict, Gone, Invalid, NotFound, Unauthorized

LINK_LIFETIME = timedelta(hours=1)


# --- password reset ----------------------------------------------------------------------

def request_password_reset(email: Any) -> None:
    """Mails a reset link when an account has this address. The caller answers the same
    either way; an unknown address does the same work (a mail composed, an audit entry
    committed) so that the time does not tell either."""
    address = _known_format(email)
    user = accounts.find_user(address) if address else None
    token, expires_at = security.new_secret(), utcnow() + LINK_LIFETIME
    recipient = user.email if user else "unknown@invalid.example"
    message = mail.compose(
        recipient, "password_reset", mail.language_for(recipient),
        _l("Réinitialiser votre mot de passe concert"),
        url=mail.absolute_url(f"/reset/{token}"), expires_at=expires_at)
    if user is None:
        audit.record("password.reset_request", actor=None, object_type="user",
                     after={"known": False})
    else:
        reset = PasswordReset(user_id=user.id, token_hash=security.hash_secret(token),
                              expires_at=expires_at)
        db.session.add(reset)
        db.session.flush()
        audit.record("password.reset_request", actor=None, obj=user, after={"known": True})
        mail.enqueue(message, "password_reset")
    db.session.commit()


def open_password_reset(token: Any) -> PasswordReset:
    """The reset a link names, while it can be used (404 unknown, 410 used or expired)."""
    return _open(PasswordReset, token, _l("Ce lien de réinitialisation n'existe pas."), {
        "used": _l("Ce lien de réinitialisation a déjà servi."),
        "expired": _l("Ce lien de réinitialisation a expiré."),
    }, code="reset")


def reset_password(token: Any, password: Any) -> User:
    """Sets the new password (the accounts' policy) and ends every sign-in, API token and
    socket of the account; every other reset link of theirs stops working too."""
    reset = open_password_reset(token)
    password = validation.password(password)
    _claim(PasswordReset, reset, code="reset", message=_l(
        "Ce lien de réinitialisation a déjà servi."))
    user = reset.user
    user.password_hash = security.hash_password(password)
    now = utcnow()
    db.session.execute(sa.update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=now))
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id))
    revoked = db.session.execute(sa.update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
    ).rowcount
    presence.end_sockets(audience.user_room(user.id))
    accounts.notify_password_changed(user)
    audit.record("password.reset", actor=user, obj=user, after={"tokens_revoked": revoked})
    db.session.commit()
    return user


# --- e-mail change -----------------------------------------------------------------------

def request_email_change(user: User, password: Any, new_email: Any) -> None:
    """Mails a confirmation link to the new address and a notice to the current one; the
    address changes only when the link is followed. An address another account has gets
    a notice instead of a link, so the answer here never tells who has an account."""
    if not isinstance(password, str) or not security.verify_password(user.password_hash,
                                                                      password):
        raise Unauthorized(_l("Mot de passe incorrect."), code="invalid_credentials",
                           field="password")
    queue_email_change(user, new_email)
    db.session.commit()


def queue_email_change(user: User, new_email: Any) -> None:
    """The mails of an e-mail change, in the caller's transaction (its password checked)."""
    new_email = validation.email(new_email)
    if new_email == user.email:
        raise Invalid(_l("C'est déjà l'adresse de votre compte."), field="email")
    mail.address(new_email)  # an address we could not write a mail to is refused now
    language = mail.language_of(user)
    if accounts.find_user(new_email) is None:
        token = security.new_secret()
        change = EmailChange(user_id=user.id, new_email=new_email,
                             token_hash=security.hash_secret(token),
                             expires_at=utcnow() + LINK_LIFETIME)
        db.session.add(change)
        mail.enqueue(mail.compose(
            new_email, "email_change_confirm", language,
            _l("Confirmez votre nouvelle adresse sur concert"), name=user.name,
            url=mail.absolute_url(f"/account/email/{token}"), expires_at=change.expires_at),
            "email_change")
    else:
        mail.enqueue(mail.compose(
            new_email, "email_change_taken", language,
            _l("Votre adresse a été proposée pour un autre compte concert")),
            "email_change")
    mail.enqueue(mail.compose(
        user.email, "email_change_notice", language,
        _l("Changement d'adresse demandé pour votre compte concert"), name=user.name,
        new_email=new_email), "email_change")
    audit.record("email.change_request", actor=user, obj=user, after={"email": new_email})


def open_email_change(token: Any) -> EmailChange:
    return _open(EmailChange, token, _l("Ce lien de confirmation n'existe pas."), {
        "used": _l("Ce lien de confirmation a déjà servi."),
        "expired": _l("Ce lien de confirmation a expiré."),
    }, code="email_change")


def confirm_email_change(token: Any) -> User:
    """Following the link proves the new address: the account takes it, unless another
    account has taken it meanwhile."""
    change = open_email_change(token)
    if accounts.find_user(change.new_email) is not None:
        raise Conflict(_l("Cette adresse est déjà celle d'un autre compte."),
                       code="email_taken")
    _claim(EmailChange, change, code="email_change",
           message=_l("Ce lien de confirmation a déjà servi."))
    user = change.user
    before = user.email
    user.email = change.new_email
    db.session.execute(sa.update(EmailChange).where(
        EmailChange.user_id == user.id, EmailChange.used_at.is_(None)).values(used_at=utcnow()))
    audit.record("email.change", actor=user, obj=user, before={"email": before},
                 after={"email": user.email})
    db.session.commit()
    return user


# --- shared ------------------------------------------------------------------------------

def _known_format(email: Any) -> str | None:
    try:
        return validation.email(email)
    except Invalid:
        return None


def _open(model, token: Any, unknown, spent: dict, *, code: str):
    link = None
    if isinstance(token, str) and 0 < len(token) <= 100:
        link = db.session.scalar(sa.select(model).where(
            model.token_hash == security.hash_secret(token)))
    if link is None:
        raise NotFound(unknown, code=f"{code}_unknown")
    if link.used_at is not None:
        raise Gone(spent["used"], code=f"{code}_used")
    if link.expires_at <= utcnow():
        raise Gone(spent["expired"], code=f"{code}_expired")
    return link


def _claim(model, link, *, code: str, message) -> None:
    """Single use even when two requests race: only one UPDATE finds it unused."""
    claimed = db.session.execute(sa.update(model).where(
        model.id == link.id, model.used_at.is_(None)).values(used_at=utcnow())).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Gone(message, code=f"{code}_used")
