"""The authorisation matrix, generated from Flask's url_map and the Socket.IO handlers: every
route, every method, and every client → server socket event, as every kind of caller who
should not read a restricted channel (anonymous, another territory's member, a removed
member, a platform admin who is not a member, and members of kinds the channel is closed
to: observer, actor, facilitator). Nobody gets a 5xx; nobody gets the restricted text, in an
answer, an ack or any event received; non-members get no 2xx on a territory's routes and
the expected refusal on every socket event. A route or a socket event missing from the
matrix fails the test."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import socketio
import sqlalchemy as sa

from concert.db import db
from concert.models import Channel
from concert.realtime import handlers
from concert.services import (
    channels, facilitation, files, members, posts, territories, workshops,
)
from concert.services.access import access
from concert.services.accounts import find_user

from ..conftest import Person, join
from concert.schemas.workshops import WorkshopInput
from concert.schemas.workspace import ChannelInput, PostInput
from concert.schemas.facilitation import PromotionInput
from ..realtime.conftest import Live, fence, new_id, sockets  # noqa: F401,F811 (a fixture)

SECRET = "Source infiltrée au point de deal"
SOCKET_EVENTS = {"connect", "disconnect", "join", "post", "workshop", "typing"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

MATRIX = {
    # public
    "api.accept_invitation": "public",
    "api.create_token": "public",
    "api.describe_invitation": "public",
    "api.openapi_json": "public",
    "api.request_password_reset": "public",
    "api.reset_password": "public",
    "static": "public",
    "web.healthz": "public",
    "web.invitation": "public",
    "web.login": "public",
    "web.password_reset": "public",
    "web.password_reset_request": "public",
    "web.account_email_confirm": "public",
    "web.logout": "public",
    "web.set_language": "public",
    "web.unsubscribe_page": "public",  # a signed link from a mail (RFC 8058)
    "web.unsubscribe": "public",
    # account
    "api.list_notifications": "account",
    "api.mark_read": "account",
    "api.get_preferences": "account",
    "api.put_preferences": "account",
    "web.notifications_page": "account",
    "web.notifications_panel": "account",
    "web.notifications_read": "account",
    "web.notification_preferences": "account",
    "web.account": "account",
    "web.create_token": "account",
    "web.revoke_token": "account",
    "api.create_territory": "account",
    "api.list_territories": "account",
    "api.list_tokens": "account",
    "api.me": "account",
    "api.update_me": "account",
    "api.export_me": "account",
    "api.delete_me": "account",
    "api.preview": "account",
    "api.revoke_token": "account",
    "web.account_email": "account",
    "web.account_profile": "account",
    "web.account_password": "account",
    "web.account_export": "account",
    "web.account_delete": "account",
    "web.end_session": "account",
    "web.end_other_sessions": "account",
    "web.create_territory": "account",
    "web.home": "account",
    # platform admins only
    "web.mail_file": "platform",
    "web.mail_message": "platform",
    "web.mail_outbox": "platform",
    "web.admin": "platform",
    "web.admin_export": "platform",
    "web.admin_delete": "platform",
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
    "api.mention_candidates": "territory",
    "api.search": "territory",
    "web.search_page": "territory",
    "api.add_observation": "territory",
    "api.audit_log": "territory",
    "api.cancel_workshop": "territory",
    "api.close_vote": "territory",
    "api.close_workshop": "territory",
    "api.commitment_revisions": "territory",
    "api.create_channel": "territory",
    "api.create_commitment": "territory",
    "api.create_framework": "territory",
    "api.create_signatory": "territory",
    "api.delete_signatory": "territory",
    "api.get_act": "territory",
    "api.list_axes": "territory",
    "api.list_signatories": "territory",
    "api.put_axes": "territory",
    "api.update_act": "territory",
    "api.update_signatory": "territory",
    "web.add_signatory": "territory",
    "web.contract_act": "territory",
    "web.delete_signatory": "territory",
    "web.save_axes": "territory",
    "web.save_contract_act": "territory",
    "web.update_signatory": "territory",
    "api.create_post": "territory",
    "api.upload_file": "territory",
    "api.download_file": "territory",
    "api.file_thumbnail": "territory",
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
    "web.workshop_ics": "territory",
    "web.workshop_minutes": "territory",
    "web.workshop_minutes_file": "territory",
    "web.workshop_open_vote": "territory",
    "web.workshop_page": "territory",
    "web.workshop_post": "territory",
    "web.workshop_projector": "territory",
    "web.workshop_start": "territory",
    "web.workshops_page": "territory",
    "api.list_amendments": "territory",
    "api.freeze_amendment": "territory",
    "api.list_governance": "territory",
    "api.put_governance": "territory",
    "api.list_evaluation_years": "territory",
    "api.put_synthesis": "territory",
    "api.due_measurements": "territory",
    "web.amendments_page": "territory",
    "web.freeze_amendment": "territory",
    "web.governance_page": "territory",
    "web.evaluation_page": "territory",
    "web.evaluation_synthesis": "territory",
    "web.export_amendment": "territory",
    "web.export_evaluation": "territory",
}


def restricted_world(world) -> dict:
    """A channel restricted to the préfecture, with a need, a commitment promoted from it,
    and a workshop; a facilitator of a commune and a member since removed."""
    fac = access(find_user(world.facilitator.email), world.slug)
    hidden = channels.create_channel(fac, ChannelInput(
        name="Renseignement", restricted_to=["prefecture"]))
    annex = files.upload(fac, io.BytesIO(SECRET.encode()), "note.txt")
    need, _ = posts.create_post(fac, PostInput(channel=hidden.id, kind="need", body=SECRET,
                                               attachments=[annex.id]))
    commitment = facilitation.promote(fac, PromotionInput(**{"title": "Plan", "party": "etat",
                                            "source_posts": [need.id]}))
    workshop = workshops.create(fac, WorkshopInput(
        **{"title": "Atelier", "starts_at": "2026-12-03T14:00",
                                      "place": "Préfecture",
                                      "agenda": [{"title": "Point", "minutes": 10}]}))
    commune = join(world.slug, "maire@example.org", "Marc Maire", "facilitator",
                   "Ville de Marseille", "commune")
    gone = join(world.slug, "parti@example.org", "Paul Parti", "actor", "ADDAP", "prevention")
    gone_membership = access(find_user(gone.email), world.slug).membership
    members.remove_member(territories.system_access(world.slug), gone_membership.id)
    return {"slug": world.slug, "post_id": need.id, "channel_id": hidden.id, "file_id": annex.id,
            "commitment_id": commitment.id, "workshop_id": workshop.id,
            "callers": {"anonymous": None, "outsider": world.outsider, "removed": gone,
                        "admin": world.admin, "observer": world.observer,
                        "actor": world.actor, "commune facilitator": commune}}


def registered_socket_events() -> set[str]:
    """Read from the code: a second app in the same process gets a Socket.IO server of its
    own, without the handlers its module registered once on the first."""
    return set(re.findall(r'@socketio\.on\("([^"]+)"', Path(handlers.__file__).read_text()))


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
    assert registered_socket_events() == SOCKET_EVENTS, "socket events changed"
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


# --- the socket half ---------------------------------------------------------------------

MEMBERS = ("observer", "actor", "commune facilitator")
NON_MEMBERS = ("outsider", "removed", "admin")


def _payloads(ids: dict, open_channel: int) -> dict[str, dict]:
    """Per client → server event, what each caller tries: the restricted channel, its post,
    the workshop. The events are sent in this order (`workshop` needs a `join` first)."""
    slug = ids["slug"]
    return {
        "join": {"territory": slug, "after_seq": 0},
        "post": {"territory": slug, "channel": ids["channel_id"], "kind": "need",
                 "body": "Dans le canal restreint", "client_id": new_id()},
        "post (reply to a restricted post)": {
            "territory": slug, "channel": open_channel, "kind": "message",
            "body": "En réponse", "client_id": new_id(), "reply_to": ids["post_id"]},
        "workshop": {"territory": slug, "workshop": ids["workshop_id"], "present": True},
        "typing": {"territory": slug, "channel": ids["channel_id"]},
    }


# What each caller's ack says: "ok", or the error's code. The workshop is open to every
# member; the channel and its post are not found by those it is closed to, exactly as an
# unknown id; observers, who never post, are refused posting and typing whatever the
# channel (the same answer for any id: it tells nothing).
_HIDDEN = {"observer": "forbidden", "actor": "not_found", "commune facilitator": "not_found",
           **dict.fromkeys(NON_MEMBERS, "not_found")}
SOCKET_MATRIX = {
    "join": {**dict.fromkeys(MEMBERS, "ok"), **dict.fromkeys(NON_MEMBERS, "not_found")},
    "post": _HIDDEN,
    "post (reply to a restricted post)": _HIDDEN,
    "workshop": {**dict.fromkeys(MEMBERS, "ok"), **dict.fromkeys(NON_MEMBERS, "not_found")},
    "typing": _HIDDEN,
}


def _code(ack) -> str:
    return "ok" if ack.get("ok") else ack["error"]["code"]


def test_every_socket_event_refuses_what_each_caller_may_not_read(server, world, sockets):
    ids = restricted_world(world)
    open_channel = db.session.scalar(sa.select(Channel.id).where(
        Channel.territory_id == access(find_user(world.facilitator.email), world.slug)
        .territory.id, Channel.restricted_to.is_(None)).order_by(Channel.id))
    events = {name.split(" (")[0] for name in SOCKET_MATRIX}
    assert registered_socket_events() - {"connect", "disconnect"} == events, \
        "socket events missing from the matrix"
    escaped = json.dumps(SECRET)[1:-1]
    # Listening during the whole matrix: an actor whose kind the channel is closed to, and,
    # as the control, the facilitator who may read it.
    listener = sockets(server.url, world.actor, label="listening actor")
    control = sockets(server.url, world.facilitator, label="control")
    for live in (listener, control):
        assert live.join(world.slug)["ok"]
    # Anonymous never gets a socket to send anything on.
    anonymous = Live("anonymous")
    with pytest.raises(socketio.exceptions.ConnectionError):
        anonymous.sio.connect(server.url, transports=["websocket"], wait_timeout=30)
    assert anonymous.refusal["data"]["code"] == "unauthorized"

    problems, clients = [], [listener, control]
    for name, person in ids["callers"].items():
        if person is None:
            continue
        live = sockets(server.url, person, label=name)
        clients.append(live)
        for event, payload in _payloads(ids, open_channel).items():
            ack = live.call(event.split(" (")[0], payload)
            where = f"{event} as {name}: {ack}"
            if _code(ack) != SOCKET_MATRIX[event][name]:
                problems.append(f"{where} (expected {SOCKET_MATRIX[event][name]})")
            if SECRET in json.dumps(ack, ensure_ascii=False) or escaped in json.dumps(ack):
                problems.append(f"{where} acks the restricted text")
    # While they listen, the channel lives: a new post and someone typing in it.
    ack = control.post(world.slug, ids["channel_id"], f"{SECRET} (suite)", kind="need")
    assert ack["ok"], ack
    assert control.typing(world.slug, ids["channel_id"])["ok"]
    control.wait_event("post.created", channel=ids["channel_id"])  # the control did get it
    # Once every member's socket has the control's next post, anything the restricted one
    # caused has reached them too; non-members are in no room of the territory.
    fence([(control, world.slug, open_channel)],
          [live for live in clients if live.label not in NON_MEMBERS])
    for live in clients[:1] + clients[2:]:
        for event in live.events:
            text = json.dumps(event, ensure_ascii=False)
            if SECRET in text or event["data"].get("channel") == ids["channel_id"]:
                problems.append(f"{live.label} received {text}")
    assert not problems, "\n".join(problems)
