"""Mentions: `@` followed by a member's or an organisation's name in a post (SPEC, second
round). A post's mentions become links in its HTML, are stored (post_mentions) and name the
people to notify: those mentioned by name, and the members of a mentioned organisation.

The territory's names are read in one query per post written, and only when its text has an
`@`. A name is matched without case or accents, the longest known one after each `@`; an
`@` inside a word (an e-mail address) mentions nobody, nor one in code (security.py walks
the Markdown tree and leaves code and links alone)."""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa

from ..db import db
from ..models import Membership, Post, Territory, User
from ..models.workspace import PostMention
from ..schemas.mentions import MentionQuery
from .access import Access
from .security import render_markdown

PERSON, ORGANISATION = "person", "organisation"


@dataclass(frozen=True)
class Mention:
    """Someone a text may mention: a member (`id` is their user id; `organisation`, theirs)
    or an organisation of the territory (`id` is None; `name` as a membership spells it)."""

    type: str
    id: int | None
    name: str
    organisation: str

    @property
    def key(self) -> str:
        return str(self.id) if self.type == PERSON else organisation_key(self.name)


@dataclass
class Directory:
    """The territory's members and organisations, by folded name (longest names first)."""

    slug: str
    everyone: list[Mention] = field(default_factory=list)
    members_of: dict[str, set[int]] = field(default_factory=dict)  # folded organisation

    def __post_init__(self) -> None:
        by_name: dict[str, list[Mention]] = {}
        for mention in self.everyone:
            by_name.setdefault(fold(mention.name), []).append(mention)
        self._names = sorted(by_name.items(), key=lambda item: -len(item[0]))

    def find(self, text: str) -> list[tuple[int, int, list[Mention]]]:
        """(start, end, who) of each mention in a run of plain text; `start` is the `@`."""
        folded, origin = _folded(text)
        found = []
        at = folded.find("@")
        while at != -1:
            match = None if at and _in_word(folded[at - 1]) else self._longest(folded, at + 1)
            if match is None:
                at = folded.find("@", at + 1)
                continue
            end, who = match
            found.append((origin[at], origin[end] if end < len(origin) else len(text), who))
            at = folded.find("@", end)
        return found

    def _longest(self, folded: str, start: int) -> tuple[int, list[Mention]] | None:
        for name, who in self._names:
            end = start + len(name)
            if folded.startswith(name, start) and _name_ends(folded, end):
                return end, who
        return None

    def links(self, found: list[tuple[int, int, list[Mention]]]
              ) -> list[tuple[int, int, dict[str, str]]]:
        """Mentions found as links (for security.render_markdown): to the person in the
        workspace's list of participants, or to that list. A plain path, as the CLI renders
        posts too, without a request to build URLs from."""
        workspace = f"/t/{self.slug}/"
        links = []
        for start, end, who in found:
            first = who[0]
            if first.type == PERSON:
                attributes = {"class": "mention", "data-person": first.key,
                              "href": f"{workspace}#person-{first.id}"}
            else:
                attributes = {"class": "mention", "data-organisation": first.key,
                              "href": f"{workspace}#people"}
            links.append((start, end, attributes))
        return links

    def people(self, mentioned: set[Mention], author_id: int | None) -> set[int]:
        """The members a set of mentions reaches: each person named and every member of each
        organisation named, the author left out."""
        ids = {m.id for m in mentioned if m.type == PERSON}
        for m in mentioned:
            if m.type == ORGANISATION:
                ids |= self.members_of.get(fold(m.name), set())
        ids.discard(author_id)
        return ids


@dataclass(frozen=True)
class Rendered:
    """A body's HTML, whom it mentions, and who of them the previous version did not reach:
    the people a new post or an edit notifies (services/posts, in the post's transaction)."""

    html: str
    mentioned: frozenset[Mention]
    newly_mentioned: frozenset[int]


def directory(territory: Territory) -> Directory:
    """The territory's names, in one query."""
    rows = db.session.execute(
        sa.select(Membership.user_id, User.name, Membership.organisation)
        .join(User, User.id == Membership.user_id)
        .where(Membership.territory_id == territory.id).order_by(Membership.id))
    everyone, organisations, members_of = [], {}, {}
    for user_id, name, organisation in rows:
        if name.strip():
            everyone.append(Mention(PERSON, user_id, name, organisation))
        if organisation.strip():
            folded = fold(organisation)
            organisations.setdefault(folded, organisation)
            members_of.setdefault(folded, set()).add(user_id)
    everyone += [Mention(ORGANISATION, None, name, name) for name in organisations.values()]
    return Directory(territory.slug, everyone, members_of)


