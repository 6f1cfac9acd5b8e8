"""The authorisation matrix, generated from Flask's url_map and the Socket.IO handlers: every
route, every method, as every kind of caller who should not read a restricted channel
(anonymous, another territory's member, a removed member, a platform admin who is not a
member, and members of kinds the channel is closed to: observer, actor, facilitator).
Nobody gets a 5xx; nobody gets the restricted text; non-members get no 2xx on a territory's
routes. A route or a socket event missing from the matrix fails the test."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from concert.realtime import handlers
from concert.services import channels, facilitation, members, posts, territories, workshops
from concert.services.access import access
from concert.services.accounts import find_user

from ..conftest import Person, join

SECRET = "Source infiltrée au point de deal"
SOCKET_EVENTS = {"connect", "disconnect", "join", "post", "workshop", "typing"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

MATRIX = {
    # public
    "api.accept_invitation": "public",
    "api.create_token": "public",
    "api.describe_invitation": "public",
    "api.openapi_json": "public",
    "static": "public",
    "web.healthz": "public",
    "web.invitation": "public",
    "web.login": "public",
    "web.logout": "public",
    "web.set_language": "public",
    # account
    "api.create_territory": "account",
    "api.list_territories": "account",
    "api.list_tokens": "account",
    "api.me": "account",
    "api.preview": "account",
    "api.revoke_token": "account",
    "web.create_territory": "account",
    "web.home": "account",
    # platform admins only
    "web.mail_file": "platform",
    "web.mail_message": "platform",
    "web.mail_outbox": "platform",
    # admin
    "api.change_role": "admin",
    "api.resend_invitation": "admin",
    "web.resend_invitation": "admin",
    "api.create_invitation": "admin",
    "api.get_territory": "admin",
    "api.list_invitations": "admin",
    "api.list_members": "admin",
    "api.remove_member": "admin",
    "api.revoke_invitation": "admin",
    "api.update_channel": "admin",
    "api.update_territory": "admin",
    "web.change_role": "admin",
    "web.invite": "admin",
    "web.members_page": "admin",
    "web.remove_member": "admin",
    "web.revoke_invitation": "admin",
    # territory
    "api.add_measurement": "territory",
    "api.add_observation": "territory",
    "api.audit_log": "territory",
    "api.cancel_workshop": "territory",
    "api.close_vote": "territory",
    "api.close_workshop": "territory",
    "api.commitment_revisions": "territory",
    "api.create_channel": "territory",
    "api.create_commitment": "territory",
    "api.create_framework": "territory",
    "api.create_post": "territory",
    "api.create_workshop": "territory",
    "api.decline_post": "territory",
    "api.delete_framework": "territory",
    "api.delete_post": "territory",
    "api.diff": "territory",
    "api.edit_post": "territory",
    "api.freeze_version": "territory",
    "api.get_commitment": "territory",
    "api.get_contract": "territory",
    "api.get_diagnostic": "territory",
    "api.get_import_job": "territory",
    "api.get_post": "territory",
    "api.get_vote": "territory",
    "api.get_workshop": "territory",
    "api.import_diagnostic": "territory",
    "api.list_channels": "territory",
    "api.list_commitments": "territory",
    "api.list_frameworks": "territory",
    "api.list_posts": "territory",
    "api.list_sections": "territory",
    "api.list_versions": "territory",
    "api.list_workshops": "territory",
    "api.merge_post": "territory",
    "api.move_workshop": "territory",
    "api.open_vote": "territory",
    "api.place_dot": "territory",
    "api.post_revisions": "territory",
    "api.put_section": "territory",
    "api.remove_dot": "territory",
    "api.reopen_post": "territory",
    "api.save_entry": "territory",
    "api.start_workshop": "territory",
    "api.support_post": "territory",
    "api.update_commitment": "territory",
    "api.update_framework": "territory",
    "api.update_workshop": "territory",
    "api.workshop_contributions": "territory",
    "api.workshop_minutes": "territory",
    "web.add_measurement": "territory",
    "web.audit_page": "territory",
    "web.change_phase": "territory",
    "web.commitment_page": "territory",
    "web.commitment_status": "territory",
    "web.commitments_page": "territory",
    "web.consolidation": "territory",
    "web.contract_framework": "territory",
    "web.contract_frameworks": "territory",
    "web.contract_page": "territory",
    "web.contract_section": "territory",
    "web.contract_versions": "territory",
    "web.contributions": "territory",
    "web.create_post": "territory",
    "web.decline_post": "territory",
    "web.delete_contract_framework": "territory",
    "web.diagnostic_entry": "territory",
    "web.diagnostic_import": "territory",
    "web.diagnostic_import_status": "territory",
    "web.diagnostic_observation": "territory",
    "web.diagnostic_page": "territory",
    "web.export_commitments": "territory",
    "web.export_contract": "territory",
    "web.freeze_contract": "territory",
    "web.merge_selection": "territory",
    "web.new_commitment": "territory",
    "web.reopen_post": "territory",
    "web.territory": "territory",
    "web.update_commitment": "territory",
    "web.workshop_agenda": "territory",
    "web.workshop_cancel": "territory",
    "web.workshop_close": "territory",
    "web.workshop_close_vote": "territory",
    "web.workshop_dot": "territory",
    "web.workshop_edit": "territory",
    "web.workshop_minutes": "territory",
    "web.workshop_minutes_file": "territory",
    "web.workshop_open_vote": "territory",
    "web.workshop_page": "territory",
    "web.workshop_post": "territory",
    "web.workshop_projector": "territory",
    "web.workshop_start": "territory",
    "web.workshops_page": "territory",
}


def restricted_world(world) -> dict:
    """A channel restricted to the préfecture, with a need, a commitment promoted from it,
    and a workshop; a facilitator of a commune and a member since removed."""
    fac = access(find_user(world.facilitator.email), world.slug)
    hidden = channels.create_channel(fac, "Renseignement", restricted_to=["prefecture"])
    need, _ = posts.create_post(fac, hidden.id, "need", SECRET)
    commitment = facilitation.promote(fac, {"title": "Plan", "party": "etat",
                                            "source_posts": [need.id]})
    workshop = workshops.create(fac, {"title": "Atelier", "starts_at": "2026-12-03T14:00",
                                      "place": "Préfecture",
                                      "agenda": [{"title": "Point", "minutes": 10}]})
    commune = join(world.slug, "maire@example.org", "Marc Maire", "facilitator",
                   "Ville de Marseille", "commune")
    gone = join(world.slug, "parti@example.org", "Paul Parti", "actor", "ADDAP", "prevention")
    gone_membership = access(find_user(gone.email), world.slug).membership
    members.remove_member(territories.system_access(world.slug), gone_membership.id)
    return {"slug": world.slug, "post_id": need.id, "channel_id": hidden.id,
            "commitment_id": commitment.id, "workshop_id": workshop.id,
            "callers": {"anonymous": None, "outsider": world.outsider, "removed": gone,
                        "admin": world.admin, "observer": world.observer,
                        "actor": world.actor, "commune facilitator": commune}}


def url_for_rule(rule, ids: dict) -> str:
    def value(match: re.Match) -> str:
        name = match.group(2)
        if name == "slug":
            return ids["slug"]
        if name in ids:
            return str(ids[name])
        if name == "fmt":
            return "md"
        if name in ("token", "key", "filename"):
            return "inconnu"
        return "999999"

    return re.sub(r"<(?:([a-z]+):)?([a-z_]+)>", value, rule.rule)


def test_every_route_refuses_what_each_caller_may_not_read(app, client, world):
    ids = restricted_world(world)
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert not {r.endpoint for r in rules} - set(MATRIX), "routes missing from the matrix"
    # Read from the code: a second app in the same process gets a Socket.IO server of its
    # own, without the handlers its module registered once on the first.
    source = Path(handlers.__file__).read_text()
    registered = set(re.findall(r'@socketio\.on\("([^"]+)"', source))
    assert registered == SOCKET_EVENTS, "socket events changed"
    escaped = json.dumps(SECRET)[1:-1]
    # The control: whoever may read the channel does get the text on the same routes.
    allowed = client.get(f"/api/v1/posts/{ids['post_id']}", headers=world.facilitator.bearer())
    assert escaped in allowed.get_data(as_text=True)
    problems = []
    for rule in rules:
        url, category = url_for_rule(rule, ids), MATRIX[rule.endpoint]
        for method in sorted(set(METHODS) & rule.methods):
            for name, person in ids["callers"].items():
                headers = person.bearer() if isinstance(person, Person) else {}
                body = {"json": {}} if url.startswith("/api/") and method != "GET" else {}
                answer = client.open(url, method=method, headers=headers, **body)
                text = answer.get_data(as_text=True)
                where = f"{method} {url} as {name}: {answer.status_code}"
                if answer.status_code >= 500:
                    problems.append(f"{where} (server error)")
                if SECRET in text or escaped in text:
                    problems.append(f"{where} shows the restricted text")
                non_member = name in ("anonymous", "outsider", "removed") or (
                    name == "admin" and category == "territory")
                if category in ("territory", "admin") and non_member and \
                        200 <= answer.status_code < 300:
                    problems.append(f"{where} answers a non-member")
                if category == "platform" and name != "admin" and \
                        200 <= answer.status_code < 300:
                    problems.append(f"{where} answers someone who is not a platform admin")
    assert not problems, "\n".join(problems)
