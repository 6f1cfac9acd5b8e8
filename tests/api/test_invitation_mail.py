"""Invitations by e-mail through the API: with SMTP the link is only in the mail."""
from __future__ import annotations

from concert.services import mail
from tests.conftest import PASSWORD

INVITE = {"email": "nina@example.org", "role": "actor", "organisation": "Ville de Marseille",
          "organisation_kind": "commune"}


def mails_to(smtp, email: str):
    mail.deliver_due()
    return [m for m in smtp.messages if email in m.recipients]


def test_with_smtp_the_answer_has_no_link_and_the_mail_has_it(smtp, world, client):
    invited = client.post("/api/v1/territories/metropole/invitations", json=INVITE,
                          headers=world.facilitator.bearer())
    assert invited.status_code == 201
    assert "url" not in invited.json and invited.json["email"] == "nina@example.org"
    [received] = mails_to(smtp, "nina@example.org")
    token = received.link("/invite/").rsplit("/", 1)[1]
    assert client.get(f"/api/v1/invitations/{token}").json["email"] == "nina@example.org"
    accepted = client.post(f"/api/v1/invitations/{token}/accept",
                           json={"name": "Nina", "password": PASSWORD})
    assert accepted.status_code == 201


def test_without_smtp_the_answer_carries_the_link(world, client):
    invited = client.post("/api/v1/territories/metropole/invitations", json=INVITE,
                          headers=world.facilitator.bearer())
    assert invited.status_code == 201 and "/invite/" in invited.json["url"]


def test_resending_mails_a_new_link_and_the_old_one_stops_working(smtp, world, client):
    headers = world.facilitator.bearer()
    invitation = client.post("/api/v1/territories/metropole/invitations", json=INVITE,
                             headers=headers).json
    [first] = mails_to(smtp, "nina@example.org")
    resent = client.post(f"/api/v1/territories/metropole/invitations/{invitation['id']}/resend",
                         headers=headers)
    assert resent.status_code == 200 and "url" not in resent.json
    first_link, second_link = [m.link("/invite/") for m in mails_to(smtp, "nina@example.org")]
    assert first_link != second_link
    assert client.get("/api/v1/invitations/" + first_link.rsplit("/", 1)[1]).status_code == 404
    assert client.get("/api/v1/invitations/" + second_link.rsplit("/", 1)[1]).status_code == 200


def test_only_facilitators_resend_and_only_pending_invitations(world, client):
    headers = world.facilitator.bearer()
    invitation = client.post("/api/v1/territories/metropole/invitations", json=INVITE,
                             headers=headers).json
    path = f"/api/v1/territories/metropole/invitations/{invitation['id']}/resend"
    refused = client.post(path, headers=world.actor.bearer())
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert client.delete(f"/api/v1/territories/metropole/invitations/{invitation['id']}",
                         headers=headers).status_code == 204
    assert client.post(path, headers=headers).status_code == 409
    assert client.post("/api/v1/territories/metropole/invitations/999999/resend",
                       headers=headers).status_code == 404