def render(territory: Territory, body: str, *, author_id: int | None,
           previous: str | None = None) -> Rendered:
    """A post's body as HTML with its mentions linked; for an edit, `previous` is the text
    it replaces, whose mentions were already heard."""
    if "@" not in body:
        return Rendered(render_markdown(body), frozenset(), frozenset())
    names = directory(territory)
    html, mentioned = _render(names, body)
    reached = names.people(mentioned, author_id)
    if previous and "@" in previous:
        reached -= names.people(_render(names, previous)[1], author_id)
    return Rendered(html, frozenset(mentioned), frozenset(reached))


def _render(names: Directory, body: str) -> tuple[str, set[Mention]]:
    mentioned: set[Mention] = set()

    def finder(text: str) -> list[tuple[int, int, dict[str, str]]]:
        found = names.find(text)
        for _start, _end, who in found:
            mentioned.update(who)
        return names.links(found)

    return render_markdown(body, mentions=finder), mentioned


def store(post: Post, mentioned: frozenset[Mention] | set[Mention]) -> None:
    """The post's mentions, replacing those of its previous text (none once deleted)."""
    db.session.execute(sa.delete(PostMention).where(PostMention.post_id == post.id))
    db.session.add_all(
        PostMention(post_id=post.id, user_id=m.id) if m.type == PERSON
        else PostMention(post_id=post.id, organisation=m.name)
        for m in sorted(mentioned, key=lambda m: (m.type, m.name)))


def mentioned_people(post: Post) -> set[int]:
    """The members a stored post mentions, by name or through their organisation, author
    excepted (what a notification or a "mentions of me" list reads); someone who has left
    the territory since is not among them."""
    stored = db.session.execute(sa.select(PostMention.user_id, PostMention.organisation)
                                .where(PostMention.post_id == post.id)).all()
    if not stored:
        return set()
    people = {user_id for user_id, _organisation in stored if user_id is not None}
    organisations = {fold(name) for _user_id, name in stored if name is not None}
    members = db.session.execute(sa.select(Membership.user_id, Membership.organisation)
                                 .where(Membership.territory_id == post.territory_id))
    return {user_id for user_id, organisation in members
            if user_id in people or fold(organisation) in organisations} - {post.author_id}


def suggestions(access: Access, query: MentionQuery) -> list[Mention]:
    """The composer's completions: the territory's people and organisations whose name, or
    a word of it, starts with `q` (without case or accents), the reader left out."""
    wanted = fold(query.q)
    found = [m for m in directory(access.territory).everyone
             if not (m.type == PERSON and m.id == access.user.id)
             and _starts(fold(m.name), wanted)]
    found.sort(key=lambda m: (not fold(m.name).startswith(wanted), fold(m.name), m.type))
    return found[:query.limit]


def for_reader(html: str, access: Access) -> str:
    """A post's HTML with the mentions of this reader (or of their organisation) marked
    `mention--me`. Only our own links start with `<a class="mention"`: a post's text
    cannot make a tag, and a post's Markdown cannot set a class."""
    if access.user is None or 'class="mention"' not in html:
        return html
    keys = {f'data-person="{access.user.id}"', f'data-organisation="{reader_key(access)}"'}
    return _OUR_LINK.sub(lambda m: f'<a class="mention mention--me" {m[1]}'
                         if m[1] in keys else m[0], html)


_OUR_LINK = re.compile(r'<a class="mention" (data-(?:person|organisation)="[0-9a-f]+")')


def reader_key(access: Access) -> str:
    """How a mention of the reader's organisation names it (static/js/posts.js marks those
    of the posts that arrive live)."""
    return organisation_key(access.membership.organisation) if access.membership else ""


def organisation_key(name: str) -> str:
    """An organisation's name in a link's attribute: a digest, so that no spelling of a
    name ever reaches the HTML outside the link's text."""
    return hashlib.sha256(fold(name).encode()).hexdigest()[:16]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
    return stripped.casefold().replace("\u2019", "'")


def fold(text: str) -> str:
    """Without case or accents (and with a straight apostrophe)."""
    return "".join(_fold_char(c) for c in text).strip()


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index it came from."""
    parts, origin = [], []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        parts.append(folded)
        origin.extend([index] * len(folded))
    return "".join(parts), origin


def _in_word(char: str) -> bool:
    """Before an `@`, a character that makes it part of an address."""
    return char.isalnum() or char in "._+-"


def _name_ends(folded: str, end: int) -> bool:
    """Whether a name may end there: "@Clara," or "@Clara's" yes; not "@Clarabelle" nor
    "@Jean-Pierre" for Jean."""
    if end == len(folded):
        return True
    after = folded[end]
    following = folded[end + 1:end + 2]
    return not after.isalnum() and not (after in "-_" and following.isalnum())


def _starts(name: str, wanted: str) -> bool:
    return name.startswith(wanted) or any(
        word.startswith(wanted) for word in re.split(r"[\s'-]+", name))
