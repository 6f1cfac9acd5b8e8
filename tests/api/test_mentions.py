"""GET /api/v1/territories/<slug>/mentions: the composer's completions of `@`, through a
real server process, on both databases (answers checked against their models)."""
from __future__ import annotations

import pytest

from tests.api.conftest import error

MENTIONS = "/territories/metropole/mentions"


def test_members_get_people_and_organisations_matching_a_word(api, world):
    paul = api(world.actor)
    found = paul.get(MENTIONS, params={"q": "beat"})
    assert found.status_code == 200
    assert found.json() == {"items": [{"type": "person", "id": world.actors[1].id,
                                       "name": "Béatrice Bailleur",
                                       "organisation": "Habitat 13"}]}
    organisations = paul.get(MENTIONS, params={"q": "bouches"}).json()["items"]
    assert organisations == [{"type": "organisation", "id": None,
                              "name": "Préfecture des Bouches-du-Rhône",
                              "organisation": "Préfecture des Bouches-du-Rhône"}]
    # Observers may read, so they may be mentioned and see who is there.
    assert len(api(world.observer).get(MENTIONS, params={"limit": 2}).json()["items"]) == 2
    # Nobody of another territory.
    assert paul.get(MENTIONS, params={"q": "olga"}).json() == {"items": []}


def test_a_mention_posted_renders_as_a_link(contribute, world):
    post = contribute(world.actor, "message", "Merci @Béatrice Bailleur !")
    assert (f'<a class="mention" data-person="{world.actors[1].id}" '
            f'href="/t/metropole/#person-{world.actors[1].id}"') in post["html"]


@pytest.mark.parametrize("params, field", [
    ({"limit": 0}, "limit"), ({"limit": 50}, "limit"), ({"limit": "beaucoup"}, "limit"),
    ({"q": "x" * 101}, "q"),
])
def test_bad_queries_are_422(api, world, params, field):
    error(api(world.actor).get(MENTIONS, params=params), 422, field=field)


def test_strangers_get_nothing(api, world):
    assert "Béatrice" not in api(world.outsider).get(MENTIONS, params={"q": "b"}).text
    error(api(world.outsider).get(MENTIONS, params={"q": "b"}), 404)
    error(api(world.admin).get(MENTIONS), 404)  # a platform admin is not a member
    error(api(world.actor).get("/territories/absent/mentions"), 404)
    error(api().get(MENTIONS), 401)


def test_the_preview_links_the_mentions_of_my_territory_only(api, world):
    body = {"body": "Merci @Béatrice Bailleur", "territory": "metropole"}
    html = api(world.actor).post("/preview", json=body).json()["html"]
    assert f'data-person="{world.actors[1].id}"' in html
    plain = api(world.actor).post("/preview", json={"body": body["body"]}).json()["html"]
    assert plain == "<p>Merci @Béatrice Bailleur</p>"
    error(api(world.outsider).post("/preview", json=body), 404)
    error(api(world.actor).post("/preview", json={**body, "territory": 3}), 422,
          field="territory")
