"""The signed-in person's own account (SPEC): read and change it, export everything
concert holds about them, delete it."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..schemas.common import parse
from ..schemas.me import AccountDeletion, Me, PersonalData, ProfileInput
from ..services import personal_data, profile
from . import bp, json_body, signed_in
from .spec import declare


@bp.get("/me")
@declare({200: Me})
@signed_in
def me():
    """The signed-in person: address, name, language and time zone."""
    return jsonify(profile.serialise(current_user))


@bp.patch("/me")
@declare({200: Me}, body=ProfileInput, errors=(403,))
@signed_in
def update_me():
    """Change my name, language or time zone; ask to change my address.

    A new `email` (with the current `password`) is not set at once: a confirmation link is
    mailed to it, and the address changes when the link is followed. Nothing changes when
    any field is refused."""
    return jsonify(profile.serialise(profile.update(current_user, parse(ProfileInput,
                                                                         json_body()))))


@bp.get("/me/export")
@declare({200: PersonalData})
@signed_in
def export_me():
    """Everything concert holds about me (RGPD), as JSON."""
    return _download(personal_data.export(current_user))


@bp.delete("/me")
@declare({204: None}, body=AccountDeletion, errors=(403, 409))
@signed_in
def delete_me():
    """Delete my account (my password confirms it).

    My posts remain, authored by "Ancien membre" with the organisation I spoke for; my
    memberships, tokens and sign-ins end."""
    personal_data.delete_own(current_user, parse(AccountDeletion, json_body()).password)
    return "", 204


def _download(data: dict):
    response = jsonify(PersonalData.model_validate(data).model_dump(mode="json"))
    response.headers["Content-Disposition"] = 'attachment; filename="concert-mes-donnees.json"'
    return response
