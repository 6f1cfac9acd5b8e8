"""The search page and the header's search box, on SQLite and PostgreSQL: grouped results,
highlighted excerpts, filters and pages as plain links and forms (no JavaScript needed),
and nothing of a channel hidden from the reader."""
from __future__ import annotations

from concert.schemas.contract import SectionInput
from concert.schemas.workspace import ChannelInput
from concert.services import channels, contract
from tests.services.test_facilitation import SLUG, as_, contribute, promote
from tests.web.test_consolidation import signed_in


def test_the_search_page_groups_highlights_filters_and_pages(world, client):
    secret = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"])).id
    source = contribute(world.actors[0], "need", "Patrouilles à <b>la</b> gare")
    contribute(world.actors[0], "need", "Patrouilles autour du squat", channel=secret)
    commitment = promote(world, source, title="Patrouilles communes")
    contract.set_section(as_(world.facilitator), "governance", SectionInput(body="Patrouilles"))
    for n in range(21):
        contribute(world.actors[1], "message", f"Patrouille numéro {n}")
    reader = signed_in(client, world.actors[1])  # bailleur: does not see the state channel

    home = reader.get(f"/t/{SLUG}/contributions")
    assert 'role="search"' in home.text and f'action="/t/{SLUG}/search"' in home.text

    page = reader.get(f"/t/{SLUG}/search?q=patrouilles")
    assert page.status_code == 200
    assert "24 résultats" in page.text and "squat" not in page.text
    assert page.text.index("Messages et contributions") < page.text.index('id="group-commitment"')
    assert f"/t/{SLUG}/commitments/{commitment.id}" in page.text
    promoted = reader.get(f"/t/{SLUG}/search?q=patrouilles&status=promoted")
    assert "<mark>Patrouilles</mark> à &lt;b&gt;la&lt;/b&gt; gare" in promoted.text
    assert 'rel="next"' in page.text and "offset=20" in page.text

    second = reader.get(f"/t/{SLUG}/search?q=patrouilles&offset=20")
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text

    only = reader.get(f"/t/{SLUG}/search?q=patrouilles&kind=commitment")
    assert "1 résultat" in only.text and 'id="group-post"' not in only.text
    assert reader.get(f"/t/{SLUG}/search?q=squat").text.count("0 résultat") == 1


def test_bad_filters_are_explained_and_strangers_get_404(world, client):
    reader = signed_in(client, world.observer)
    refused = reader.get(f"/t/{SLUG}/search?q=a&since=hier")
    assert refused.status_code == 200 and "AAAA-MM-JJ" in refused.text
    assert reader.get(f"/t/{SLUG}/search").status_code == 200
    assert signed_in(client, world.outsider).get(f"/t/{SLUG}/search?q=a").status_code == 404
