"""Invitations and memberships: how people join a territory and what role they hold."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import Invitation, Membership, User, utcnow
from ..labels import ROLE_LABELS
from . import accounts, audience, audit, mail, notifications, presence, security, workshops
from ..schemas.territories import InvitationInput, RoleInput
from .errors import Conflict, Gone, NotFound, Unauthorized
from .access import Access, in_territory


def invitation_url(token: str) -> str:
    return mail.absolute_url(f"/invite/{token}")


def invite(access: Access, data: InvitationInput) -> tuple[Invitation, str]:
    """Mails the link to the address, in the same transaction. Returns the invitation and
    its URL, for the operator's command and development only (`mail.smtp_configured()`):
    otherwise accepting from the mail proves the address is the invitee's. The token
    itself is never stored."""
    access.require("facilitator", admin=True)
    email = data.email
    invitation = Invitation(
        territory_id=access.territory.id, email=email, role=data.role,
        organisation=data.organisation, organisation_kind=data.organisation_kind,
        created_by_id=access.user.id if access.user else None, expires_at=_expiry(),
    )
    if not may_grant(access, invitation.organisation_kind):
        raise audit.refuse(
            "invitation.create", access,
            _l("Ce type d'organisation voit des canaux qui vous sont fermés : seul un "
               "administrateur ou un animateur de ce type peut l'inviter."),
            object_type="invitation", attempted=invitation_terms(invitation))
    if _member_by_email(access.territory.id, email) is not None:
        raise Conflict(_l("Cette personne est déjà membre du territoire."), field="email")
    # A new invitation replaces any pending one for the same address.
    for previous in pending_invitations(access, email=email):
        previous.revoked_at = utcnow()
        audit.record("invitation.supersede", actor=access.user, territory=access.territory,
                     obj=previous)
    mail.address(email)  # an address we could not write a mail to is refused now
    db.session.add(invitation)
    return _send(access, invitation, "invitation.create")


def resend_invitation(access: Access, invitation_id: int) -> tuple[Invitation, str]:
    """Mails a pending invitation again, with a new link (the previous one stops working:
    only its hash was kept) valid for the full period again."""
    access.require("facilitator", admin=True)
    return _send(access, _pending(access, invitation_id), "invitation.resend")


def _expiry():
    return utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])


def _send(access: Access, invitation: Invitation, action: str) -> tuple[Invitation, str]:
    """A new link, valid for the full period (only its hash is kept: an earlier link stops
    working), audited as `action` and mailed, in one transaction."""
    token = security.new_secret()
    invitation.token_hash = security.hash_secret(token)
    invitation.expires_at = _expiry()
    db.session.flush()
    audit.record(action, actor=access.user, territory=access.territory,
                 obj=invitation, after=invitation_terms(invitation))
    url = invitation_url(token)
    _mail_invitation(access, invitation, url)
    db.session.commit()
    return invitation, url


def _mail_invitation(access: Access, invitation: Invitation, url: str) -> None:
    language = mail.language_for(invitation.email)
    territory = access.territory
    message = mail.compose(
        invitation.email, "invitation", language,
        _l("Invitation à rejoindre « %(territory)s » sur concert", territory=territory.name),
        inviter=access.user.name if access.user else None, territory=territory.name,
        role=ROLE_LABELS[invitation.role], organisation=invitation.organisation, url=url,
        expires_at=invitation.expires_at,
    )
    mail.enqueue(message, "invitation", territory_id=territory.id, invitation_id=invitation.id)


def may_grant(access: Access, organisation_kind: str) -> bool:
    """A facilitator lets in only organisation kinds that see no channel hidden from
    themselves, or they could invite a second account of theirs and read it."""
    if access.system or access.user.is_admin:
        return True
    return not audience.sees_beyond(access, organisation_kind)


def pending_invitations(access: Access, *, email: str | None = None) -> list[Invitation]:
    access.require("facilitator", admin=True)
    query = sa.select(Invitation).where(
        Invitation.territory_id == access.territory.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    if email is not None:
        query = query.where(Invitation.email == email)
    return list(db.session.scalars(query.order_by(Invitation.created_at)))


def revoke_invitation(access: Access, invitation_id: int) -> None:
    access.require("facilitator", admin=True)
    invitation = _pending(access, invitation_id)
    invitation.revoked_at = utcnow()
    audit.record("invitation.revoke", actor=access.user, territory=access.territory,
                 obj=invitation)
    db.session.commit()


def _pending(access: Access, invitation_id: int) -> Invitation:
    invitation = in_territory(access, Invitation, invitation_id, _l("Invitation introuvable."))
    if not invitation.is_pending:
        raise Conflict(_l("Cette invitation n'est plus en attente."))
    return invitation


def open_invitation(token: Any) -> Invitation:
    """The invitation a link points to, if it can still be used (404 unknown, 410 spent)."""
    invitation = None
    if isinstance(token, str) and 0 < len(token) <= 100:
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.token_hash == security.hash_secret(token))
        )
    if invitation is None:
        raise NotFound(_l("Cette invitation n'existe pas."), code="invitation_unknown")
    if invitation.revoked_at is not None:
        raise Gone(_l("Cette invitation a été annulée."), code="invitation_revoked")
    if invitation.accepted_at is not None:
        raise Gone(_l("Cette invitation a déjà été utilisée."), code="invitation_used")
    if invitation.expires_at <= utcnow():
        raise Gone(_l("Cette invitation a expiré."), code="invitation_expired")
    return invitation


def accept_invitation(
    token: Any, *, name: Any = None, password: Any = None, signed_in: User | None = None
) -> Membership:
    """Creates the user if needed, then the membership.

    An existing account must prove it is theirs: be signed in as that account, or give its
    password. A link alone never sets the password of an account that exists.
    """
    invitation = open_invitation(token)
    user = accounts.find_user(invitation.email)
    if user is None:
        user = accounts.create_user(invitation.email, name, password)
    elif signed_in is None or signed_in.id != user.id:
        if not isinstance(password, str) or not security.verify_password(
            user.password_hash, password
        ):
            raise Unauthorized(
                _l("Un compte existe déjà pour cette adresse : saisissez son mot de passe."),
                code="invalid_credentials",
            )
    if _member_by_email(invitation.territory_id, invitation.email) is not None:
        raise Conflict(_l("Vous êtes déjà membre de ce territoire."))
    # Single use even when two requests race: only one UPDATE finds it unaccepted.
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Gone(_l("Cette invitation a déjà été utilisée."), code="invitation_used")
    membership = Membership(
        user_id=user.id,
        territory_id=invitation.territory_id,
        role=invitation.role,
        organisation=invitation.organisation,
        organisation_kind=invitation.organisation_kind,
    )
    db.session.add(membership)
    db.session.flush()
    audit.record("membership.create", actor=user, territory=invitation.territory,
                 obj=membership, after=serialise_member(membership))
    db.session.commit()
    return membership


def list_members(access: Access) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .join(User)
            .where(Membership.territory_id == access.territory.id)
            .order_by(Membership.organisation, User.name)
        )
    )


def managed(access: Access, membership_id: int) -> Membership:
    """A membership this facilitator may change: 403, then 404 (the API checks it before
    reading a body)."""
    access.require("facilitator", admin=True)
    return _membership(access, membership_id)


def change_role(access: Access, membership_id: int, data: RoleInput) -> Membership:
    membership = managed(access, membership_id)
    role = data.role
    if membership.role == "facilitator" and role != "facilitator":
        _keep_a_facilitator(access, membership)
    before = serialise_member(membership)
    membership.role = role
    audit.record("membership.role", actor=access.user, territory=access.territory,
                 obj=membership, before=before, after=serialise_member(membership))
    db.session.commit()
    return membership


def remove_member(access: Access, membership_id: int) -> None:
    access.require("facilitator", admin=True)
    membership = _membership(access, membership_id)
    if membership.role == "facilitator":
        _keep_a_facilitator(access, membership)
    audit.record("membership.remove", actor=access.user, territory=access.territory,
                 obj=membership, before=serialise_member(membership))
    presence.evict(membership.user_id, access.territory.id)
    workshops.forget(membership)
    notifications.forget(membership)
    # Their sockets end, joined or not; those still signed in reconnect by themselves.
    presence.end_sockets(audience.user_room(membership.user_id))
    db.session.delete(membership)
    db.session.commit()


def serialise_member(membership: Membership, *, with_email: bool = False) -> dict:
    data = {
        "id": membership.id,
        "user": {"id": membership.user.id, "name": membership.user.name},
        "role": membership.role,
        "organisation": membership.organisation,
        "organisation_kind": membership.organisation_kind,
    }
    if with_email:
        data["user"]["email"] = membership.user.email
    return data


def serialise_invitation(invitation: Invitation, url: str | None = None) -> dict:
    """The invitation resource (SPEC). `url` only in development (no SMTP): otherwise the
    link is only in the mail, so that accepting proves the address is the invitee's."""
    data = {"id": invitation.id, **invitation_terms(invitation),
            "created_at": invitation.created_at.isoformat()}
    if url and not mail.smtp_configured():
        data["url"] = url
    return data


def invitation_terms(invitation: Invitation) -> dict:
    """What an invitation offers: its audit entries and its link's description say this."""
    return {
        "email": invitation.email,
        "role": invitation.role,
        "organisation": invitation.organisation,
        "organisation_kind": invitation.organisation_kind,
        "expires_at": invitation.expires_at.isoformat(),
    }


def _membership(access: Access, membership_id: int) -> Membership:
    return in_territory(access, Membership, membership_id, _l("Membre introuvable."))


def _keep_a_facilitator(access: Access, leaving: Membership) -> None:
    others = db.session.scalar(
        sa.select(sa.func.count()).where(
            Membership.territory_id == access.territory.id,
            Membership.role == "facilitator",
            Membership.id != leaving.id,
        )
    )
    if not others:
        raise Conflict(_l("Le territoire doit garder au moins un animateur."))


def _member_by_email(territory_id: int, email: str) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership)
        .join(User)
        .where(Membership.territory_id == territory_id, User.email == email)
    )

