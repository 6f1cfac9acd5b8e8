"""The mail outbox: written with the change that causes it, delivered to a real SMTP server
(aiosmtpd) with retries, or written as .eml files when no SMTP is configured."""
from __future__ import annotations

from email import message_from_bytes, policy

import sqlalchemy as sa

from concert.db import db
from concert.models import MailOutbox, User, utcnow
from concert.services import accounts, mail, members, territories
from concert.services.access import access, system_access
from concert.schemas.territories import InvitationInput
from tests.conftest import PASSWORD


def invite(email: str, slug: str = "metropole", role: str = "actor"):
    return members.invite(system_access(slug), InvitationInput(email=email, role=role, organisation="Ville de Marseille", organisation_kind="commune"))


def outbox_for(email: str) -> list[MailOutbox]:
    db.session.rollback()
    return list(db.session.scalars(
        sa.select(MailOutbox).where(MailOutbox.recipient == email).order_by(MailOutbox.id)))


def delivered_to(smtp, email: str):
    return [m for m in smtp.messages if email in m.recipients]


def test_an_invitation_is_mailed_in_french_with_a_link_that_works_once(smtp, world, client):
    facilitator = db.session.get(User, world.facilitator.id)
    members.invite(access(facilitator, "metropole"), InvitationInput(email="nina@example.org", role="actor", organisation="Ville de Marseille", organisation_kind="commune"))
    [queued] = outbox_for("nina@example.org")
    assert queued.status == "pending" and queued.kind == "invitation"

    mail.deliver_due()
    [received] = delivered_to(smtp, "nina@example.org")
    assert received.recipients == ["nina@example.org"]
    message = received.message
    assert message["To"] == "nina@example.org"
    assert message["Subject"] == "Invitation à rejoindre « Métropole test » sur concert"
    assert message["Content-Language"] == "fr" and message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert "Bonjour," in received.part("plain")
    html = received.part("html")
    assert "Accepter l'invitation" in html and "<img" not in html
    assert [queued.status for queued in outbox_for("nina@example.org")] == ["sent"]
    assert outbox_for("nina@example.org")[0].message is None  # its link is not kept

    token = received.link("/invite/").rsplit("/", 1)[1]
    accepted = client.post(f"/api/v1/invitations/{token}/accept",
                           json={"name": "Nina", "password": PASSWORD})
    assert accepted.status_code == 201
    again = client.post(f"/api/v1/invitations/{token}/accept",
                        json={"name": "Nina", "password": PASSWORD})
    assert again.status_code == 410


def test_a_known_recipient_gets_the_mail_in_their_language(smtp, world):
    user = accounts.find_user(world.outsider.email)
    accounts.set_locale(user, "en")
    invite(world.outsider.email)
    mail.deliver_due()
    received = delivered_to(smtp, world.outsider.email)[-1]
    assert received.message["Subject"] == "Invitation to join “Métropole test” on concert"
    assert received.message["Content-Language"] == "en"
    assert "Hello," in received.part("plain")


def test_user_text_never_breaks_out_of_a_header(smtp, ctx):
    territories.create_territory(None, "injection", "Ville\r\nBcc: victim@evil.example\r\n\r\nX",
                                 "13", ["13055"])
    invite("nina@example.org", slug="injection")
    mail.deliver_due()
    [received] = smtp.messages
    assert received.recipients == ["nina@example.org"]
    assert received.message["Bcc"] is None
    assert received.message["Subject"] == (
        "Invitation à rejoindre « Ville Bcc: victim@evil.example X » sur concert")


def test_a_mail_exists_only_if_its_change_commits(smtp, world):
    message = mail.compose("nina@example.org", "invitation", "fr", "Sujet", inviter=None,
                           territory="T", role="Acteur", organisation="O", url="http://x/",
                           expires_at=utcnow())
    mail.enqueue(message, "invitation")
    db.session.rollback()
    assert outbox_for("nina@example.org") == []


def test_a_permanent_refusal_is_recorded_and_not_retried(smtp, world):
    smtp.refuse.add("gone@example.org")
    invite("gone@example.org")
    invite("nina@example.org")
    counts = mail.deliver_due()
    assert counts["failed"] == 1
    [refused] = outbox_for("gone@example.org")
    assert refused.status == "failed" and refused.last_error.startswith("550")
    assert delivered_to(smtp, "nina@example.org") and not delivered_to(smtp, "gone@example.org")
    assert mail.deliver_due(force=True)["failed"] == 0


def test_smtp_down_means_late_never_lost(smtp, world):
    mail.deliver_due()  # the world's own invitations
    smtp.stop()
    try:
        invite("nina@example.org")
        assert mail.deliver_due()["retry"] == 1
        [waiting] = outbox_for("nina@example.org")
        assert waiting.status == "pending" and waiting.attempts == 1
        assert waiting.last_error and waiting.next_attempt_at > waiting.created_at
        assert mail.deliver_due() == {}  # backing off: not due yet
    finally:
        smtp.start()
    assert mail.deliver_due(force=True)["sent"] == 1
    assert mail.deliver_due(force=True) == {}
    assert len(delivered_to(smtp, "nina@example.org")) == 1
    assert outbox_for("nina@example.org")[0].status == "sent"


def test_without_smtp_each_mail_is_an_eml_file_in_the_instance_folder(world):
    invitation, url = invite("nina@example.org")
    [written] = outbox_for("nina@example.org")
    assert written.status == "sent"
    path = mail.mail_file(written.id)
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "nina@example.org"
    assert url in message.get_body(("plain",)).get_content()


def test_a_password_change_is_notified_in_the_person_s_language(smtp, world):
    user = accounts.find_user(world.outsider.email)
    accounts.set_locale(user, "en")
    accounts.change_password(user, PASSWORD, "une toute nouvelle phrase", keep_key=None)
    mail.deliver_due()
    received = delivered_to(smtp, world.outsider.email)[-1]  # after the world's invitation
    assert received.message["Subject"] == "Your concert password has been changed"
    assert received.message["Content-Language"] == "en"
    assert "has just been changed" in received.part("plain")
    assert received.link("/password-reset")  # what to do if it was not them


def test_a_password_reset_is_notified_too(smtp, world):
    from concert.services import account_links

    account_links.request_password_reset(world.observer.email)
    mail.deliver_due()
    link = delivered_to(smtp, world.observer.email)[-1].link("/reset/")
    account_links.reset_password(link.rsplit("/", 1)[1], "une toute nouvelle phrase")
    mail.deliver_due()
    notice = delivered_to(smtp, world.observer.email)[-1]
    assert notice.message["Subject"] == "Votre mot de passe concert a été modifié"
    assert "vient d'être modifié" in notice.part("plain")
