"""`concert mail-send` drains the outbox by hand; `concert invite` mails and still prints
the link (it is the operator's command)."""
from __future__ import annotations

import sqlalchemy as sa

from concert.db import db
from concert.models import MailOutbox
from concert.services import mail, members
from concert.services.access import system_access
from concert.schemas.territories import InvitationInput


def test_mail_send_delivers_what_waits_whatever_its_back_off(world, smtp, runner):
    smtp.stop()
    try:
        members.invite(system_access("metropole"), InvitationInput(
            email="nina@example.org", role="actor", organisation="Ville",
            organisation_kind="commune"))
        assert mail.deliver_due()["retry"] == 1
    finally:
        smtp.start()
    done = runner("mail-send", CONCERT_SMTP_URL=smtp.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["sent: 1", "retry: 0", "failed: 0"]
    assert "nina@example.org" in {r for m in smtp.messages for r in m.recipients}
    again = runner("mail-send", CONCERT_SMTP_URL=smtp.url)
    assert again.stdout.splitlines() == ["sent: 0", "retry: 0", "failed: 0"]


def test_invite_prints_the_link_and_mails_it(world, smtp, runner):
    done = runner("invite", "metropole", "nina@example.org", "--role", "actor", "--org",
                  "Ville", "--org-kind", "commune", CONCERT_SMTP_URL=smtp.url)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert "/invite/" in url
    db.session.rollback()
    assert db.session.scalar(sa.select(MailOutbox.status).where(
        MailOutbox.recipient == "nina@example.org")) == "pending"
    mail.deliver_due()
    [received] = [m for m in smtp.messages if m.recipients == ["nina@example.org"]]
    assert received.link("/invite/") == url
