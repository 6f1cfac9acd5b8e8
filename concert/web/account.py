"""The account page ("Mon compte"): one section per concern (profile, e-mail address,
password, API tokens, sign-ins, personal data); a forgotten password's reset, and the
confirmation of a new address."""
from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, session
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import current_session_key, sign_out
from ..models import utcnow
from ..ratelimits import own_password_attempts, own_token_creations, reset_requests
from ..schemas.accounts import TokenInput
from ..schemas.me import PersonalData, ProfileInput
from ..services import account_links, accounts, personal_data, profile, security, validation
from ..services.errors import ServiceError
from . import bp
from .feedback import attempt, form_error
from .forms import (
    ConfirmForm, DeleteAccountForm, EmailChangeForm, NewPasswordForm, PasswordChangeForm,
    ProfileForm, ResetRequestForm, TokenForm,
)

_FORMS = {"token_form": TokenForm, "email_form": EmailChangeForm,
          "profile_form": ProfileForm, "password_form": PasswordChangeForm,
          "delete_form": DeleteAccountForm}


def _account(new_token: str | None = None, status: int = 200, **submitted):
    """The page, with the form just submitted as it was sent and the others empty (the
    profile's filled with the account's values)."""
    forms = {name: submitted.get(name) or form(formdata=None) for name, form in _FORMS.items()}
    if "profile_form" not in submitted:
        forms["profile_form"] = ProfileForm(formdata=None, data=profile.serialise(current_user))
    forms["profile_form"].time_zone.choices = list(validation.time_zones())
    current = current_session_key()
    return render_template(
        "account.html", new_token=new_token, tokens=accounts.list_api_tokens(current_user),
        sessions=accounts.list_login_sessions(current_user),
        current_session=security.hash_secret(current) if current else None,
        sessions_form=ConfirmForm(formdata=None), now=utcnow(), **forms), status


class _Refused(Exception):
    """The page to answer with: the form as sent, with its errors."""

    def __init__(self, page) -> None:
        self.page = page


def _submitted(name: str, form, action):
    """The service's answer to a valid form; else raises _Refused with the page again
    (422 for the form's own checks, the service's status for its refusal)."""
    if not form.validate_on_submit():
        raise _Refused(_account(status=422, **{name: form}))
    try:
        return action()
    except ServiceError as exc:
        form_error(form, exc)
        raise _Refused(_account(status=exc.status, **{name: form})) from None


@bp.errorhandler(_Refused)
def _refused(refused: _Refused):
    return refused.page


@bp.get("/account")
@login_required
def account():
    return _account()


@bp.post("/account/profile")
@login_required
def account_profile():
    form = ProfileForm()
    form.time_zone.choices = list(validation.time_zones())
    _submitted("profile_form", form, lambda: profile.update(current_user, ProfileInput(
        name=form.name.data, language=form.language.data, time_zone=form.time_zone.data)))
    session["lang"] = current_user.locale  # the language chosen here wins over the header's
    flash(_("Vos informations ont été enregistrées."), "success")
    return redirect(url_for("web.account") + "#profile")


@bp.post("/account/password")
@login_required
@own_password_attempts
def account_password():
    form = PasswordChangeForm()
    ended = _submitted("password_form", form, lambda: accounts.change_password(
        current_user, form.current_password.data, form.new_password.data,
        keep_key=current_session_key()))
    flash(_("Votre mot de passe a été changé. Vos autres connexions (%(num)d) ont pris fin ; "
            "celle-ci reste ouverte, et vos jetons d'API restent valables.", num=ended),
          "success")
    return redirect(url_for("web.account") + "#change-password")


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    if ConfirmForm().validate_on_submit():
        ended = accounts.end_other_sessions(current_user, current_session_key())
        flash(_("Vos autres connexions (%(num)d) ont pris fin.", num=ended), "success")
    return redirect(url_for("web.account") + "#sessions")


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if ConfirmForm().validate_on_submit():
        attempt(lambda: accounts.end_session(current_user, session_id),
                _("Connexion terminée : ses pages ouvertes sont déconnectées."))
    return redirect(url_for("web.account") + "#sessions")


