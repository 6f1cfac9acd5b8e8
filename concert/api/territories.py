from __future__ import annotations

from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..ratelimits import password_attempts
from ..services import mail, members, territories
from ..services.access import access
from ..services.errors import Invalid
from . import bp, json_body, signed_in


def _territory(territory, membership) -> dict:
    data = territories.serialise(territory)
    data["role"] = membership.role if membership else None
    return data


@bp.get("/territories")
@signed_in
def list_territories():
    return jsonify({"items": [
        _territory(territory, membership)
        for territory, membership in territories.territories_for(current_user)
    ]})


@bp.post("/territories")
@signed_in
def create_territory():
    data = json_body()
    territory = territories.create_territory(
        current_user, data.get("slug"), data.get("name"), data.get("departement", ""),
        data.get("communes"),
    )
    return jsonify(_territory(territory, None)), 201


@bp.get("/territories/<slug>")
@signed_in
def get_territory(slug: str):
    where = access(current_user, slug, admin=True)
    return jsonify(_territory(where.territory, where.membership))


@bp.patch("/territories/<slug>")
@signed_in
def update_territory(slug: str):
    data = json_body()
    unknown = sorted(set(data) - {"phase"})
    if unknown:
        raise Invalid(_l("Champ inconnu : %(field)s.", field=unknown[0]), field=unknown[0])
    where = access(current_user, slug)
    territory = territories.set_phase(where, data.get("phase"))
    return jsonify(_territory(territory, where.membership))


@bp.get("/territories/<slug>/members")
@signed_in
def list_members(slug: str):
    where = access(current_user, slug, admin=True)
    show_email = where.is_facilitator or current_user.is_admin
    return jsonify({"items": [
        members.serialise_member(m, with_email=show_email) for m in members.list_members(where)
    ]})


@bp.patch("/territories/<slug>/members/<int:membership_id>")
@signed_in
def change_role(slug: str, membership_id: int):
    where = access(current_user, slug, admin=True)
    membership = members.change_role(where, membership_id, json_body().get("role"))
    return jsonify(members.serialise_member(membership, with_email=True))


@bp.delete("/territories/<slug>/members/<int:membership_id>")
@signed_in
def remove_member(slug: str, membership_id: int):
    members.remove_member(access(current_user, slug, admin=True), membership_id)
    return "", 204


def _invitation(invitation, url: str | None = None) -> dict:
    """`url` only in development (no SMTP): otherwise the link is only in the mail, so
    that accepting proves the address is the invitee's."""
    data = {
        "id": invitation.id,
        "email": invitation.email,
        "role": invitation.role,
        "organisation": invitation.organisation,
        "organisation_kind": invitation.organisation_kind,
        "created_at": invitation.created_at.isoformat(),
        "expires_at": invitation.expires_at.isoformat(),
    }
    if url and not mail.smtp_configured():
        data["url"] = url
    return data


@bp.get("/territories/<slug>/invitations")
@signed_in
def list_invitations(slug: str):
    where = access(current_user, slug, admin=True)
    where.require("facilitator", admin=True)
    return jsonify({"items": [
        _invitation(i) for i in members.pending_invitations(where)
    ]})


@bp.post("/territories/<slug>/invitations")
@signed_in
def create_invitation(slug: str):
    data = json_body()
    invitation, url = members.invite(
        access(current_user, slug, admin=True), data.get("email"), data.get("role"),
        data.get("organisation"), data.get("organisation_kind"),
    )
    return jsonify(_invitation(invitation, url)), 201


@bp.post("/territories/<slug>/invitations/<int:invitation_id>/resend")
@signed_in
def resend_invitation(slug: str, invitation_id: int):
    invitation, url = members.resend_invitation(access(current_user, slug, admin=True),
                                                invitation_id)
    return jsonify(_invitation(invitation, url))


@bp.delete("/territories/<slug>/invitations/<int:invitation_id>")
@signed_in
def revoke_invitation(slug: str, invitation_id: int):
    members.revoke_invitation(access(current_user, slug, admin=True), invitation_id)
    return "", 204


@bp.get("/invitations/<token>")
def describe_invitation(token: str):
    invitation = members.open_invitation(token)
    return jsonify({
        "territory": {"slug": invitation.territory.slug, "name": invitation.territory.name},
        "email": invitation.email,
        "role": invitation.role,
        "organisation": invitation.organisation,
        "organisation_kind": invitation.organisation_kind,
        "expires_at": invitation.expires_at.isoformat(),
    })


@bp.post("/invitations/<token>/accept")
@password_attempts
def accept_invitation(token: str):
    data = json_body()
    membership = members.accept_invitation(
        token, name=data.get("name"), password=data.get("password"),
        signed_in=current_user if current_user.is_authenticated else None,
    )
    return jsonify({
        "territory": territories.serialise(membership.territory),
        "membership": members.serialise_member(membership),
    }), 201
