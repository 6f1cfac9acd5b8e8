"""The contract through a real server, on both databases: the API (document, sections,
frameworks, versions, diff, phase), the pages without JavaScript, and permissions."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import _csrf_from, browser_login
from tests.api.conftest import error

SLUG = "metropole"


def signed_in(server, person) -> requests.Session:
    session = requests.Session()
    assert browser_login(session, server.url, person.email).status_code == 302
    return session


def commitment(api, world, title: str = "Patrouilles mixtes", **fields) -> dict:
    """A validated commitment: the contract states only those."""
    response = api(world.facilitator).post(f"/territories/{SLUG}/commitments", json={
        "title": title, "party": "etat", "pilot": "DDSP 13", **fields})
    assert response.status_code == 201, response.text
    response = api(world.facilitator).patch(f"/commitments/{response.json()['id']}",
                                            json={"status": "validated"})
    assert response.status_code == 200, response.text
    return response.json()


def submit(session, page_url: str, action_url: str, data: dict):
    token = _csrf_from(session.get(page_url).text)
    return session.post(action_url, data={"csrf_token": token, **data}, allow_redirects=False)


# --- API -----------------------------------------------------------------------------------

def test_api_document_versions_and_diff(server, api, world):
    fac, observer = api(world.facilitator), api(world.observer)
    commitment(api, world)
    assert fac.put(f"/territories/{SLUG}/contract/sections/preamble",
                   json={"body": "Le présent contrat…"}).json() == {
        "key": "preamble", "body": "Le présent contrat…"}

    document = observer.get(f"/territories/{SLUG}/contract").json()
    assert document["kind"] == "contract"
    fiches = next(s for s in document["sections"] if s["key"] == "annex-fiches")
    assert fiches["sections"][0]["title"] == "Engagement n° 1 — Patrouilles mixtes"

    response = fac.post(f"/territories/{SLUG}/contract/versions", json={"note": "Comité"})
    assert response.status_code == 201
    assert response.json()["number"] == 1
    assert response.json()["note"] == "Comité"
    assert response.json()["author"]["name"] == world.facilitator.name
    assert fac.post(f"/territories/{SLUG}/contract/versions").json()["number"] == 2

    commitment(api, world, "Vidéoprotection")
    assert [v["number"] for v in observer.get(
        f"/territories/{SLUG}/contract/versions").json()["items"]] == [1, 2]
    frozen = observer.get(f"/territories/{SLUG}/contract", params={"version": 1}).json()
    assert "Vidéoprotection" not in str(frozen)
    diff = observer.get(f"/territories/{SLUG}/contract/diff",
                        params={"from": 1, "to": "draft"}).json()
    assert [c["title"] for c in diff["commitments"]["added"]] == ["Vidéoprotection"]

    error(observer.get(f"/territories/{SLUG}/contract", params={"version": 9}), 404)
    error(observer.get(f"/territories/{SLUG}/contract", params={"version": "x"}), 422, field="version")
    error(observer.get(f"/territories/{SLUG}/contract/diff", params={"from": 1, "to": 9}), 404)
    error(observer.get(f"/territories/{SLUG}/contract/diff"), 422, field="from")


def test_api_frameworks(server, api, world):
    fac = api(world.facilitator)
    created = fac.post(f"/territories/{SLUG}/contract/frameworks", json={
        "kind": "stspd", "name": "STSPD 13", "start_date": "2024-01-01"})
    assert created.status_code == 201
    framework = created.json()
    patched = fac.patch(f"/territories/{SLUG}/contract/frameworks/{framework['id']}",
                        json={"integration": "Axes 1 et 2 repris."}).json()
    assert patched["integration"] == "Axes 1 et 2 repris." and patched["name"] == "STSPD 13"
    assert api(world.actor).get(f"/territories/{SLUG}/contract/frameworks").json()["items"] \
        == [patched]
    error(fac.post(f"/territories/{SLUG}/contract/frameworks", json={"kind": "x", "name": "y"}), 422, field="kind")
    assert fac.delete(f"/territories/{SLUG}/contract/frameworks/{framework['id']}"
                      ).status_code == 204
    error(fac.delete(f"/territories/{SLUG}/contract/frameworks/{framework['id']}"), 404)


ODD = ["", [], {}, True, None, 0, -1, 2 ** 70, 1.5, "2027-13-45", "\u0000", "x" * 60_000,
       {"$gt": 0}]


def test_api_odd_values_are_refused_never_a_500(server, api, world):
    fac = api(world.facilitator)
    base = f"/territories/{SLUG}/contract"
    framework = fac.post(f"{base}/frameworks", json={"kind": "cls", "name": "CLS"}).json()
    for value in ODD:
        answers = [
            fac.put(f"{base}/sections/preamble", json={"body": value}),
            fac.put(f"{base}/sections/{value}" if isinstance(value, str) and value
                    and len(value) < 100 else f"{base}/sections/x", json={"body": "texte"}),
            fac.post(f"{base}/frameworks", json={"kind": value, "name": "X"}),
            fac.post(f"{base}/frameworks", json={"kind": "cls", "name": value}),
            fac.patch(f"{base}/frameworks/{framework['id']}", json={"start_date": value}),
            fac.patch(f"{base}/frameworks/{framework['id']}", json={"integration": value}),
            fac.post(f"{base}/versions", json={"note": value}),
            fac.get(base, params={"version": value}),
            fac.get(f"{base}/diff", params={"from": value, "to": value}),
            fac.patch(f"/territories/{SLUG}", json={"phase": value}),
        ]
        for answer in answers:
            assert answer.status_code < 500, (value, answer.request.url, answer.text[:200])
    for raw in ("[1]", '"x"', "{", "1e400"):
        answer = fac.post(f"{base}/versions", data=raw,
                          headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, (raw, answer.text)


@pytest.mark.parametrize("who", ["actor", "observer"])
def test_api_members_read_but_do_not_edit(server, api, world, who):
    member = api(getattr(world, who))
    assert member.get(f"/territories/{SLUG}/contract").status_code == 200
    assert member.get(f"/territories/{SLUG}/contract/versions").status_code == 200
    for response in (
        member.post(f"/territories/{SLUG}/contract/versions", json={"note": "v1"}),
        member.put(f"/territories/{SLUG}/contract/sections/preamble", json={"body": "x"}),
        member.post(f"/territories/{SLUG}/contract/frameworks",
                    json={"kind": "cls", "name": "CLS"}),
        member.patch(f"/territories/{SLUG}", json={"phase": "drafting"}),
    ):
        error(response, 403)
    assert member.get(f"/territories/{SLUG}").json()["phase"] == "diagnostic"


def test_api_outsiders_and_anonymous_get_nothing(server, api, world):
    outsider = api(world.outsider)
    for path in ("/contract", "/contract/versions", "/contract/diff?from=1",
                 "/contract/frameworks", "/contract/sections"):
        error(outsider.get(f"/territories/{SLUG}{path}"), 404)
        error(api().get(f"/territories/{SLUG}{path}"), 401)
    error(outsider.post(f"/territories/{SLUG}/contract/versions", json={}), 404)
    error(outsider.patch(f"/territories/{SLUG}", json={"phase": "signed"}), 404)


def test_api_phase(server, api, world):
    fac = api(world.facilitator)
    answer = fac.patch(f"/territories/{SLUG}", json={"phase": "drafting"})
    assert answer.status_code == 200 and answer.json()["phase"] == "drafting"
    assert api(world.actor).get(f"/territories/{SLUG}").json()["phase"] == "drafting"
    error(fac.patch(f"/territories/{SLUG}", json={"phase": "fini"}), 422, field="phase")
    error(fac.patch(f"/territories/{SLUG}", json={"phase": "signed", "name": "X"}), 422, field="name")
    error(fac.patch(f"/territories/{SLUG}", json=["phase"]), 400)


def test_concurrent_freezes_get_distinct_numbers_without_gaps(server, api, world):
    fac = api(world.facilitator)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda i: fac.post(f"/territories/{SLUG}/contract/versions",
                                                   json={"note": f"n{i}"}), range(6)))
    assert [a.status_code for a in answers] == [201] * 6
    assert sorted(a.json()["number"] for a in answers) == [1, 2, 3, 4, 5, 6]


def test_openapi_documents_the_contract(server, api, world):
    paths = api().get("/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/territories/{slug}/contract/versions"])
    assert "patch" in paths["/territories/{slug}"]


# --- pages ---------------------------------------------------------------------------------

def test_contract_page_for_members_and_not_outsiders(server, api, world):
    commitment(api, world, "Patrouilles <b>mixtes</b>")
    api(world.facilitator).put(f"/territories/{SLUG}/contract/sections/governance", json={
        "body": "Comité **trimestriel** <script>alert(1)</script> [x](javascript:alert(1))"})
    page = signed_in(server, world.observer).get(f"{server.url}/t/{SLUG}/contract")
    assert page.status_code == 200
    assert "Engagement n° 1 — Patrouilles &lt;b&gt;mixtes&lt;/b&gt;" in page.text
    assert "<strong>trimestriel</strong>" in page.text
    assert "<script>alert" not in page.text and "javascript:" not in page.text
    assert 'href="#s-commitments"' in page.text  # table of contents
    assert "Figer une nouvelle version" not in page.text  # observers do not freeze
    outsider = signed_in(server, world.outsider)
    assert outsider.get(f"{server.url}/t/{SLUG}/contract").status_code == 404
    assert outsider.get(f"{server.url}/t/{SLUG}/contract/versions").status_code == 404
    assert signed_in(server, world.actor).get(
        f"{server.url}/t/{SLUG}/contract/sections/preamble").status_code == 403


def test_facilitator_edits_freezes_and_compares_without_javascript(server, api, world):
    session = signed_in(server, world.facilitator)
    base = f"{server.url}/t/{SLUG}/contract"
    section = f"{base}/sections/preamble"
    answer = submit(session, section, section, {"body": "Préambule **initial**."})
    assert answer.status_code == 302
    answer = submit(session, base, f"{base}/versions", {"note": "Avant le comité"})
    assert answer.status_code == 302
    assert "Version 1 figée" in session.get(server.url + answer.headers["Location"]).text

    submit(session, section, section, {"body": "Préambule **révisé**."})
    frameworks = f"{base}/frameworks"
    answer = submit(session, frameworks, frameworks, {"kind": "cls", "name": "",
                                                      "integration": ""})
    assert answer.status_code == 422  # the form comes back with the service's message
    assert "obligatoire" in answer.text
    answer = submit(session, frameworks, frameworks, {
        "kind": "contrat_de_ville", "name": "Contrat de ville 2024-2030",
        "start_date": "2024-01-01", "integration": "Pilier cohésion sociale."})
    assert answer.status_code == 302
    framework = api(world.facilitator).get(f"/territories/{SLUG}/contract/frameworks").json()
    edit = f"{frameworks}/{framework['items'][0]['id']}"
    assert 'value="Contrat de ville 2024-2030"' in session.get(edit).text
    answer = submit(session, edit, edit, {
        "kind": "contrat_de_ville", "name": "Contrat de ville 2024-2030",
        "start_date": "2024-01-01", "end_date": "2030-12-31",
        "integration": "Pilier cohésion sociale et cadre de vie."})
    assert answer.status_code == 302
    answer = submit(session, base, f"{server.url}/t/{SLUG}/phase", {"phase": "drafting"})
    assert answer.status_code == 302

    page = session.get(base).text
    assert "Préambule <strong>révisé</strong>." in page
    assert "Contrat de ville 2024-2030" in page
    assert "Pilier cohésion sociale et cadre de vie." in page
    assert "Rédaction" in page
    frozen = session.get(base, params={"version": 1}).text
    assert "Préambule <strong>initial</strong>." in frozen
    assert f'href="/t/{SLUG}/export/contract.pdf?version=1"' in frozen
    assert f'href="/t/{SLUG}/export/contract.docx"' in page
    assert session.get(base, params={"version": 5}).status_code == 404
    assert session.get(base, params={"version": "abc"}).status_code == 404

    compared = session.get(f"{base}/versions", params={"from": 1, "to": "draft"}).text
    assert "Textes modifiés" in compared
    assert re.search(r"<del>-Préambule \*\*initial\*\*\.</del>", compared)
    assert re.search(r"<ins>\+Préambule \*\*révisé\*\*\.</ins>", compared)
    assert "Dispositifs intégrés" in compared


def test_the_open_page_polls_the_draft_and_gets_304_until_it_changes(server, api, world):
    session = signed_in(server, world.actor)
    base = f"{server.url}/t/{SLUG}/contract"
    page = session.get(base).text
    shown = re.search(r'data-etag="([^"]+)"', page).group(1).replace("&#34;", '"')
    partial = session.get(base, params={"partial": 1})
    assert partial.status_code == 200 and partial.headers["ETag"] == shown
    unchanged = session.get(base, params={"partial": 1}, headers={"If-None-Match": shown})
    assert unchanged.status_code == 304 and unchanged.content == b""

    api(world.facilitator).put(f"/territories/{SLUG}/contract/sections/governance",
                               json={"body": "Comité de pilotage **trimestriel**."})
    changed = session.get(base, params={"partial": 1}, headers={"If-None-Match": shown})
    assert changed.status_code == 200 and changed.headers["ETag"] != shown
    assert "Comité de pilotage <strong>trimestriel</strong>." in changed.text
    outsider = signed_in(server, world.outsider)
    assert outsider.get(base, params={"partial": 1},
                        headers={"If-None-Match": shown}).status_code == 404


def test_actors_see_no_editing_forms(server, api, world):
    page = signed_in(server, world.actor).get(f"{server.url}/t/{SLUG}/contract").text
    assert "Changer de phase" not in page and "Modifier « Préambule »" not in page
    forbidden = signed_in(server, world.actor)
    answer = submit(forbidden, f"{server.url}/t/{SLUG}/contract",
                    f"{server.url}/t/{SLUG}/contract/versions", {"note": "x"})
    assert answer.status_code == 403
