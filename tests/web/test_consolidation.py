"""The consolidation page, on SQLite and PostgreSQL: paged, filtered, each contribution with
its likely duplicates, and nothing of a channel hidden from the facilitator."""
from __future__ import annotations

from concert.db import db
from concert.models import Post
from concert.services import channels, facilitation, posts
from tests.conftest import PASSWORD, _csrf_from, join
from tests.services.test_facilitation import SLUG, as_, contribute
from concert.schemas.workspace import ChannelInput


def signed_in(client, person):
    """A new browser of the app, signed in as `person`."""
    client = client.application.test_client()
    token = _csrf_from(client.get("/login").text)
    answer = client.post("/login", data={"csrf_token": token, "email": person.email,
                                         "password": PASSWORD})
    assert answer.status_code == 302
    return client


def test_the_consolidation_page_pages_filters_and_shows_each_one_s_duplicates(world, client,
                                                                              monkeypatch):
    monkeypatch.setattr(facilitation, "CONSOLIDATION_PAGE", 2)
    made = [contribute(world.actors[n % 2], "need", f"Éclairage du parc {name}")
            for n, name in enumerate(("Borély", "Longchamp", "Pastré"))]
    fac = signed_in(client, world.facilitator)
    first = fac.get(f"/t/{SLUG}/consolidation")
    assert first.status_code == 200
    assert f'id="contribution-{made[2].id}"' in first.text
    assert f'id="contribution-{made[0].id}"' not in first.text
    assert "Doublons probables" in first.text and f"#{made[0].id}</a>" in first.text
    following = posts.page_key(db.session.get(Post, made[1].id), "supports")
    assert f"after={following}" in first.text.replace("&amp;", "&")
    second = fac.get(f"/t/{SLUG}/consolidation?after={following}")
    assert f'id="contribution-{made[0].id}"' in second.text
    assert "Première page" in second.text and 'rel="next"' not in second.text
    filtered = fac.get(f"/t/{SLUG}/consolidation?text=longchamp")
    assert f'id="contribution-{made[1].id}"' in filtered.text
    assert f'id="contribution-{made[2].id}"' not in filtered.text
    refused = fac.get(f"/t/{SLUG}/consolidation?organisation_kind=pirates")
    assert refused.status_code == 200 and f'id="contribution-{made[2].id}"' in refused.text
    assert signed_in(client, world.actors[0]).get(f"/t/{SLUG}/consolidation").status_code == 403


def test_no_suggestion_shows_a_post_of_a_channel_hidden_from_the_facilitator(world, client):
    police_only = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="Renseignement", restricted_to=["police_nationale"]))
    public = contribute(world.actors[0], "need", "Trafic de stupéfiants au pied des tours")
    hidden = contribute(world.actors[0], "need",
                        "Trafic de stupéfiants au pied des tours : filature confidentielle",
                        channel=police_only.id)
    page = signed_in(client, world.facilitator).get(f"/t/{SLUG}/consolidation")
    assert page.status_code == 200 and f'id="contribution-{public.id}"' in page.text
    assert "confidentielle" not in page.text
    assert f"<strong>#{hidden.id}</strong>" not in page.text
    assert f"post={hidden.id}" not in page.text
    police_facilitator = join(SLUG, "commissaire@example.org", "Claire Commissaire",
                              "facilitator", "DDSP 13", "police_nationale")
    page = signed_in(client, police_facilitator).get(f"/t/{SLUG}/consolidation")
    assert "confidentielle" in page.text and f"<strong>#{hidden.id}</strong>" in page.text
    assert f"post={hidden.id}" in page.text


def test_the_contributions_page_goes_on_page_after_page(world, client, monkeypatch):
    monkeypatch.setattr("concert.web.routes.CONTRIBUTIONS_PAGE", 2)
    made = [contribute(world.actors[0], "proposal", f"Proposition {n}") for n in range(3)]
    page = signed_in(client, world.actors[1])
    first = page.get(f"/t/{SLUG}/contributions?order=recent").text.replace("&amp;", "&")
    assert f"after={made[1].seq}" in first and 'rel="next"' in first
    second = page.get(f"/t/{SLUG}/contributions?order=recent&after={made[1].seq}").text
    assert "Proposition 0" in second and "Proposition 2" not in second
    assert 'rel="next"' not in second and "Première page" in second
    assert page.get(f"/t/{SLUG}/contributions?after=abc").status_code == 422
