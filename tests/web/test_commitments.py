"""The commitment page's forms (edit, status, measurement) against a real server: a refusal
shows the form again with the service's message; a success redirects with a notice."""
from __future__ import annotations

import requests

from tests.conftest import _csrf_from, browser_login

SLUG = "metropole"


def signed_in(server, person) -> requests.Session:
    session = requests.Session()
    assert browser_login(session, server.url, person.email).status_code == 302
    return session


def promoted(api, world) -> dict:
    fac = api(world.facilitator)
    channel = fac.get(f"/territories/{SLUG}/channels").json()["items"][0]["id"]
    need = api(world.actors[0]).post(f"/territories/{SLUG}/posts", json={
        "channel": channel, "kind": "need", "body": "Éclairer le passage souterrain",
        "client_id": "web-commitments"}).json()
    response = fac.post(f"/territories/{SLUG}/commitments", json={
        "title": "Éclairage du passage", "party": "collectivite", "source_posts": [need["id"]],
        "indicators": [{"name": "Points lumineux", "unit": "u", "baseline": 0, "target": 12}]})
    assert response.status_code == 201, response.text
    return response.json()


def submit(session, server, commitment, path: str, data: dict):
    page_url = f"{server.url}/t/{SLUG}/commitments/{commitment['id']}"
    token = _csrf_from(session.get(page_url).text)
    return session.post(page_url + path, data={"csrf_token": token, **data},
                        allow_redirects=False)


def test_abandoning_without_a_reason_shows_the_form_again(server, api, world):
    commitment = promoted(api, world)
    session = signed_in(server, world.facilitator)
    response = submit(session, server, commitment, "/status", {"status": "abandoned"})
    assert response.status_code == 422
    assert "motif" in response.text.lower()
    assert api(world.facilitator).get(f"/commitments/{commitment['id']}").json()["status"] \
        == "draft"

    response = submit(session, server, commitment, "/status",
                      {"status": "abandoned", "abandon_reason": "Financement retiré"})
    assert response.status_code == 302
    assert "Statut mis à jour" in session.get(server.url + response.headers["Location"]).text
    assert api(world.facilitator).get(f"/commitments/{commitment['id']}").json()["status"] \
        == "abandoned"


def test_a_measurement_is_recorded_or_refused_beside_its_field(server, api, world):
    commitment = promoted(api, world)
    indicator = commitment["indicators"][0]["id"]
    session = signed_in(server, world.facilitator)
    refused = submit(session, server, commitment, "/measurements",
                     {"indicator": indicator, "date": "2027-03-01", "value": "beaucoup"})
    assert refused.status_code == 422
    accepted = submit(session, server, commitment, "/measurements",
                      {"indicator": indicator, "date": "2027-03-01", "value": "4",
                       "comment": "Premier lot posé"})
    assert accepted.status_code == 302
    saved = api(world.facilitator).get(f"/commitments/{commitment['id']}").json()
    assert saved["indicators"][0]["latest"] == 4
    assert saved["indicators"][0]["measurements"][0]["comment"] == "Premier lot posé"


def test_editing_with_an_empty_title_changes_nothing(server, api, world):
    commitment = promoted(api, world)
    session = signed_in(server, world.facilitator)
    response = submit(session, server, commitment, "", {
        "title": "", "party": "collectivite", "indicators-0-name": "Points lumineux"})
    assert response.status_code in (400, 422)
    assert api(world.facilitator).get(f"/commitments/{commitment['id']}").json()["title"] \
        == "Éclairage du passage"


def test_an_actor_cannot_change_a_status(server, api, world):
    commitment = promoted(api, world)
    session = signed_in(server, world.actors[0])
    response = submit(session, server, commitment, "/status", {"status": "validated"})
    assert response.status_code == 403


def test_the_journal_offers_the_actions_the_territory_has_seen(server, api, world):
    commitment = promoted(api, world)
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/audit")
    assert page.status_code == 200
    assert "<option>commitment.create</option>" in page.text
    assert "<option>post.promote</option>" in page.text
    assert "<option>post.merge</option>" not in page.text  # nothing merged here yet
    filtered = session.get(f"{server.url}/t/{SLUG}/audit", params={"action": "commitment.create"})
    assert commitment["title"] in filtered.text or "commitment.create" in filtered.text
    assert "<code>post.promote</code>" not in filtered.text
    assert signed_in(server, world.actors[0]).get(f"{server.url}/t/{SLUG}/audit").status_code \
        == 403
