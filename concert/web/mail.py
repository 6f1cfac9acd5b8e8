"""The outbox for platform admins: every mail and its delivery; in development (no SMTP),
each message itself, as the recipient would read it."""
from __future__ import annotations

from flask import Response, render_template
from flask_login import current_user, login_required

from ..services import mail
from . import bp


@bp.get("/admin/mail")
@login_required
def mail_outbox():
    return render_template("admin_mail.html", mails=mail.outbox(current_user),
                           smtp=mail.smtp_configured())


@bp.get("/admin/mail/<int:mail_id>")
@login_required
def mail_message(mail_id: int):
    item, message = mail.read_mail(current_user, mail_id)
    return render_template(
        "admin_mail_message.html", mail=item, message=message,
        text=message.get_body(("plain",)).get_content() if message else None)


@bp.get("/admin/mail/<int:mail_id>.eml")
@login_required
def mail_file(mail_id: int):
    item, message = mail.read_mail(current_user, mail_id)
    if message is None:
        return mail_message(mail_id)
    response = Response(mail.mail_file(item.id).read_bytes(), content_type="message/rfc822")
    response.headers["Content-Disposition"] = f'attachment; filename="{item.id}.eml"'
    return response
