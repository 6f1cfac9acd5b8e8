"""The platform admin's page: territories, people (with their data's export and the
deletion of their account), invitations pending, the outbox's state."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..services import mail, personal_data, platform
from . import bp
from .account import personal_data_file
from .feedback import attempt
from .forms import ConfirmForm


@bp.get("/admin")
@login_required
def admin():
    query = request.args.get("q", "")
    return render_template(
        "admin.html", territories=platform.territories(current_user),
        people=platform.people(current_user, query), query=query,
        invitations=platform.pending_invitations(current_user),
        outbox=platform.outbox_counts(current_user), smtp=mail.smtp_configured(),
        limit=platform.PEOPLE_PAGE, form=ConfirmForm(formdata=None))


@bp.get("/admin/people/<int:user_id>/export")
@login_required
def admin_export(user_id: int):
    user, data = personal_data.export_of(current_user, user_id)
    return personal_data_file(data, user.id)


@bp.route("/admin/people/<int:user_id>/delete", methods=["GET", "POST"])
@login_required
def admin_delete(user_id: int):
    """A page that asks for confirmation, then deletes on its button."""
    person = platform.person(current_user, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if attempt(lambda: personal_data.delete_person(current_user, user_id),
                   _("Compte supprimé : ses contributions restent, signées « Ancien membre »."
                     )):
            return redirect(url_for("web.admin") + "#people")
    return render_template("admin_delete.html", person=person, form=form)
