"""Likely duplicates among the open needs and proposals, found incrementally.

When a contribution is written, edited, or opened again, its significant words are stored
and the open contributions sharing some of them are scored against it (Jaccard similarity
of the two word sets); the pairs above THRESHOLD are stored. When it leaves the open state
(merged, declined, promoted, deleted) its words and pairs go. The consolidation page reads
the stored pairs, so its cost does not depend on how many contributions are open, and a
write compares one text with at most MAX_CANDIDATES others, never all pairs. Each post keeps
its SUGGESTIONS_PER_POST best pairs, so reading those of a page of posts is bounded too.

Candidates come from the word index, the newest CANDIDATES_PER_WORD per word: a word shared
by thousands of contributions says little, and two real duplicates share rarer ones too.
Pairs are stored whatever their channels; who may read them is decided when they are read
(facilitation.suggestions), by the audience rule of both posts.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import db
from ..models import CONTRIBUTION_KINDS, DuplicateSuggestion, Post, PostWord

THRESHOLD = 0.35
CANDIDATES_PER_WORD = 200
MAX_CANDIDATES = 100
SUGGESTIONS_PER_POST = 10

_STOPWORDS = frozenset("""
a au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me
même mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes
toi ton tu un une vos votre vous c d j l n s t y été être avoir est sont plus afin entre
""".split())


def words(text: str) -> frozenset[str]:
    """Significant words, lower-cased and without accents, plural 's'/'x' dropped."""
    normalised = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in normalised if not unicodedata.combining(c))
    found = re.findall(r"[a-z0-9]{3,64}", plain)
    return frozenset(w.rstrip("sx") if len(w) > 4 else w
                     for w in found if w not in _STOPWORDS)


def refresh(post: Post, session: Session | None = None) -> None:
    """Brings the post's words and suggestions up to date with its text and status. Called
    by every service that writes a contribution's body or status, before it commits."""
    session = session or db.session
    session.execute(sa.delete(DuplicateSuggestion).where(sa.or_(
        DuplicateSuggestion.post_id == post.id, DuplicateSuggestion.other_id == post.id)))
    session.execute(sa.delete(PostWord).where(PostWord.post_id == post.id))
    if post.kind in CONTRIBUTION_KINDS and post.status == "open" and post.deleted_at is None:
        _index(session, post.id, post.territory_id, post.body)


def index_open(session: Session) -> None:
    """Indexes every open contribution from scratch (the migration that added the tables)."""
    rows = session.execute(sa.select(Post.id, Post.territory_id, Post.body).where(
        Post.kind.in_(CONTRIBUTION_KINDS), Post.status == "open", Post.deleted_at.is_(None))
        .order_by(Post.id)).all()
    for post_id, territory_id, body in rows:
        _index(session, post_id, territory_id, body)


def _index(session: Session, post_id: int, territory_id: int, body: str) -> None:
    own = words(body)
    if not own:
        return
    session.execute(sa.insert(PostWord), [
        {"post_id": post_id, "word": word, "territory_id": territory_id} for word in own])
    shared: Counter[int] = Counter()
    for word in own:
        shared.update(session.scalars(sa.select(PostWord.post_id).where(
            PostWord.territory_id == territory_id, PostWord.word == word,
            PostWord.post_id != post_id).order_by(PostWord.post_id.desc())
            .limit(CANDIDATES_PER_WORD)))
    candidates = [other for other, _n in shared.most_common(MAX_CANDIDATES)]
    theirs: dict[int, set[str]] = defaultdict(set)
    for other, word in session.execute(sa.select(PostWord.post_id, PostWord.word).where(
            PostWord.post_id.in_(candidates))):
        theirs[other].add(word)
    scored = sorted(((round(len(own & other_words) / len(own | other_words), 2), other)
                     for other, other_words in theirs.items()), key=lambda s: (-s[0], -s[1]))
    pairs = [{"post_id": min(post_id, other), "other_id": max(post_id, other),
              "territory_id": territory_id, "score": score}
             for score, other in scored[:SUGGESTIONS_PER_POST] if score >= THRESHOLD]
    if pairs:
        session.execute(sa.insert(DuplicateSuggestion), pairs)
    for score, other in scored[:SUGGESTIONS_PER_POST]:
        if score >= THRESHOLD:
            _keep_best(session, other)


def _keep_best(session: Session, post_id: int) -> None:
    """Keeps the post's SUGGESTIONS_PER_POST best pairs, the newest first among equals: an
    old contribution that many new ones resemble would otherwise gather pairs without end,
    and cost its reader as much."""
    involving = sa.or_(DuplicateSuggestion.post_id == post_id,
                       DuplicateSuggestion.other_id == post_id)
    best = (sa.select(DuplicateSuggestion.post_id, DuplicateSuggestion.other_id)
            .where(involving)
            .order_by(DuplicateSuggestion.score.desc(), DuplicateSuggestion.other_id.desc(),
                      DuplicateSuggestion.post_id.desc())
            .limit(SUGGESTIONS_PER_POST))
    session.execute(sa.delete(DuplicateSuggestion).where(involving, sa.tuple_(
        DuplicateSuggestion.post_id, DuplicateSuggestion.other_id).not_in(best)))
