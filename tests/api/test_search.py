"""GET /territories/<slug>/search through a real server process, on both databases: the
SPEC's answer, only what the reader may see, and 4xx for bad input."""
from __future__ import annotations

from concert.schemas.workspace import ChannelInput
from concert.services import channels
from tests.api.conftest import error, never_500
from tests.conftest import SLUG, as_

SEARCH = f"/territories/{SLUG}/search"


def test_results_as_the_spec_says_and_nothing_hidden(api, world, contribute):
    secret = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"])).id
    from concert.db import db
    db.session.commit()
    public = contribute(world.actors[0], "need", "Patrouilles renforcées au marché")
    contribute(world.actors[0], "need", "Patrouilles près du squat", channel=secret)
    answer = api(world.actors[1]).get(SEARCH, params={"q": "patrouille", "kind": "post"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 1
    [item] = body["items"]
    assert {k: item[k] for k in ("type", "id")} == {"type": "post", "id": public["id"]}
    assert "<mark>Patrouilles</mark>" in item["excerpt"] and item["url"].startswith(f"/t/{SLUG}")
    assert api(world.actors[0]).get(SEARCH, params={"q": "patrouilles"}).json()["total"] == 2
    error(api(world.actors[1]).get(SEARCH, params={"q": "squat", "channel": secret}), 404,
          field="channel")


def test_non_members_and_anonymous_get_nothing(api, world, contribute):
    contribute(world.actors[0], "need", "Patrouilles au marché")
    error(api(world.outsider).get(SEARCH, params={"q": "patrouilles"}), 404)
    error(api().get(SEARCH, params={"q": "patrouilles"}), 401)
    assert api(world.outsider).get("/territories/autre/search",
                                   params={"q": "patrouilles"}).json()["total"] == 0


BAD = [
    ({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": "500"}, "limit"),
    ({"q": "a", "limit": "abc"}, "limit"), ({"q": "a", "offset": "-3"}, "offset"),
    ({"q": "a", "kind": "poll"}, "kind"), ({"q": "a", "channel": "x"}, "channel"),
    ({"q": "a", "until": "31/12/2026"}, "until"), ({"q": "a", "order": "random"}, "order"),
]
ODD = ['"', "*", '"""', "a* b**", "NEAR(a b)", "'; DROP TABLE", "-x", "a OR b", "^x",
       "é" * 200, "\u200b", ":*", "a:*&!b", "le la les*"]


def test_bad_input_is_a_422_naming_its_field_and_any_query_text_is_answered(
        api, world, contribute):
    client = api(world.observer)
    for params, field in BAD:
        error(client.get(SEARCH, params=params), 422, field=field)
    contribute(world.actors[0], "need", "Patrouilles au marché")
    for q in ODD:
        never_500(client.get(SEARCH, params={"q": q}))
