"""The account page ("Mon compte"): one section per concern, API tokens first."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import utcnow
from ..ratelimits import own_token_creations
from ..services import accounts
from ..services.errors import ServiceError
from . import bp
from .feedback import attempt, form_error
from .forms import TokenForm


def _account(token_form: TokenForm, new_token: str | None = None, status: int = 200):
    return render_template("account.html", token_form=token_form, new_token=new_token,
                           tokens=accounts.list_api_tokens(current_user), now=utcnow()), status


@bp.get("/account")
@login_required
def account():
    return _account(TokenForm())


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
