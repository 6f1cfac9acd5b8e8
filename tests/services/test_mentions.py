"""Mentions (services/mentions): who a post's `@` reaches, its links, what an edit adds;
on both databases."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import Membership, Territory
from concert.models.workspace import PostMention
from concert.schemas.mentions import MentionQuery
from concert.schemas.workspace import BodyInput
from concert.services import members, mentions, posts
from concert.services.errors import Invalid
from tests.conftest import SLUG, as_, join
from tests.services.conftest import contribute
from tests.services.test_sanitize import elements

pytestmark = pytest.mark.usefixtures("french")


def territory() -> Territory:
    return db.session.scalar(sa.select(Territory).where(Territory.slug == SLUG))


def reached(body: str, author=None, previous: str | None = None) -> set[int]:
    return set(mentions.render(territory(), body, author_id=author.id if author else None,
                               previous=previous).newly_mentioned)


def _membership_of(person) -> int:
    return db.session.scalar(sa.select(Membership.id).where(Membership.user_id == person.id))


def links(html: str) -> list[tuple[str, dict]]:
    return [("".join(a.itertext()), dict(a.attrib)) for a in elements(html) if a.tag == "a"]


@pytest.fixture
def clara(world):
    """Two members whose names start alike, and a second member of the DDSP 13."""
    world.extra["clara"] = join(SLUG, "clara@example.org", "Clara Dupont", "actor",
                                "Ligue de l’Enseignement", "prevention")
    world.extra["long"] = join(SLUG, "clara2@example.org", "Clara Dupont-Moretti", "actor",
                               "Mairie de Marseille", "commune")
    world.extra["agent"] = join(SLUG, "agent@example.org", "Zoé Agent", "actor",
                                "DDSP 13", "police_nationale")
    return world


def test_a_member_is_mentioned_by_name_without_case_or_accents(world):
    paul, beatrice = world.actors
    assert reached("Merci @Béatrice Bailleur !") == {beatrice.id}
    assert reached("merci @beatrice BAILLEUR.") == {beatrice.id}
    assert reached("@Paul Police et @Oscar Observateur") == {paul.id, world.observer.id}


def test_the_longest_known_name_wins_and_a_name_must_end(clara):
    clara_, long = clara.extra["clara"], clara.extra["long"]
    assert reached("@Clara Dupont-Moretti, vous suivez ?") == {long.id}
    assert reached("@Clara Dupont, vous suivez ?") == {clara_.id}
    assert reached("@Clara Dupont's idea") == {clara_.id}
    assert reached("@Clara Duponte") == set()


def test_code_addresses_and_strangers_mention_nobody(world):
    beatrice = world.actors[1]
    assert reached("`@Béatrice Bailleur` est un exemple") == set()
    assert reached("```\n@Béatrice Bailleur\n```") == set()
    assert reached("    @Béatrice Bailleur (bloc indenté)") == set()
    assert reached("écrire à contact@Béatrice Bailleur") == set()
    assert reached("[@Béatrice Bailleur](https://example.org)") == set()
    assert reached("@Olga Autre, d'un autre territoire, et @Personne") == set()
    assert reached("**@Béatrice Bailleur** en gras") == {beatrice.id}


def test_an_organisation_reaches_its_members_but_not_the_author(clara):
    paul, agent = clara.actors[0], clara.extra["agent"]
    assert reached("@DDSP 13 pouvez-vous venir ?") == {paul.id, agent.id}
    assert reached("@ddsp 13 pouvez-vous venir ?", author=paul) == {agent.id}
    # The apostrophe may be typed straight or curly, the name in any case.
    assert reached("@ligue de l'enseignement") == {clara.extra["clara"].id}


def test_an_edit_reaches_only_the_newly_mentioned(clara):
    paul, beatrice = clara.actors
    before = "@Béatrice Bailleur, un avis ?"
    assert reached("@Béatrice Bailleur et @Parquet, un avis ?", author=paul,
                   previous=before) == {clara.observer.id}
    assert reached("@Béatrice Bailleur seule", author=paul, previous=before) == set()


def test_posts_store_their_mentions_and_edits_replace_them(clara):
    paul, beatrice = clara.actors
    post = contribute(paul, body="@Béatrice Bailleur et @DDSP 13, un avis ?")
    stored = {(m.user_id, m.organisation) for m in db.session.scalars(
        sa.select(PostMention).where(PostMention.post_id == post.id))}
    assert stored == {(beatrice.id, None), (None, "DDSP 13")}
    assert mentions.mentioned_people(post) == {beatrice.id, clara.extra["agent"].id}

    members.remove_member(as_(clara.facilitator), _membership_of(clara.extra["agent"]))
    assert mentions.mentioned_people(post) == {beatrice.id}

    posts.edit_post(as_(paul), post.id, BodyInput(body="@Parquet seulement"))
    assert mentions.mentioned_people(post) == {clara.observer.id}
    posts.delete_post(as_(paul), post.id)
    assert mentions.mentioned_people(post) == set()


def test_mentions_render_as_links_to_the_participants(clara):
    paul, beatrice = clara.actors
    post = contribute(paul, body="Merci @beatrice bailleur et @DDSP 13 ; `@Parquet` non.")
    assert links(post.html) == [
        ("@beatrice bailleur", {"class": "mention", "data-person": str(beatrice.id),
                                "href": f"/t/{SLUG}/#person-{beatrice.id}",
                                "rel": "nofollow noopener noreferrer"}),
        ("@DDSP 13", {"class": "mention", "data-organisation": mentions.organisation_key("DDSP 13"),
                      "href": f"/t/{SLUG}/#people", "rel": "nofollow noopener noreferrer"}),
    ]
    assert "<code>@Parquet</code>" in post.html


def test_hostile_names_stay_text(world):
    hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    join(SLUG, "hostile@example.org", hostile, "actor", f"Org {hostile}", "other")
    post = contribute(world.actor, body=f"Bonjour @{hostile} et @Org {hostile}")
    assert "<img" not in post.html and "<script" not in post.html
    assert [tag for tag in (el.tag for el in elements(post.html))] == ["p", "a", "a"]
    assert [text for text, _attributes in links(post.html)] == [f"@{hostile}", f"@Org {hostile}"]


def test_the_reader_sees_the_mentions_of_them_and_of_their_organisation_marked(clara):
    paul, beatrice = clara.actors
    post = contribute(paul, body="@Béatrice Bailleur, @DDSP 13 : "
                                 "voir <a class=\"mention\" data-person=\"1\">")
    for_beatrice = mentions.for_reader(post.html, as_(beatrice))
    assert for_beatrice.count("mention--me") == 1
    assert f'<a class="mention mention--me" data-person="{beatrice.id}"' in for_beatrice
    for_agent = mentions.for_reader(post.html, as_(clara.extra["agent"]))
    assert for_agent.count("mention--me") == 1 and "data-organisation" in for_agent.split(
        "mention--me")[1].split(">")[0]
    assert mentions.for_reader(post.html, as_(clara.observer)) == post.html


def test_suggestions_match_a_word_of_a_name_and_leave_the_reader_out(clara):
    paul = clara.actors[0]
    found = mentions.suggestions(as_(paul), MentionQuery(q="cl"))
    assert [(m.type, m.name) for m in found] == [
        ("person", "Clara Dupont"), ("person", "Clara Dupont-Moretti")]
    assert [m.name for m in mentions.suggestions(as_(paul), MentionQuery(q="mor"))] == [
        "Clara Dupont-Moretti"]
    assert [(m.type, m.name) for m in mentions.suggestions(as_(paul), MentionQuery(q="ddsp"))
            ] == [("organisation", "DDSP 13")]
    assert "Paul Police" not in {m.name for m in mentions.suggestions(
        as_(paul), MentionQuery(q="paul"))}
    assert len(mentions.suggestions(as_(paul), MentionQuery(q="", limit=3))) == 3
    assert [m.name for m in mentions.suggestions(as_(paul), MentionQuery(q="ENSEIGN"))] == [
        "Ligue de l’Enseignement"]


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": 21}, {"limit": "x"}, {"q": "x" * 101}])
def test_bad_suggestion_queries_are_invalid(query):
    with pytest.raises(Invalid):
        MentionQuery(**query)


def test_names_are_read_in_one_query_and_only_for_a_text_with_an_at(world):
    place = territory()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        mentions.render(place, "Rien à signaler", author_id=None)
        without_at = len(statements)
        mentions.render(place, "@Paul Police, @Parquet et @DDSP 13", author_id=None,
                        previous="@Béatrice Bailleur")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert without_at == 0
    assert len(statements) == 1
