"""Search, on SQLite and PostgreSQL: French-aware matching, every kind indexed by the service
that writes it, the index following edits and deletions, and the audience rule — a channel
hidden from the reader is never returned, counted nor highlighted."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import SearchEntry
from concert.schemas.contract import SectionInput
from concert.schemas.facilitation import CommitmentInput, DeclineInput
from concert.schemas.search import SearchQuery
from concert.schemas.workspace import BodyInput, ConsolidationQuery
from concert.services import (
    channels, contract, facilitation, files, posts, search, workshops,
)
from concert.services.errors import Invalid, NotFound
from tests.conftest import SLUG, as_, document
from tests.services.conftest import contribute
from tests.services.test_facilitation import promote, state_channel  # noqa: F401 (fixture)
from tests.services.test_workshops import planning


@pytest.fixture(autouse=True)
def french(french):
    yield


def find(person, q: str, slug: str = SLUG, **filters) -> search.Results:
    return search.search(as_(person, slug), SearchQuery(q=q, **filters))


def ids(person, q: str, **filters) -> set[tuple[str, int]]:
    return {(item.type, item.id) for item in find(person, q, **filters).items}


def test_accents_case_and_plurals_are_folded(world):
    post = contribute(world.actors[0], "need",
                      "Des PATROUILLES renforcées près de l'école Jules-Ferry")
    other = contribute(world.actors[1], "message", "Éclairage du parking")
    reader = world.observer
    for q in ("patrouille", "Patrouilles", "renforcee", "ÉCOLE", "ecoles"):
        assert ids(reader, q) == {("post", post.id)}, q
    assert ids(reader, "eclairages parkings") == {("post", other.id)}
    assert ids(reader, "patrouille parking") == set()  # every term must match


def test_phrases_and_prefixes(world):
    near = contribute(world.actors[0], "proposal",
                      "Vidéoprotection aux abords de la gare Saint-Charles")
    apart = contribute(world.actors[1], "proposal",
                       "La gare, ses abords et Saint-Charles plus tard")
    reader = world.observer
    assert ids(reader, '"gare Saint-Charles"') == {("post", near.id)}
    assert ids(reader, "gare saint charles") == {("post", near.id), ("post", apart.id)}
    assert ids(reader, "vidéoprot*") == {("post", near.id)}
    assert ids(reader, "vidéoprot") == set()
    assert find(reader, '"" ').total == 0


def test_excerpts_highlight_the_words_found_and_escape_the_text(world):
    contribute(world.actors[0], "need",
               "<script>alert(1)</script> Les patrouilles de nuit & le marché")
    [item] = find(world.observer, "patrouille").items
    assert "<mark>patrouilles</mark>" in item.excerpt
    assert "<script>" not in item.excerpt and "&lt;script&gt;" in item.excerpt
    assert "&amp;" in item.excerpt
    assert item.title == "Besoin — DDSP 13" and f"post={item.id}" in item.url


def test_the_index_follows_edits_deletions_and_statuses(world):
    author = as_(world.actors[0])
    post = contribute(world.actors[0], "need", "Médiation dans les transports scolaires")
    posts.edit_post(author, post.id, BodyInput(body="Caméras au marché du Prado"))
    assert ids(world.observer, "médiation") == set()
    assert ids(world.observer, "marché prado") == {("post", post.id)}
    facilitation.decline(as_(world.facilitator), post.id, DeclineInput(reason="Déjà prévu"))
    assert ids(world.observer, "prado", status="declined") == {("post", post.id)}
    assert ids(world.observer, "prado", status="open") == set()
    facilitation.reopen(as_(world.facilitator), post.id)
    posts.delete_post(author, post.id)
    assert ids(world.observer, "prado") == set()


def test_every_kind_is_found(world):
    fac = as_(world.facilitator)
    reply_to = contribute(world.actors[0], "message", "Question sur la vidéoprotection")
    reply, _created = posts.create_post(as_(world.actors[1]), posts.PostInput(
        channel=reply_to.channel_id, kind="message", body="Réponse : les halls d'immeubles",
        reply_to=reply_to.id))
    source = contribute(world.actors[0], "need", "Sécuriser les halls")
    commitment = promote(world, source, title="Tranquillité résidentielle",
                         actions=["Rondes dans les halls"])
    general = channels.list_channels(fac)[0].id
    workshop = workshops.create(fac, planning(general, title="Atelier bailleurs",
                                              place="Maison des halls"))
    contract.set_section(fac, "governance", SectionInput(body="Un comité des halls se réunit."))
    found = ids(world.observer, "halls")
    assert found == {("post", reply.id), ("post", source.id), ("commitment", commitment.id),
                     ("workshop", workshop.id), ("section", found_section(found))}
    assert ids(world.observer, "halls", kind="commitment") == {("commitment", commitment.id)}
    assert ids(world.observer, "gouvernance") == {("section", found_section(found))}
    [reply_item] = [i for i in find(world.observer, "halls", kind="post").items if i.id == reply.id]
    assert reply_item.title.startswith("Réponse")
    commitments_before = ids(world.observer, "rondes")
    facilitation.commitments.update(fac, commitment.id, CommitmentInput(pilot="Habitat 13"))
    assert ids(world.observer, "halls", organisation="Habitat 13") == {
        ("post", reply.id), ("commitment", commitment.id)}
    assert commitments_before == {("commitment", commitment.id)}
    workshops.cancel(fac, workshop.id)
    assert ids(world.observer, "halls", status="cancelled") == {("workshop", workshop.id)}


def found_section(found: set[tuple[str, int]]) -> int:
    return next(object_id for kind, object_id in found if kind == "section")


def test_a_restricted_channel_is_never_returned_counted_nor_highlighted(world, state_channel):
    secret = contribute(world.actors[0], "need", "Patrouilles autour du squat rue Longue",
                        channel=state_channel)
    public = contribute(world.actors[0], "need", "Patrouilles au marché")
    bailleur = world.actors[1]  # bailleur_social: does not see the state channel
    results = find(bailleur, "patrouilles")
    assert [i.id for i in results.items] == [public.id] and results.total == 1
    assert "squat" not in repr(results)
    assert find(bailleur, "squat").total == 0
    assert search.totals_by_kind(as_(bailleur), SearchQuery(q="patrouilles")) == {"post": 1}
    with pytest.raises(NotFound):
        find(bailleur, "patrouilles", channel=state_channel)
    assert ids(world.actors[0], "patrouilles") == {("post", secret.id), ("post", public.id)}
    assert ids(world.actors[0], "squat", channel=state_channel) == {("post", secret.id)}


def test_a_member_of_another_territory_gets_nothing(world):
    contribute(world.actors[0], "need", "Patrouilles au marché")
    assert find(world.outsider, "patrouilles", slug="autre").total == 0
    with pytest.raises(NotFound):
        find(world.outsider, "patrouilles")


def test_filters_paging_and_order(world):
    made = [contribute(world.actors[i % 2], "need", f"Éclairage numéro {i}") for i in range(5)]
    page = find(world.observer, "eclairage", limit=2, offset=2, order="recent")
    assert page.total == 5 and [i.id for i in page.items] == [made[2].id, made[1].id]
    assert ids(world.observer, "eclairage", organisation="Habitat 13") == {
        ("post", p.id) for p in made[1::2]}
    today = made[0].created_at.date()
    assert find(world.observer, "eclairage", since=today, until=today).total == 5
    assert find(world.observer, "eclairage", until=today.replace(year=today.year - 1)).total == 0


@pytest.mark.parametrize("data, field", [
    ({}, "q"), ({"q": "  "}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a", "limit": "101"}, "limit"),
    ({"q": "a", "limit": "0"}, "limit"), ({"q": "a", "offset": "-1"}, "offset"),
    ({"q": "a", "kind": "vote"}, "kind"), ({"q": "a", "since": "hier"}, "since"),
    ({"q": "a", "since": "2026-02-01", "until": "2026-01-01"}, "until"),
    ({"q": "a", "status": "lost"}, "status"),
])
def test_bad_queries_are_refused_with_their_field(data, field):
    with pytest.raises(Invalid) as refused:
        SearchQuery(**data)
    assert refused.value.field == field


def test_reindex_rebuilds_what_the_services_wrote(world):
    post = contribute(world.actors[0], "need", "Patrouilles au marché")
    contract.set_section(as_(world.facilitator), "preamble", SectionInput(body="Le marché"))
    assert search.reindex(db.session) == 2
    db.session.commit()
    assert ids(world.observer, "marché") == {("post", post.id), *(
        ("section", i.id) for i in find(world.observer, "objet du contrat", kind="section").items)}


def test_consolidation_filters_words_through_the_index(world, state_channel):
    hidden = contribute(world.actors[0], "need", "Patrouilles près du squat", channel=state_channel)
    shown = contribute(world.actors[0], "need", "Patrouilles renforcées au marché")
    found = facilitation.open_contributions(as_(world.facilitator),
                                            ConsolidationQuery(text='"patrouille renforcée"'))
    assert [p.id for p in found] == [shown.id]
    assert hidden.id in {p.id for p in facilitation.open_contributions(
        as_(world.facilitator), ConsolidationQuery(text="patrouil*"))}


def test_attached_files_are_found_by_their_name_and_text_within_their_audience(
        world, state_channel):
    """A file is indexed once attached: by name and extracted text, with the channel of its
    post (a commitment's file is every member's); it leaves the index with its post."""
    police, bailleur = world.actors
    hidden = files.upload(as_(police), io.BytesIO(document("pdf", "Caméras place Jaurès")[1]),
                          "plan des caméras.pdf")
    shared = files.upload(as_(world.facilitator),
                          io.BytesIO(document("docx", "Caméras de la gare")[1]), "gare.docx")
    loose = files.upload(as_(police), io.BytesIO(document("odt", "Caméras du port")[1]),
                         "port.odt")
    secret = contribute(police, "need", "Voir le document", channel=state_channel,
                        attachments=[hidden.id])
    promote(world, title="Vidéoprotection", attachments=[shared.id])
    assert ids(police, "caméras", kind="file") == {("file", hidden.id), ("file", shared.id)}
    assert ids(police, "Jaurès") == {("file", hidden.id)}
    assert ids(bailleur, "caméras", kind="file") == {("file", shared.id)}
    assert find(bailleur, "Jaurès").total == 0
    assert loose.id not in {i.id for i in find(police, "port").items}
    [found] = find(police, "Jaurès").items
    assert found.url == f"/api/v1/files/{hidden.id}" and "<mark>Jaurès</mark>" in found.excerpt
    posts.delete_post(as_(police), secret.id)
    assert find(police, "Jaurès").total == 0
    db.session.execute(sa.delete(SearchEntry))  # reindex finds the attached file again
    search.reindex(db.session)
    assert ids(police, "caméras", kind="file") == {("file", shared.id)}
