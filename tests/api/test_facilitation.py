"""The facilitation API through a real server process, on both databases: promote, merge,
decline, reopen, commitments, revisions, measurements, audit. Every refusal is a clear
4xx, never a 500."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.api.conftest import error, error_of, never_500

SLUG = "metropole"
ODD_VALUES = [
    "1", "", "   ", [], ["1"], [True], [None], [[1]], [{"id": 1}], True, False, None, 0, -1,
    2 ** 63, 2 ** 70, -(2 ** 70), 1.5, {"a": 1}, {"$gt": 0}, "2027-13-45", "1e400", "NaN",
    "\u0000", "x" * 100_000,
]
# Numbers Python's JSON parser accepts but no field should (and one it refuses), and
# nesting deeper than any parser's recursion.
RAW_VALUES = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 5000,
              "[" * 100_000 + "]" * 100_000]


def raw_json(template: str) -> list[str]:
    """`template` (JSON with the placeholder VALUE) filled with each of RAW_VALUES."""
    return [template.replace("VALUE", value) for value in RAW_VALUES]


def post_raw(client, url: str, payload: str, method: str = "post"):
    return getattr(client, method)(url, data=payload.encode(),
                                   headers={"Content-Type": "application/json"})
FULL = {
    "title": "Médiation de nuit dans les résidences",
    "description": "Équipe de médiateurs de 18 h à 1 h.",
    "party": "partenaire",
    "pilot": "Habitat 13",
    "partners": ["Ville de Marseille", "Addap 13"],
    "actions": ["Recruter 4 médiateurs", "Former aux premiers secours"],
    "means": {"staff": "4 ETP", "budget": "180 000 €", "equipment": "Radios"},
    "start_date": "2027-02-01",
    "due_date": "2027-12-31",
    "indicators": [{"name": "Signalements", "unit": "par mois", "baseline": 30, "target": 10}],
}


@pytest.fixture
def racing():
    """Marks tests whose requests are sent at the same moment: the rules hold through
    PostgreSQL's row locks, and on SQLite through the server's single connection."""


@pytest.fixture
def fac(api, world):
    return api(world.facilitator)


@pytest.fixture
def channel(fac) -> int:
    items = fac.get(f"/territories/{SLUG}/channels").json()["items"]
    return next(c["id"] for c in items if c["name"] == "Habitat social")


@pytest.fixture
def commitment(fac, contribute, world):
    """A commitment with every field, promoted from a need of actors[1]."""
    need = contribute(world.actors[1])
    response = fac.post(f"/territories/{SLUG}/commitments",
                        json={**FULL, "source_posts": [need["id"]]})
    assert response.status_code == 201, response.text
    return response.json()


# --- promote ---------------------------------------------------------------------------------

def test_promote_answers_201_with_the_commitment(fac, api, contribute, world, channel):
    need = contribute(world.actors[0], "need", "Sécuriser les halls")
    proposal = contribute(world.actors[1], "proposal", "Médiateurs de nuit")
    response = fac.post(f"/territories/{SLUG}/commitments",
                        json={**FULL, "source_posts": [need["id"], proposal["id"]]})
    assert response.status_code == 201, response.text
    data = response.json()
    for key, value in FULL.items():
        if key != "indicators":
            assert data[key] == value, key
    assert data["indicators"][0] | {"id": 0} == {
        "id": 0, "name": "Signalements", "unit": "par mois", "baseline": 30, "target": 10,
        "reference_year": None, "source": "", "frequency": None, "due_on": None, "measurements": [], "latest": None,
        "progress": None}
    assert data["number"] == 1 and data["status"] == "draft" and data["channel"] == channel
    assert data["source_posts"] == [need["id"], proposal["id"]]
    assert data["created_at"] and data["updated_at"]

    seen = api(world.actors[0]).get(f"/posts/{need['id']}").json()
    assert seen["status"] == "promoted"
    assert seen["commitments"] == [{"id": data["id"], "number": 1, "title": FULL["title"]}]
    assert api(world.observer).get(f"/commitments/{data['id']}").json()["number"] == 1
    second = fac.post(f"/territories/{SLUG}/commitments", json={"title": "Deux", "party": "etat"})
    assert second.status_code == 201 and second.json()["number"] == 2


def test_promote_refusals(api, fac, contribute, world):
    need = contribute(world.actors[0])
    message = contribute(world.actors[0], "message", "Bonjour")
    foreign = contribute(world.outsider, "need", "À Lyon", slug="autre",
                         channel=api(world.outsider).get("/territories/autre/channels")
                         .json()["items"][0]["id"])
    url = f"/territories/{SLUG}/commitments"
    good = {"title": "T", "party": "etat", "source_posts": [need["id"]]}

    error(api(world.actors[0]).post(url, json=good), 403, "forbidden")
    error(api(world.observer).post(url, json=good), 403, "forbidden")
    error(api(world.outsider).post(url, json=good), 404, "not_found")
    error(api().post(url, json=good), 401, "unauthorized")
    error(fac.post("/territories/nowhere/commitments", json=good), 404)
    error(fac.post(url, json={**good, "source_posts": [foreign["id"]]}), 404)
    error(fac.post(url, json={**good, "source_posts": [need["id"], 999_999]}), 404)
    error(fac.post(url, json={**good, "source_posts": [message["id"]]}), 422,
           field="source_posts")
    error(fac.post(url, data="title=T&party=etat"), 400, "invalid_json")
    error(fac.post(url, data="{not json", headers={"Content-Type": "application/json"}), 400)
    error(fac.post(url, json=[good]), 400, "invalid_json")
    error(fac.post(url, json={**good, "colour": "bleu"}), 422, field="colour")
    error(fac.post(url, json={**good, "source_posts": str(need["id"])}), 422,
           field="source_posts")
    error(fac.post(url, json={**good, "source_posts": [str(need["id"])]}), 422,
           field="source_posts")
    error(fac.post(url, json={"party": "etat"}), 422, field="title")
    error(fac.post(url, json={**good, "start_date": "2027-13-45"}), 422, field="start_date")
    error(fac.post(url, json={**good, "indicators": [{"name": "x", "target": "1e400"}]}), 422,
           field="indicators")
    error(fac.post(url, json={**good, "status": "done"}), 422, field="status")
    # Nothing of that created anything or promoted anything.
    assert fac.get(url).json()["items"] == []
    assert api(world.actors[0]).get(f"/posts/{need['id']}").json()["status"] == "open"
    created = fac.post(url, json=good)
    assert created.status_code == 201 and created.json()["number"] == 1


def test_concurrent_promotions_of_one_post_make_one_commitment(fac, api, contribute, world,
                                                              racing):
    """Two facilitators (or two clicks) promoting the same need at once: one commitment,
    the other request told the need is already promoted."""
    need = contribute(world.actors[0])
    url = f"/territories/{SLUG}/commitments"
    clients = [api(world.facilitator) for _ in range(6)]
    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(lambda c: c.post(url, json={
            "title": "Même besoin", "party": "etat", "source_posts": [need["id"]]}), clients))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (len(clients) - 1), [a.text for a in answers]
    assert len(fac.get(url).json()["items"]) == 1
    assert len(api(world.actors[0]).get(f"/posts/{need['id']}").json()["commitments"]) == 1


RACING = {
    "promote": lambda c, a, b: c.post(f"/territories/{SLUG}/commitments", json={
        "title": "T", "party": "etat", "source_posts": [a["id"], b["id"]]}),
    "promote_reversed": lambda c, a, b: c.post(f"/territories/{SLUG}/commitments", json={
        "title": "T", "party": "etat", "source_posts": [b["id"], a["id"]]}),
    "decline": lambda c, a, b: c.post(f"/posts/{a['id']}/decline", json={"reason": "Non"}),
    "merge": lambda c, a, b: c.post(f"/posts/{a['id']}/merge", json={"into": b["id"]}),
    "merge_reversed": lambda c, a, b: c.post(f"/posts/{b['id']}/merge", json={"into": a["id"]}),
}


@pytest.mark.parametrize("first, second", [
    ("promote", "promote_reversed"), ("promote", "decline"), ("decline", "merge"),
    ("merge", "merge_reversed"), ("promote", "merge")])
def test_racing_facilitators_one_wins_the_other_is_told(api, contribute, world, first,
                                                        second, racing):
    """Both at once: one succeeds, the other gets 409 (never both, never a 500)."""
    for _round in range(3):
        a = contribute(world.actors[0], "need", "A")
        b = contribute(world.actors[1], "need", "B")
        clients = [api(world.facilitator), api(world.facilitator)]
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda job: RACING[job[0]](job[1], job[2], job[3]),
                                    [(first, clients[0], a, b), (second, clients[1], a, b)]))
        assert sorted(r.status_code for r in answers) in ([200, 409], [201, 409]), \
            [r.text for r in answers]


def test_an_author_deleting_while_the_facilitator_promotes(api, contribute, world, racing):
    """Either the post is deleted and not promoted (404 / 409), or promoted and kept."""
    for _round in range(5):
        need = contribute(world.actors[0])
        with ThreadPoolExecutor(2) as pool:
            promoted = pool.submit(api(world.facilitator).post,
                                   f"/territories/{SLUG}/commitments", json={
                                       "title": "T", "party": "etat",
                                       "source_posts": [need["id"]]})
            deleted = pool.submit(api(world.actors[0]).delete, f"/posts/{need['id']}")
            promoted, deleted = promoted.result(), deleted.result()
        assert sorted([promoted.status_code, deleted.status_code]) in ([200, 409], [201, 409]), \
            (promoted.text, deleted.text)
        post = api(world.actors[0]).get(f"/posts/{need['id']}").json()
        assert (post["status"], post["deleted"]) in (("promoted", False), ("open", True))


def test_already_promoted_is_409_until_repromote(fac, api, contribute, world):
    need = contribute(world.actors[0])
    url = f"/territories/{SLUG}/commitments"
    assert fac.post(url, json={"title": "Un", "party": "etat",
                               "source_posts": [need["id"]]}).status_code == 201

    refusal = error(fac.post(url, json={"title": "Deux", "party": "etat",
                                         "source_posts": [need["id"]]}),
                    409, "already_promoted", "source_posts")
    assert str(need["id"]) in refusal["message"]
    error(fac.post(url, json={"title": "Deux", "party": "etat", "source_posts": [need["id"]],
                               "repromote": "true"}), 422, field="repromote")
    assert [c["number"] for c in fac.get(url).json()["items"]] == [1]

    again = fac.post(url, json={"title": "Deux", "party": "etat", "source_posts": [need["id"]],
                                "repromote": True})
    assert again.status_code == 201 and again.json()["number"] == 2
    assert [c["number"] for c in api(world.actors[0]).get(f"/posts/{need['id']}").json()[
        "commitments"]] == [1, 2]


@pytest.mark.parametrize("field", ["source_posts", "title", "party", "description", "pilot",
                                   "partners", "actions", "channel", "means", "start_date",
                                   "due_date", "indicators", "status", "repromote"])
def test_promote_odd_inputs_never_500(fac, field):
    url = f"/territories/{SLUG}/commitments"
    for value in ODD_VALUES:
        response = fac.post(url, json={"title": "T", "party": "etat", field: value})
        never_500(response)
        if response.status_code == 422:
            assert error_of(response).get("field") == field, (value, response.text)
    for value in ODD_VALUES:
        never_500(fac.post(url, json={"title": "T", "party": "etat", "indicators": [
            {"name": "x", "unit": value, "baseline": value, "target": value}]}))
        never_500(fac.post(url, json={"title": "T", "party": "etat",
                                      "means": {"staff": value, "budget": value}}))


def test_promote_raw_json_oddities_never_500(fac):
    url = f"/territories/{SLUG}/commitments"
    for template in (('{"title": "T", "party": "etat", "indicators": '
                      '[{"name": "x", "target": VALUE}]}'),
                     '{"title": "T", "party": "etat", "source_posts": [VALUE]}',
                     '{"title": "T", "party": "etat", "channel": VALUE}',
                     '{"title": VALUE, "party": "etat"}'):
        for payload in raw_json(template):
            response = post_raw(fac, url, payload)
            never_500(response)
            assert response.status_code in (400, 422), (payload[:80], response.text)


def test_promote_text_with_nul_characters_never_500(fac):
    url = f"/territories/{SLUG}/commitments"
    for data in ({"title": "A\u0000B", "party": "etat"},
                 {"title": "T", "party": "etat", "means": {"staff": "\u0000"}},
                 {"title": "T", "party": "etat", "partners": ["\u0000"]}):
        never_500(fac.post(url, json=data))


# --- merge, decline, reopen -----------------------------------------------------------------

def test_decline_then_reopen(fac, api, contribute, world):
    need = contribute(world.actors[0])
    declined = fac.post(f"/posts/{need['id']}/decline", json={"reason": "Relève du CLSPD"})
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    shown = api(world.actors[1]).get(f"/posts/{need['id']}").json()
    assert shown["decline_reason"] == "Relève du CLSPD"
    listed = api(world.observer).get(f"/territories/{SLUG}/posts?status=declined").json()
    assert [p["decline_reason"] for p in listed["items"]] == ["Relève du CLSPD"]

    error(fac.post(f"/posts/{need['id']}/decline", json={"reason": "Encore"}), 409)
    reopened = fac.post(f"/posts/{need['id']}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    assert reopened.json()["decline_reason"] is None
    error(fac.post(f"/posts/{need['id']}/reopen"), 409)


def test_decline_refusals(fac, api, contribute, world):
    need = contribute(world.actors[0])
    message = contribute(world.actors[0], "message", "Bonjour")
    url = f"/posts/{need['id']}/decline"
    error(api(world.actors[0]).post(url, json={"reason": "x"}), 403, "forbidden")
    error(api(world.observer).post(url, json={"reason": "x"}), 403, "forbidden")
    error(api(world.outsider).post(url, json={"reason": "x"}), 404)
    error(fac.post("/posts/999999/decline", json={"reason": "x"}), 404)
    error(fac.post(f"/posts/{message['id']}/decline", json={"reason": "x"}), 422)
    error(fac.post(url, data="reason=x"), 400, "invalid_json")
    error(fac.post(url, json={}), 422, field="reason")
    error(fac.post(url, json={"reason": "  "}), 422, field="reason")
    error(fac.post(url, json={"reason": ["x"]}), 422, field="reason")
    error(fac.post(url, json={"reason": "x", "notify": True}), 422, field="notify")
    for value in ODD_VALUES:
        never_500(fac.post(url, json={"reason": value}))
        never_500(fac.post(url, json=value))
        fac.post(f"/posts/{need['id']}/reopen")


def test_merge(fac, api, contribute, world):
    kept = contribute(world.actors[0], "need", "Vidéoprotection du parking")
    duplicate = contribute(world.actors[1], "need", "Caméras au parking")
    for person in (world.facilitator, world.actors[1]):
        assert api(person).post(f"/posts/{kept['id']}/support").status_code == 200
    for person in (world.facilitator, world.actors[0]):
        assert api(person).post(f"/posts/{duplicate['id']}/support").status_code == 200

    merged = fac.post(f"/posts/{duplicate['id']}/merge", json={"into": kept["id"]})
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged" and merged.json()["merged_into"] == kept["id"]
    # facilitator counted once; actors[0] wrote the kept post: not a supporter of it.
    assert api(world.observer).get(f"/posts/{kept['id']}").json()["supports"] == 2


def test_merge_refusals(fac, api, contribute, world):
    a = contribute(world.actors[0], "need", "A")
    b = contribute(world.actors[1], "need", "B")
    message = contribute(world.actors[1], "message", "Bonjour")
    url = f"/posts/{a['id']}/merge"
    error(api(world.actors[0]).post(url, json={"into": b["id"]}), 403)
    error(api(world.observer).post(url, json={"into": b["id"]}), 403)
    error(api(world.outsider).post(url, json={"into": b["id"]}), 404)
    error(fac.post("/posts/999999/merge", json={"into": b["id"]}), 404)
    error(fac.post(url, json={"into": 999_999}), 404)
    error(fac.post(url, json={"into": a["id"]}), 422, field="into")
    error(fac.post(url, json={"into": message["id"]}), 422, field="into")
    error(fac.post(url, json={}), 422, field="into")
    error(fac.post(url, json={"into": str(b["id"])}), 422, field="into")
    error(fac.post(url, json={"into": True}), 422, field="into")
    error(fac.post(url, json={"into": b["id"], "keep": "both"}), 422, field="keep")
    error(fac.post(url, data="into=2"), 400, "invalid_json")
    for value in ODD_VALUES:
        response = fac.post(url, json={"into": value})
        never_500(response)
        assert response.status_code in (404, 422), (value, response.text)
    fac.post(f"/posts/{b['id']}/decline", json={"reason": "Non"})
    error(fac.post(url, json={"into": b["id"]}), 409, field="into")
    error(fac.post(f"/posts/{b['id']}/merge", json={"into": a["id"]}), 409)
    assert api(world.actors[0]).get(f"/posts/{a['id']}").json()["status"] == "open"


def test_reopen_refusals(fac, api, contribute, world):
    need = contribute(world.actors[0])
    fac.post(f"/posts/{need['id']}/decline", json={"reason": "Non"})
    url = f"/posts/{need['id']}/reopen"
    error(api(world.actors[0]).post(url), 403)
    error(api(world.observer).post(url), 403)
    error(api(world.outsider).post(url), 404)
    error(fac.post("/posts/999999/reopen"), 404)
    error(fac.get(url), 405)
    message = contribute(world.actors[0], "message", "Bonjour")
    error(fac.post(f"/posts/{message['id']}/reopen"), 422)


def test_a_promoted_post_cannot_be_deleted_by_its_author(fac, api, contribute, world):
    need = contribute(world.actors[0])
    fac.post(f"/territories/{SLUG}/commitments",
             json={"title": "T", "party": "etat", "source_posts": [need["id"]]})
    error(api(world.actors[0]).delete(f"/posts/{need['id']}"), 409, "conflict")
    assert api(world.actors[0]).get(f"/posts/{need['id']}").json()["deleted"] is False


@pytest.mark.parametrize("path", ["/posts/{big}/decline", "/posts/{big}/merge",
                                  "/posts/{big}/reopen", "/commitments/{big}",
                                  "/commitments/{big}/revisions",
                                  "/commitments/1/indicators/{big}/measurements",
                                  "/commitments/{big}/indicators/1/measurements"])
def test_huge_ids_in_urls_are_404(fac, commitment, path):
    body = {"decline": {"reason": "x"}, "merge": {"into": 1}, "reopen": {},
            "measurements": {"date": "2027-01-01", "value": 1}}.get(path.rsplit("/", 1)[1],
                                                                     {"title": "x"})
    for big in (2 ** 63, 10 ** 30):
        for method in ("get", "post", "patch"):
            response = getattr(fac, method)(path.format(big=big), json=body)
            never_500(response)
            assert response.status_code in (404, 405), response.text


# --- commitments ------------------------------------------------------------------------------

def test_get_and_list_commitments(api, commitment, world):
    for person in (world.facilitator, world.actors[0], world.observer):
        one = api(person).get(f"/commitments/{commitment['id']}")
        assert one.status_code == 200 and one.json()["title"] == FULL["title"]
        assert api(person).get(f"/territories/{SLUG}/commitments").json()["items"][0]["id"] \
            == commitment["id"]
    error(api(world.outsider).get(f"/commitments/{commitment['id']}"), 404)
    error(api(world.outsider).get(f"/territories/{SLUG}/commitments"), 404)
    error(api().get(f"/commitments/{commitment['id']}"), 401)
    error(api(world.actors[0]).get("/commitments/999999"), 404)


def test_list_filters(fac, api, world, channel):
    url = f"/territories/{SLUG}/commitments"
    a = fac.post(url, json={"title": "A", "party": "etat", "pilot": "DDSP 13"}).json()
    b = fac.post(url, json={"title": "B", "party": "collectivite", "pilot": "Ville",
                            "channel": channel}).json()
    fac.patch(f"/commitments/{b['id']}", json={"status": "validated"})
    client = api(world.actors[1])

    def titles(**params):
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        return [c["title"] for c in response.json()["items"]]

    assert titles() == ["A", "B"]
    assert titles(status="validated") == ["B"] and titles(status="draft") == ["A"]
    assert titles(party="etat") == ["A"] and titles(party="partenaire") == []
    assert titles(pilot="Ville") == ["B"]
    assert titles(channel=channel) == ["B"]
    assert titles(status="validated", party="etat") == []
    for params, field in [({"status": "finished"}, "status"), ({"party": "État"}, "party"),
                          ({"channel": "habitat"}, "channel"), ({"channel": "1.5"}, "channel"),
                          ({"channel": str(10 ** 30)}, "channel"),
                          ({"pilot": "x" * 500}, "pilot")]:
        error(client.get(url, params=params), 422, field=field)
    assert a["number"] == 1


def test_patch_records_revisions(fac, api, commitment, world):
    url = f"/commitments/{commitment['id']}"
    edited = fac.patch(url, json={"title": "Médiation renforcée", "pilot": FULL["pilot"],
                                  "partners": ["Ville de Marseille"]})
    assert edited.status_code == 200 and edited.json()["title"] == "Médiation renforcée"
    assert fac.patch(url, json={"title": "Médiation renforcée"}).status_code == 200  # no-op
    assert fac.patch(url, json={}).status_code == 200

    history = api(world.observer).get(url + "/revisions")
    assert history.status_code == 200
    [revision] = history.json()["items"]
    assert revision["author"] == {"id": world.facilitator.id, "name": world.facilitator.name}
    assert revision["changes"] == {
        "title": {"before": FULL["title"], "after": "Médiation renforcée"},
        "partners": {"before": FULL["partners"], "after": ["Ville de Marseille"]}}
    error(api(world.outsider).get(url + "/revisions"), 404)
    error(fac.get("/commitments/999999/revisions"), 404)


def test_patch_refusals(fac, api, commitment, world):
    url = f"/commitments/{commitment['id']}"
    error(api(world.actors[0]).patch(url, json={"title": "x"}), 403)
    error(api(world.observer).patch(url, json={"title": "x"}), 403)
    error(api(world.outsider).patch(url, json={"title": "x"}), 404)
    error(fac.patch("/commitments/999999", json={"title": "x"}), 404)
    error(fac.patch(url, data="title=x"), 400, "invalid_json")
    error(fac.patch(url, json={"number": 5}), 422, field="number")
    error(fac.patch(url, json={"source_posts": [1]}), 422, field="source_posts")
    error(fac.patch(url, json={"title": ""}), 422, field="title")
    error(fac.patch(url, json={"due_date": "2027-13-45"}), 422, field="due_date")
    error(fac.patch(url, json={"due_date": "2026-01-01"}), 422, field="due_date")
    error(fac.patch(url, json={"means": {"staff": 4}}), 422, field="means")
    error(fac.patch(url, json={"status": "done"}), 409, field="status")
    error(fac.patch(url, json={"status": "abandoned"}), 422, field="abandon_reason")
    error(fac.patch(url, json={"status": "fini"}), 422, field="status")
    assert api(world.observer).get(url + "/revisions").json()["items"] == []


@pytest.mark.parametrize("field", ["title", "description", "party", "pilot", "partners",
                                   "actions", "channel", "means", "start_date", "due_date",
                                   "indicators", "status", "abandon_reason"])
def test_patch_odd_inputs_never_500(fac, commitment, field):
    url = f"/commitments/{commitment['id']}"
    for value in ODD_VALUES:
        response = fac.patch(url, json={field: value})
        never_500(response)
        if response.status_code == 422:
            assert error_of(response).get("field") in (field, "abandon_reason", "due_date")
    for payload in raw_json(f'{{"{field}": VALUE}}'):
        never_500(post_raw(fac, url, payload, "patch"))


def test_status_lifecycle(fac, commitment):
    url = f"/commitments/{commitment['id']}"
    for status in ("validated", "in_progress", "done"):
        response = fac.patch(url, json={"status": status})
        assert response.status_code == 200 and response.json()["status"] == status
    error(fac.patch(url, json={"status": "draft"}), 409)
    assert fac.patch(url, json={"status": "in_progress"}).status_code == 200
    abandoned = fac.patch(url, json={"status": "abandoned", "abandon_reason": "Plus de budget"})
    assert abandoned.status_code == 200
    assert abandoned.json()["abandon_reason"] == "Plus de budget"


def test_measurements(fac, api, commitment, world):
    indicator = commitment["indicators"][0]["id"]
    url = f"/commitments/{commitment['id']}/indicators/{indicator}/measurements"
    response = fac.post(url, json={"date": "2027-06-30", "value": "20", "comment": "S1"})
    assert response.status_code == 201, response.text
    [data] = response.json()["indicators"]
    assert data["latest"] == 20 and data["progress"] == 0.5  # 30 → 10, now 20
    assert data["measurements"][0] | {"id": 0} == {"id": 0, "date": "2027-06-30",
                                                    "value": 20, "comment": "S1"}
    error(api(world.actors[0]).post(url, json={"date": "2027-06-30", "value": 1}), 403)
    error(api(world.observer).post(url, json={"date": "2027-06-30", "value": 1}), 403)
    error(api(world.outsider).post(url, json={"date": "2027-06-30", "value": 1}), 404)
    error(fac.post(f"/commitments/{commitment['id']}/indicators/999999/measurements",
                    json={"date": "2027-06-30", "value": 1}), 404)
    error(fac.post(url, data="value=1"), 400, "invalid_json")
    error(fac.post(url, json={"value": 1}), 422, field="date")
    error(fac.post(url, json={"date": "2027-13-45", "value": 1}), 422, field="date")
    error(fac.post(url, json={"date": "2027-06-30"}), 422, field="value")
    error(fac.post(url, json={"date": "2027-06-30", "value": "1e400"}), 422, field="value")
    error(fac.post(url, json={"date": "2027-06-30", "value": "NaN"}), 422, field="value")
    error(fac.post(url, json={"date": "2027-06-30", "value": 1, "unit": "%"}), 422,
           field="unit")
    for key in ("date", "value", "comment"):
        for value in ODD_VALUES:
            never_500(fac.post(url, json={"date": "2027-06-30", "value": 1, key: value}))
    for payload in raw_json('{"date": "2027-06-30", "value": VALUE}'):
        response = post_raw(fac, url, payload)
        never_500(response)
        assert response.status_code in (400, 422), (payload[:80], response.text)


# --- audit --------------------------------------------------------------------------------------

def test_audit_log(fac, api, contribute, world, commitment):
    need = contribute(world.actors[0])
    fac.post(f"/posts/{need['id']}/decline", json={"reason": "Non"})
    fac.post(f"/posts/{need['id']}/reopen")
    fac.patch(f"/commitments/{commitment['id']}", json={"title": "Autre titre"})
    url = f"/territories/{SLUG}/audit"

    everything = fac.get(url)
    assert everything.status_code == 200
    items = everything.json()["items"]
    ids = [e["id"] for e in items]
    assert ids == sorted(ids, reverse=True)  # newest first
    actions = [e["action"] for e in items]
    for action in ("commitment.create", "post.promote", "post.decline", "post.reopen",
                   "commitment.update"):
        assert action in actions
    assert actions.index("commitment.update") < actions.index("post.reopen") \
        < actions.index("post.decline")

    declines = fac.get(url, params={"action": "post.decline"}).json()["items"]
    assert [(e["object_id"], e["after"]["reason"]) for e in declines] == [(need["id"], "Non")]
    assert declines[0]["actor"] == {"id": world.facilitator.id, "name": world.facilitator.name}
    posts_only = fac.get(url, params={"object_type": "post"}).json()["items"]
    assert {e["object_type"] for e in posts_only} == {"post"}
    mine = fac.get(url, params={"actor": world.facilitator.id}).json()["items"]
    assert mine and {e["actor"]["id"] for e in mine} == {world.facilitator.id}
    theirs = fac.get(url, params={"actor": world.actors[0].id}).json()["items"]
    assert [e["action"] for e in theirs] == ["membership.create"]  # accepting the invitation

    page = fac.get(url, params={"limit": 2}).json()
    assert [e["id"] for e in page["items"]] == ids[:2] and page["next_before_id"] == ids[1]
    rest = fac.get(url, params={"before_id": page["next_before_id"], "limit": 500}).json()
    assert [e["id"] for e in rest["items"]] == ids[2:]
    end = fac.get(url, params={"before_id": ids[-1]}).json()
    assert end == {"items": [], "next_before_id": None}


def test_audit_log_refusals(fac, api, world):
    url = f"/territories/{SLUG}/audit"
    error(api(world.actors[0]).get(url), 403, "forbidden")
    error(api(world.observer).get(url), 403, "forbidden")
    error(api(world.outsider).get(url), 404)
    error(api().get(url), 401)
    for params, field in [({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
                          ({"limit": "ten"}, "limit"), ({"before_id": "x"}, "before_id"),
                          ({"actor": "anim@example.org"}, "actor"),
                          ({"before_id": str(10 ** 30)}, "before_id"),
                          ({"actor": str(-(10 ** 30))}, "actor")]:
        error(fac.get(url, params=params), 422, field=field)
    for value in ("", "%", "' OR 1=1 --", "x" * 1000, "\u0000"):
        for key in ("action", "object_type"):
            response = fac.get(url, params={key: value})
            assert response.status_code == 200, response.text


def test_audit_hides_details_of_posts_in_hidden_channels(api, fac, contribute, world):
    state = fac.post(f"/territories/{SLUG}/channels", json={
        "name": "État seulement", "restricted_to": ["prefecture", "police_nationale"]}).json()
    secret = contribute(world.actors[0], "need", "Point de deal", channel=state["id"])
    fac.post(f"/posts/{secret['id']}/decline", json={"reason": "Traité en GLTD"})
    shown = fac.get(f"/territories/{SLUG}/audit", params={"action": "post.decline"}).json()
    assert shown["items"][0]["after"]["reason"] == "Traité en GLTD"
    # The channel is restricted further: the préfecture no longer sees its posts' details.
    assert fac.patch(f"/territories/{SLUG}/channels/{state['id']}",
                     json={"restricted_to": ["police_nationale"]}).status_code == 200
    hidden = fac.get(f"/territories/{SLUG}/audit", params={"action": "post.decline"}).json()
    assert hidden["items"][0]["hidden"] is True
    assert hidden["items"][0]["before"] is None and hidden["items"][0]["after"] is None
    assert "GLTD" not in json.dumps(hidden)


def test_commitment_sources_of_a_restricted_channel(fac, api, contribute, world):
    state = fac.post(f"/territories/{SLUG}/channels", json={
        "name": "État seulement", "restricted_to": ["prefecture", "police_nationale"]}).json()
    secret = contribute(world.actors[0], "need", "Point de deal rue X", channel=state["id"])
    public = contribute(world.actors[1], "need", "Éclairage rue X")
    created = fac.post(f"/territories/{SLUG}/commitments", json={
        "title": "Rue X", "party": "etat", "channel": None,
        "source_posts": [secret["id"], public["id"]]}).json()

    police = api(world.actors[0]).get(f"/commitments/{created['id']}").json()
    assert police["source_posts"] == [secret["id"], public["id"]]
    for person in (world.actors[1], world.observer):
        seen = api(person).get(f"/commitments/{created['id']}").json()
        assert seen["source_posts"] == [public["id"]] and seen["hidden_sources"] == 1
        assert "deal" not in json.dumps(seen)
        listed = api(person).get(f"/territories/{SLUG}/commitments").json()
        assert "deal" not in json.dumps(listed)
