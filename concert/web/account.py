"""The account page ("Mon compte"): one section per concern, API tokens first, then the
e-mail address; a forgotten password's reset, and the confirmation of a new address."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import sign_out
from ..models import utcnow
from ..ratelimits import own_password_attempts, own_token_creations, reset_requests
from ..services import account_links, accounts
from ..services.errors import ServiceError
from . import bp
from .feedback import attempt, form_error
from .forms import ConfirmForm, EmailChangeForm, NewPasswordForm, ResetRequestForm, TokenForm


def _account(token_form: TokenForm | None = None, email_form: EmailChangeForm | None = None,
             new_token: str | None = None, status: int = 200):
    """The page, with the form just submitted as it was sent and the others empty."""
    return render_template(
        "account.html", token_form=token_form or TokenForm(formdata=None),
        email_form=email_form or EmailChangeForm(formdata=None), new_token=new_token,
        tokens=accounts.list_api_tokens(current_user), now=utcnow()), status


@bp.get("/account")
@login_required
def account():
    return _account()


@bp.post("/account/tokens")
@login_required
@own_token_creations
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account(form, status=422)
    try:
        accounts.authenticate(current_user.email, form.password.data)
        _created, token = accounts.new_api_token(
            current_user, form.label.data or "", form.expires_in_days.data or None)
    except ServiceError as exc:
        form_error(form, exc)
        return _account(form, status=exc.status)
    # Shown in this answer only: what is kept is the token's hash.
    return _account(TokenForm(formdata=None), new_token=token, status=201)


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
    if not form.validate_on_submit():
        return _account(email_form=form, status=422)
    try:
        account_links.request_email_change(current_user, form.password.data, form.email.data)
    except ServiceError as exc:
        form_error(form, exc)
        return _account(email_form=form, status=exc.status)
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