@bp.get("/account/export")
@login_required
def account_export():
    return personal_data_file(personal_data.export(current_user), current_user.id)


def personal_data_file(data: dict, user_id: int) -> Response:
    """The JSON of schemas/me.PersonalData, as a download."""
    text = json.dumps(PersonalData.model_validate(data).model_dump(mode="json"),
                      ensure_ascii=False, indent=2)
    return Response(text, content_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="concert-donnees-{user_id}.json"'})


@bp.post("/account/delete")
@login_required
@own_password_attempts
def account_delete():
    form = DeleteAccountForm()
    _submitted("delete_form", form,
               lambda: personal_data.delete_own(current_user, form.password.data))
    session.clear()  # its sign-in is gone with the account
    flash(_("Votre compte a été supprimé. Vos contributions restent, signées « Ancien "
            "membre »."), "success")
    return redirect(url_for("web.login"))


@bp.post("/account/tokens")
@login_required
@own_token_creations
def create_token():
    form = TokenForm()

    def create():
        accounts.authenticate(current_user.email, form.password.data)
        return accounts.new_api_token(current_user, TokenInput(
            label=form.label.data or "", expires_in_days=form.expires_in_days.data or None))

    _created, token = _submitted("token_form", form, create)
    # Shown in this answer only: what is kept is the token's hash.
    return _account(new_token=token, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    attempt(lambda: accounts.revoke_api_token(current_user, token_id),
            _("Jeton révoqué : ses connexions sont fermées."))
    return redirect(url_for("web.account") + "#tokens")


@bp.post("/account/email")
@login_required
@own_password_attempts
def account_email():
    form = EmailChangeForm()
    _submitted("email_form", form, lambda: account_links.request_email_change(
        current_user, form.password.data, form.email.data))
    flash(_("Un lien de confirmation a été envoyé à %(email)s. Votre adresse changera "
            "quand vous l'aurez suivi (dans l'heure).", email=form.email.data), "success")
    return redirect(url_for("web.account") + "#email")


@bp.route("/account/email/<token>", methods=["GET", "POST"])
def account_email_confirm(token: str):
    """A page with a button, not a change on GET: mail scanners open links."""
    try:
        change = account_links.open_email_change(token)
    except ServiceError as exc:
        return _closed(_("Lien de confirmation indisponible"), exc)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            account_links.confirm_email_change(token)
        except ServiceError as exc:
            return _closed(_("Lien de confirmation indisponible"), exc)
        flash(_("Votre compte utilise désormais l'adresse %(email)s.", email=change.new_email),
              "success")
        return redirect(url_for("web.account" if current_user.is_authenticated
                                else "web.login"))
    return render_template("account_email_confirm.html", form=form, email=change.new_email)


@bp.route("/password-reset", methods=["GET", "POST"])
@reset_requests
def password_reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        account_links.request_password_reset(form.email.data)
        return render_template("password_reset_sent.html")
    status = 422 if request.method == "POST" else 200
    return render_template("password_reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    try:
        account_links.open_password_reset(token)
    except ServiceError as exc:
        return _closed(_("Lien de réinitialisation indisponible"), exc)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            account_links.reset_password(token, form.password.data)
        except ServiceError as exc:
            if exc.status in (404, 410):
                return _closed(_("Lien de réinitialisation indisponible"), exc)
            form_error(form, exc)
        else:
            sign_out()  # this browser's sign-in, if any, has ended with the others
            flash(_("Votre mot de passe a été changé, et toutes vos connexions ont pris fin. "
                    "Connectez-vous avec le nouveau mot de passe."), "success")
            return redirect(url_for("web.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("password_reset.html", form=form), status


def _closed(title: str, exc: ServiceError):
    return render_template("link_closed.html", title=title, message=exc.message), exc.status
