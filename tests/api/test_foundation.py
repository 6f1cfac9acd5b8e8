"""The foundation's JSON API, through a real server process, on both databases."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from concert.db import db
from concert.models import Invitation, Membership, User, utcnow


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_healthz(server):
    response = __import__("requests").get(server.url + "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_token_from_password_then_use_it(api, world):
    response = api().post("/tokens", json={"email": world.actor.email, "password": world.actor.password})
    assert response.status_code == 201
    token = response.json()["token"]
    me = api().get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == world.actor.email


def test_unknown_email_and_wrong_password_get_the_same_answer(api, world):
    unknown = api().post("/tokens", json={"email": "nobody@example.org", "password": "x" * 12})
    wrong = api().post("/tokens", json={"email": world.actor.email, "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_bad_token_and_no_token_are_401(api, world):
    assert api().get("/territories").status_code == 401
    bad = api().get("/territories", headers={"Authorization": "Bearer cct_nope"})
    assert bad.status_code == 401 and error_code(bad) == "unauthorized"
    basic = api().get("/territories", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status_code == 401


def test_revoked_token_stops_working(api, world):
    client = api(world.actor)
    tokens = client.get("/tokens").json()["items"]
    assert len(tokens) == 1 and tokens[0]["last_used_at"]
    assert client.delete(f"/tokens/{tokens[0]['id']}").status_code == 204
    assert client.get("/me").status_code == 401


def test_members_see_their_territories_only(api, world):
    items = api(world.actor).get("/territories").json()["items"]
    assert [t["slug"] for t in items] == ["metropole"]
    assert items[0]["role"] == "actor"
    assert items[0]["communes"] == ["13055", "13001"]


def test_non_member_gets_404_exactly_like_a_missing_territory(api, world):
    hidden = api(world.outsider).get("/territories/metropole")
    missing = api(world.outsider).get("/territories/nowhere")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert api(world.outsider).get("/territories/metropole/members").status_code == 404


def test_admin_creates_a_territory_and_others_cannot(api, world):
    body = {"slug": "bassin-nord", "name": "Bassin nord", "departement": "59",
            "communes": ["59350", "59512"]}
    assert api(world.facilitator).post("/territories", json=body).status_code == 403
    created = api(world.admin).post("/territories", json=body)
    assert created.status_code == 201
    assert created.json()["slug"] == "bassin-nord" and created.json()["phase"] == "diagnostic"
    again = api(world.admin).post("/territories", json=body)
    assert again.status_code == 409


def test_territory_input_is_validated(api, world):
    admin = api(world.admin)
    cases = [
        ({"slug": "Bad Slug", "name": "x"}, "slug"),
        ({"slug": "ok", "name": ""}, "name"),
        ({"slug": "ok", "name": "x", "communes": ["123"]}, "communes"),
        ({"slug": "ok", "name": "x", "communes": "13055"}, None),
        ({"slug": "ok", "name": "x", "departement": "999x"}, "departement"),
    ]
    for body, field in cases:
        response = admin.post("/territories", json=body)
        if field is None:
            assert response.status_code == 201, response.text
            continue
        assert response.status_code == 422, body
        assert response.json()["error"]["field"] == field
    assert admin.post("/territories", data="not json").status_code == 400
    assert admin.post("/territories", json=["a list"]).status_code == 400


def test_facilitator_invites_and_the_invitee_accepts(api, world):
    invited = api(world.facilitator).post("/territories/metropole/invitations", json={
        "email": "Nouveau@Example.org", "role": "actor", "organisation": "Ville",
        "organisation_kind": "commune"})
    assert invited.status_code == 201
    url = invited.json()["url"]
    token = url.rsplit("/", 1)[1]
    assert "/invite/" in url and invited.json()["expires_at"]

    info = api().get(f"/invitations/{token}")
    assert info.status_code == 200 and info.json()["email"] == "nouveau@example.org"

    accepted = api().post(f"/invitations/{token}/accept",
                          json={"name": "Nina Nouveau", "password": "un mot de passe long"})
    assert accepted.status_code == 201
    assert accepted.json()["membership"]["role"] == "actor"
    assert accepted.json()["territory"]["slug"] == "metropole"

    again = api().post(f"/invitations/{token}/accept",
                       json={"name": "Nina", "password": "un mot de passe long"})
    assert again.status_code == 410 and error_code(again) == "invitation_used"

    login = api().post("/tokens", json={"email": "nouveau@example.org",
                                         "password": "un mot de passe long"})
    assert login.status_code == 201


def test_invitation_rules(api, world):
    body = {"email": "x@example.org", "role": "actor", "organisation": "Ville",
            "organisation_kind": "commune"}
    assert api(world.actor).post("/territories/metropole/invitations", json=body).status_code == 403
    assert api(world.observer).post("/territories/metropole/invitations", json=body).status_code == 403
    assert api(world.outsider).post("/territories/metropole/invitations", json=body).status_code == 404
    assert api(world.admin).post("/territories/metropole/invitations", json=body).status_code == 201

    member = dict(body, email=world.actors[1].email.upper())
    assert api(world.facilitator).post("/territories/metropole/invitations", json=member).status_code == 409
    for field, value in [("role", "king"), ("organisation_kind", "mafia"), ("email", "nope"),
                         ("organisation", "")]:
        response = api(world.facilitator).post(
            "/territories/metropole/invitations", json=dict(body, **{field: value}))
        assert response.status_code == 422 and response.json()["error"]["field"] == field


def test_expired_revoked_and_unknown_invitations_create_nothing(api, world, ctx):
    facilitator = api(world.facilitator)
    make = lambda email: facilitator.post("/territories/metropole/invitations", json={
        "email": email, "role": "actor", "organisation": "Ville",
        "organisation_kind": "commune"}).json()

    expired = make("expired@example.org")
    db.session.execute(sa.update(Invitation).where(Invitation.id == expired["id"])
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    revoked = make("revoked@example.org")
    assert facilitator.delete(f"/territories/metropole/invitations/{revoked['id']}").status_code == 204

    body = {"name": "Quelqu'un", "password": "un mot de passe long"}
    for invitation, code in [(expired, "invitation_expired"), (revoked, "invitation_revoked")]:
        token = invitation["url"].rsplit("/", 1)[1]
        response = api().post(f"/invitations/{token}/accept", json=body)
        assert response.status_code == 410 and error_code(response) == code
    assert api().post("/invitations/not-a-token/accept", json=body).status_code == 404

    db.session.expire_all()
    emails = db.session.scalars(sa.select(User.email)).all()
    assert "expired@example.org" not in emails and "revoked@example.org" not in emails


def test_accepting_for_an_existing_account_needs_its_password(api, world):
    invited = api(world.admin).post("/territories/autre/invitations", json={
        "email": world.actor.email, "role": "observer", "organisation": "DDSP 13",
        "organisation_kind": "police_nationale"}).json()
    token = invited["url"].rsplit("/", 1)[1]
    wrong = api().post(f"/invitations/{token}/accept",
                       json={"name": "Pirate", "password": "not the password"})
    assert wrong.status_code == 401
    # The link alone never resets the account's password.
    assert api().post("/tokens", json={"email": world.actor.email,
                                       "password": world.actor.password}).status_code == 201
    right = api().post(f"/invitations/{token}/accept",
                       json={"password": world.actor.password})
    assert right.status_code == 201
    slugs = {t["slug"] for t in api(world.actor).get("/territories").json()["items"]}
    assert slugs == {"metropole", "autre"}


def test_weak_password_is_refused_and_the_invitation_stays_usable(api, world):
    invited = api(world.facilitator).post("/territories/metropole/invitations", json={
        "email": "weak@example.org", "role": "actor", "organisation": "Ville",
        "organisation_kind": "commune"}).json()
    token = invited["url"].rsplit("/", 1)[1]
    weak = api().post(f"/invitations/{token}/accept", json={"name": "W", "password": "short"})
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"
    assert api().get(f"/invitations/{token}").status_code == 200


def test_roles_change_and_members_leave_but_a_facilitator_always_remains(api, world, ctx):
    facilitator = api(world.facilitator)
    items = facilitator.get("/territories/metropole/members").json()["items"]
    by_email = {m["user"]["email"]: m for m in items}
    me = by_email[world.facilitator.email]
    assert facilitator.patch(f"/territories/metropole/members/{me['id']}",
                             json={"role": "actor"}).status_code == 409
    assert facilitator.delete(f"/territories/metropole/members/{me['id']}").status_code == 409

    actor = by_email[world.actor.email]
    changed = facilitator.patch(f"/territories/metropole/members/{actor['id']}",
                                json={"role": "observer"})
    assert changed.status_code == 200 and changed.json()["role"] == "observer"
    assert api(world.actors[1]).patch(f"/territories/metropole/members/{actor['id']}",
                                      json={"role": "facilitator"}).status_code == 403
    assert facilitator.delete(f"/territories/metropole/members/{actor['id']}").status_code == 204
    assert api(world.actor).get("/territories/metropole").status_code == 404

    # members' e-mails are for facilitators only
    seen_by_actor = api(world.actors[1]).get("/territories/metropole/members").json()["items"]
    assert all("email" not in m["user"] for m in seen_by_actor)


def test_unknown_routes_and_methods_answer_json_errors(api, world):
    missing = api(world.actor).get("/nothing-here")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    wrong = api(world.actor).put("/territories")
    assert wrong.status_code == 405 and error_code(wrong) == "method_not_allowed"


def test_every_api_route_is_in_the_openapi_document(app, api, world):
    document = api().get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, operations in document["paths"].items() for method in operations
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule[len("/api/v1"):].replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {path} missing from OpenAPI"


def test_audit_log_records_who_did_what(ctx, world):
    from concert.models import AuditLog

    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert actions.count("membership.create") == 5
    assert "territory.create" in actions
    entry = db.session.scalar(
        sa.select(AuditLog).where(AuditLog.action == "invitation.create").limit(1)
    )
    assert entry.after["role"] in {"facilitator", "actor", "observer"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 5
