"""The search page in Chromium: the header's box leads to it, and a matching post that
arrives while it is open is shown (and counted) without a reload."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_workspace import channel_ids


def test_a_matching_post_arriving_is_shown_live(server, world, new_context, sign_in, api):
    channel = channel_ids(world)[0]
    author = api(world.actors[1])
    answer = author.post("/territories/metropole/posts", json={
        "channel": channel, "kind": "need", "body": "Des patrouilles au marché"})
    assert answer.status_code == 201, answer.text
    page = sign_in(new_context().new_page(), world.actor)
    page.goto(server.url + "/t/metropole/contributions")
    page.get_by_role("search").get_by_label("Rechercher dans le territoire").fill("patrouille")
    page.get_by_role("search").get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recherche")
    results = page.locator("[data-search-results]")
    expect(results).to_have_attribute("data-link-state", "online")
    expect(page.locator("#search-count")).to_have_text("1 résultat")

    for body in ("Un tout autre sujet", "Patrouilles renforcées à la gare Saint-Charles"):
        answer = author.post("/territories/metropole/posts", json={
            "channel": channel, "kind": "proposal", "body": body})
        assert answer.status_code == 201, answer.text
    live = page.locator("[data-live-list] li")
    expect(live).to_have_count(1)
    expect(live.locator("mark")).to_have_text("Patrouilles")
    expect(page.locator("#search-count")).to_have_text("2 résultats")
    expect(page.get_by_text("Un tout autre sujet")).to_have_count(0)
