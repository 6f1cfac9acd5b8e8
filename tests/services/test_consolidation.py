"""Consolidation at any size, on SQLite and PostgreSQL: every open contribution reachable a
page at a time, filters, and the duplicate suggestions kept up to date by the services that
write posts (services/duplicates), never across a channel hidden from the facilitator."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from concert.models import DuplicateSuggestion, PostWord
from concert.services import channels, duplicates, facilitation, posts
from concert.services.errors import Forbidden, Invalid
from tests.conftest import join
from tests.services.test_facilitation import SLUG, as_, channel_id, contribute, count, promote
from concert.schemas.facilitation import DeclineInput, MergeInput
from concert.schemas.workspace import (
    BodyInput, ChannelInput, ConsolidationQuery, ContributionsQuery,
)


@pytest.fixture(autouse=True)
def french(ctx):
    with force_locale("fr"):
        yield


def pairs(person) -> list[tuple[int, int]]:
    return [(a.id, b.id) for a, b, _score in facilitation.suggestions(as_(person))]


def test_a_duplicate_is_suggested_when_written_and_follows_its_edits(world):
    fac = world.facilitator
    first = contribute(world.actors[0], "need", "Éclairage du parking de la gare la nuit")
    contribute(world.actors[1], "message", "Éclairage du parking de la gare la nuit")
    assert pairs(fac) == []
    second = contribute(world.actors[1], "proposal", "Éclairages au parking de la gare, de nuit")
    [(a, b, score)] = facilitation.suggestions(as_(fac))
    assert (a.id, b.id) == (first.id, second.id) and 0.35 <= score <= 1
    posts.edit_post(as_(world.actors[1]), second.id, BodyInput(body="Médiation dans les transports scolaires"))
    assert pairs(fac) == []
    posts.edit_post(as_(world.actors[1]), second.id, BodyInput(body="Éclairage du parking de la gare"))
    assert pairs(fac) == [(first.id, second.id)]
    [(_a, _b, score)] = facilitation.suggestions(as_(fac))
    assert facilitation.suggestions_of(as_(fac), [second.id, 999_999]) == {second.id: [
        {"id": first.id, "channel": first.channel_id, "score": score}]}


def test_a_suggestion_goes_when_either_post_leaves_the_open_state(world):
    fac = as_(world.facilitator)
    kept = contribute(world.actors[0], "need", "Caméras de vidéoprotection au marché")
    other = contribute(world.actors[1], "need", "Vidéoprotection du marché : caméras")
    facilitation.decline(fac, other.id, DeclineInput(reason="Déjà prévu"))
    assert pairs(world.facilitator) == []
    facilitation.reopen(fac, other.id)
    assert pairs(world.facilitator) == [(kept.id, other.id)]
    facilitation.merge(fac, other.id, MergeInput(into=kept.id))
    assert pairs(world.facilitator) == [] and count(PostWord, PostWord.post_id == other.id) == 0

    third = contribute(world.actors[1], "need", "Caméras au marché, vidéoprotection")
    assert pairs(world.facilitator) == [(kept.id, third.id)]
    posts.delete_post(as_(world.actors[1]), third.id)
    assert pairs(world.facilitator) == []

    fourth = contribute(world.actors[1], "need", "Vidéoprotection : caméras du marché")
    assert pairs(world.facilitator) == [(kept.id, fourth.id)]
    promote(world, kept)
    assert pairs(world.facilitator) == [] and count(DuplicateSuggestion) == 0


def test_a_suggestion_never_crosses_a_channel_hidden_from_the_facilitator(world):
    police_only = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="Renseignement", restricted_to=["police_nationale"]))
    public = contribute(world.actors[0], "need", "Trafic de stupéfiants au pied des tours")
    hidden = contribute(world.actors[0], "need",
                        "Trafic de stupéfiants au pied des tours : filature confidentielle",
                        channel=police_only.id)
    assert count(DuplicateSuggestion) == 1  # stored; who reads it is decided when read
    assert pairs(world.facilitator) == []
    assert facilitation.suggestions_of(as_(world.facilitator), [public.id]) == {}
    police_facilitator = join(SLUG, "commissaire@example.org", "Claire Commissaire",
                              "facilitator", "DDSP 13", "police_nationale")
    assert pairs(police_facilitator) == [(public.id, hidden.id)]
    assert [s["id"] for s in facilitation.suggestions_of(as_(police_facilitator), [public.id])[
        public.id]] == [hidden.id]


def test_every_open_contribution_is_reached_page_by_page_most_supported_first(world):
    fac = as_(world.facilitator)
    made = [contribute(world.actors[n % 2], ("need", "proposal")[n % 3 == 0],
                       f"Contribution numéro {n} sur le thème {n * 7}") for n in range(7)]
    for supporter in (world.facilitator, world.actors[0]):
        posts.toggle_support(as_(supporter), made[5].id)
    posts.toggle_support(as_(world.facilitator), made[2].id)
    facilitation.decline(fac, made[3].id, DeclineInput(reason="Hors sujet"))
    seen, after = [], None
    while True:
        page = facilitation.open_contributions(fac, ConsolidationQuery(after=after, limit=2))
        seen += page
        if len(page) < 2:
            break
        after = posts.page_key(page[-1], "supports")
    open_ones = [p for p in made if p.id != made[3].id]
    assert [p.id for p in seen] == [p.id for p in sorted(
        open_ones, key=lambda p: (p.support_count, p.seq), reverse=True)]
    assert [p.id for p in seen[:2]] == [made[5].id, made[2].id]
    assert [p.id for p in posts.list_contributions(fac, ContributionsQuery(order="recent", after=str(made[4].seq)))
            ] == [p.id for p in reversed(made[:4])]
    for bad in ("1", "1.x", "-1.2", 12):
        with pytest.raises(Invalid) as refused:
            facilitation.open_contributions(fac, ConsolidationQuery(after=bad))
        assert refused.value.field == "after"


def test_open_contributions_are_filtered_by_channel_kind_words_and_organisation(world):
    fac = as_(world.facilitator)
    transports, other = channel_id(world.facilitator), channel_id(
        world.facilitator, next(c.name for c in channels.list_channels(fac)
                                if c.name != "Transports"))
    lighting = contribute(world.actors[0], "need", "Éclairage des abribus", channel=transports)
    cameras = contribute(world.actors[1], "proposal", "Caméras dans les halls", channel=other)
    both = contribute(world.actors[1], "need", "Éclairages et caméras des halls",
                      channel=transports)

    def ids(**filters):
        return {p.id for p in facilitation.open_contributions(fac, ConsolidationQuery(**filters))}

    assert ids() == {lighting.id, cameras.id, both.id}
    assert ids(channel=transports) == {lighting.id, both.id}
    assert ids(kind="proposal") == {cameras.id}
    assert ids(text="eclairage") == {lighting.id, both.id}  # accents and plurals aside
    assert ids(text="CAMÉRAS halls") == {cameras.id, both.id}
    assert ids(text="éclairage caméra") == {both.id}
    assert ids(text="  ") == ids()
    assert ids(organisation_kind="bailleur_social") == {cameras.id, both.id}
    assert ids(organisation_kind="bailleur_social", kind="need", text="halls") == {both.id}
    with pytest.raises(Invalid):
        facilitation.open_contributions(fac, ConsolidationQuery(organisation_kind="pirates"))
    with pytest.raises(Invalid):
        facilitation.open_contributions(fac, ConsolidationQuery(kind="message"))
    with pytest.raises(Forbidden):
        facilitation.open_contributions(as_(world.actors[0]))
    with pytest.raises(Forbidden):
        facilitation.suggestions(as_(world.actors[0]))
    with pytest.raises(Forbidden):
        facilitation.suggestions_of(as_(world.actors[0]), [lighting.id])


def test_a_contribution_keeps_only_its_best_suggestions(world, monkeypatch):
    monkeypatch.setattr(duplicates, "SUGGESTIONS_PER_POST", 3)
    made = [contribute(world.actors[n % 2], "need", "Éclairage du parking de la gare"
                       + " la nuit" * (n == 5)) for n in range(6)]
    involving = {p.id: count(DuplicateSuggestion, (DuplicateSuggestion.post_id == p.id)
                             | (DuplicateSuggestion.other_id == p.id)) for p in made}
    assert max(involving.values()) == 3 and involving[made[4].id] == 3
    best = facilitation.suggestions_of(as_(world.facilitator), [made[4].id])[made[4].id]
    assert [(s["id"], s["score"]) for s in best] == [(made[n].id, 1.0) for n in (3, 2, 1)]
