"""Territories, their members and invitations."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..ratelimits import password_attempts
from ..schemas.common import parse
from ..schemas.territories import (
    AcceptInput, Accepted, Invitation, InvitationInfo, InvitationInput, InvitationList, Member,
    MemberList, PhaseInput, RoleInput, Territory, TerritoryInput, TerritoryList,
)
from ..services import members, territories
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


def _territory(territory, membership) -> dict:
    data = territories.serialise(territory)
    data["role"] = membership.role if membership else None
    return data


@bp.get("/territories")
@declare({200: TerritoryList})
@signed_in
def list_territories():
    """Territories I belong to (admins: all)."""
    return jsonify({"items": [
        _territory(territory, membership)
        for territory, membership in territories.territories_for(current_user)
    ]})


@bp.post("/territories")
@declare({201: Territory}, body=TerritoryInput, errors=(403, 409))
@signed_in
def create_territory():
    """Create a territory (platform admins)."""
    data = json_body()
    territory = territories.create_territory(
        current_user, data.get("slug"), data.get("name"), data.get("departement", ""),
        data.get("communes"),
    )
    return jsonify(_territory(territory, None)), 201


@bp.get("/territories/<slug>")
@declare({200: Territory}, errors=(404,))
@signed_in
def get_territory(slug: str):
    """One territory."""
    where = access(current_user, slug, admin=True)
    return jsonify(_territory(where.territory, where.membership))


@bp.patch("/territories/<slug>")
@declare({200: Territory}, body=PhaseInput, errors=(403, 404))
@signed_in
def update_territory(slug: str):
    """Change the territory's phase (facilitators)."""
    where = access(current_user, slug)
    territory = territories.set_phase(where, parse(PhaseInput, json_body()))
    return jsonify(_territory(territory, where.membership))


@bp.get("/territories/<slug>/members")
@declare({200: MemberList}, errors=(404,))
@signed_in
def list_members(slug: str):
    """Members of a territory."""
    where = access(current_user, slug, admin=True)
    show_email = where.is_facilitator or current_user.is_admin
    return jsonify({"items": [
        members.serialise_member(m, with_email=show_email) for m in members.list_members(where)
    ]})


@bp.patch("/territories/<slug>/members/<int:membership_id>")
@declare({200: Member}, body=RoleInput, errors=(403, 404, 409))
@signed_in
def change_role(slug: str, membership_id: int):
    """Change a member's role (facilitators)."""
    where = access(current_user, slug, admin=True)
    members.managed(where, membership_id)
    membership = members.change_role(where, membership_id, parse(RoleInput, json_body()))
    return jsonify(members.serialise_member(membership, with_email=True))


@bp.delete("/territories/<slug>/members/<int:membership_id>")
@declare({204: None}, errors=(403, 404, 409))
@signed_in
def remove_member(slug: str, membership_id: int):
    """Remove a member (facilitators)."""
    members.remove_member(access(current_user, slug, admin=True), membership_id)
    return "", 204


@bp.get("/territories/<slug>/invitations")
@declare({200: InvitationList}, errors=(403, 404))
@signed_in
def list_invitations(slug: str):
    """Pending invitations (facilitators)."""
    where = access(current_user, slug, admin=True)
    where.require("facilitator", admin=True)
    return jsonify({"items": [
        members.serialise_invitation(i) for i in members.pending_invitations(where)
    ]})


@bp.post("/territories/<slug>/invitations")
@declare({201: Invitation}, body=InvitationInput, errors=(403, 404, 409))
@signed_in
def create_invitation(slug: str):
    """Invite someone: the link is mailed to the address (facilitators, admins)."""
    where = access(current_user, slug, admin=True)
    where.require("facilitator", admin=True)
    invitation, url = members.invite(where, parse(InvitationInput, json_body()))
    return jsonify(members.serialise_invitation(invitation, url)), 201


@bp.post("/territories/<slug>/invitations/<int:invitation_id>/resend")
@declare({200: Invitation}, errors=(403, 404, 409))
@signed_in
def resend_invitation(slug: str, invitation_id: int):
    """Mail a pending invitation again, with a new link (the previous one stops working)."""
    invitation, url = members.resend_invitation(access(current_user, slug, admin=True),
                                                invitation_id)
    return jsonify(members.serialise_invitation(invitation, url))


@bp.delete("/territories/<slug>/invitations/<int:invitation_id>")
@declare({204: None}, errors=(403, 404, 409))
@signed_in
def revoke_invitation(slug: str, invitation_id: int):
    """Revoke a pending invitation (facilitators)."""
    members.revoke_invitation(access(current_user, slug, admin=True), invitation_id)
    return "", 204


@bp.get("/invitations/<token>")
@declare({200: InvitationInfo}, errors=(404, 410), public=True)
def describe_invitation(token: str):
    """What an invitation link is for."""
    invitation = members.open_invitation(token)
    return jsonify({
        "territory": {"slug": invitation.territory.slug, "name": invitation.territory.name},
        **members.invitation_terms(invitation),
    })


@bp.post("/invitations/<token>/accept")
@declare({201: Accepted}, body=AcceptInput, errors=(401, 404, 409, 410, 429), public=True)
@password_attempts
def accept_invitation(token: str):
    """Accept an invitation: creates the user if needed, then the membership."""
    data = json_body()
    membership = members.accept_invitation(
        token, name=data.get("name"), password=data.get("password"),
        signed_in=current_user if current_user.is_authenticated else None,
    )
    return jsonify({
        "territory": territories.serialise(membership.territory),
        "membership": members.serialise_member(membership),
    }), 201
