"""Pages about mail: the outbox for platform admins, invitations' mail on the members page."""
from __future__ import annotations

import sqlalchemy as sa

from concert.db import db
from concert.models import MailOutbox
from concert.services import mail
from tests.conftest import _csrf_from, client_sign_in as sign_in


def invite_from_page(client, email: str):
    page = client.get("/t/metropole/members").get_data(as_text=True)
    return client.post("/t/metropole/invitations", data={
        "csrf_token": _csrf_from(page), "email": email, "role": "actor",
        "organisation": "Ville de Marseille", "organisation_kind": "commune",
    }, follow_redirects=True)


def test_admins_read_the_mails_the_instance_kept(world, client):
    sign_in(client, world.facilitator.email)
    page = invite_from_page(client, "nina@example.org").get_data(as_text=True)
    assert "Invitation envoyée par courriel à nina@example.org" in page
    assert "/invite/" in page  # no SMTP: the link is shown too
    client.post("/logout", data={"csrf_token": _csrf_from(page)})

    sign_in(client, world.admin.email)
    listing = client.get("/admin/mail").get_data(as_text=True)
    mail_id = db.session.scalar(sa.select(MailOutbox.id).where(
        MailOutbox.recipient == "nina@example.org"))
    assert "Invitation à rejoindre « Métropole test » sur concert" in listing
    shown = client.get(f"/admin/mail/{mail_id}").get_data(as_text=True)
    assert "Fanny Animatrice vous invite" in shown and "/invite/" in shown
    eml = client.get(f"/admin/mail/{mail_id}.eml")
    assert eml.content_type == "message/rfc822" and b"To: nina@example.org" in eml.data


def test_only_platform_admins_see_the_outbox(world, client):
    sign_in(client, world.facilitator.email)
    assert client.get("/admin/mail").status_code == 403
    assert client.get("/admin/mail/1").status_code == 403


def test_the_members_page_shows_a_refused_invitation_and_resends_it(smtp, world, client):
    smtp.refuse.add("gone@example.org")
    sign_in(client, world.facilitator.email)
    page = invite_from_page(client, "gone@example.org").get_data(as_text=True)
    assert "/invite/" not in page  # SMTP: the link is only in the mail
    mail.deliver_due()
    page = client.get("/t/metropole/members").get_data(as_text=True)
    assert "Refusé : 550 5.1.1 Mailbox unavailable" in page

    smtp.refuse.clear()
    invitation_id = db.session.scalar(sa.select(MailOutbox.invitation_id).where(
        MailOutbox.recipient == "gone@example.org"))
    resent = client.post(f"/t/metropole/invitations/{invitation_id}/resend",
                         data={"csrf_token": _csrf_from(page)}, follow_redirects=True)
    assert "Invitation envoyée par courriel à gone@example.org" in resent.get_data(as_text=True)
    mail.deliver_due()
    assert [m.recipients for m in smtp.messages if "gone@example.org" in m.recipients] == [
        ["gone@example.org"]]
    assert "Envoyé le" in client.get("/t/metropole/members").get_data(as_text=True)
