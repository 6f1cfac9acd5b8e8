"""Search of a territory: posts, commitments, workshops, contract sections and files.

The index (`search_entries`) is kept current by the services that write: each calls
`index_…` or `remove` before it commits, in the same transaction, so there is nothing to
rebuild at night; `reindex` (`concert search-reindex`) fills it for data written before.

French-aware on both databases: accents and case folded, words reduced to their stem
("patrouilles" finds "patrouille"), "phrases" and prefix* queries, every term required.
PostgreSQL indexes a tsvector made with the `concert_french` text search configuration
(unaccent, then the French Snowball stemmer; migration 0015) under a GIN index. SQLite has
no French stemmer: the same Snowball algorithm (the `snowballstemmer` package) stems the
text here, into an FTS5 table (`unicode61 remove_diacritics 2`) whose rowid is the
entry's id, and stems the queries the same way. Excerpts are cut and highlighted here, the
same way for both, from the text as written.

Who finds what is the audience rule (services/audience.py), applied in SQL: an entry with a
channel (a post, a post's file) is read only from the channels the reader may see, so a
hidden one is never returned, counted nor highlighted.

Attached files are indexed once attached (before, only their uploader may read them), by
name and extracted text, with the channel of the post they belong to (a commitment's or a
workshop's are every member's, as services/files.readable says); they leave the index with
what they are attached to. A file's result links to its download, /api/v1/files/<id>.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, time, timedelta, timezone

import snowballstemmer
import sqlalchemy as sa
from flask_babel import force_locale, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ..db import db
from ..labels import SECTION_TITLES
from ..models import (
    SQLITE_FTS_TABLE, Commitment, Post, SearchEntry,
)
from ..models.contract import ContractSection
from ..models.files import File
from ..models.workshops import Vote, Workshop
from ..schemas.search import SearchQuery
from . import audience, channels
from .access import Access

CONFIG = "concert_french"  # PostgreSQL text search configuration (migration 0015)
EXCERPT_WORDS = 30
REINDEX_BATCH = 2000
_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_STEMMER = snowballstemmer.stemmer("french")
POST_TITLES = {"message": _l("Message"), "need": _l("Besoin"), "proposal": _l("Proposition"),
               "reply": _l("Réponse")}

_fts = sa.table(SQLITE_FTS_TABLE, sa.column("rowid"), sa.column("title"), sa.column("body"))


# --- French words -------------------------------------------------------------------------

def plain(text: str) -> str:
    """Lower case, without accents (as unaccent does)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The French stem of a word, accents and case aside (a territory's vocabulary is
    small next to its text: cached)."""
    return _STEMMER.stemWord(plain(word))


def stems(text: str) -> str:
    return " ".join(stem(word) for word in _WORD.findall(text))


@dataclass(frozen=True)
class Term:
    """One required part of a query: a word, a prefix (mot*) or a phrase ("…")."""

    words: tuple[str, ...]
    prefix: bool = False
    text: str = ""  # a phrase as written: PostgreSQL parses it as it parsed the text

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)


def terms(q: str) -> list[Term]:
    found: list[Term] = []
    for phrase, bare in _TERM.findall(q):
        if phrase:
            words = tuple(plain(w) for w in _WORD.findall(phrase))
            if words:
                found.append(Term(words, text=phrase))
            continue
        words = [plain(w) for w in _WORD.findall(bare)]
        for i, word in enumerate(words):
            found.append(Term((word,), prefix=bare.endswith("*") and i == len(words) - 1))
    return found


# --- the index ----------------------------------------------------------------------------

@dataclass
class Indexed:
    """What one entry holds; `channel_id` only for what lives in a channel (see above)."""

    kind: str
    object_id: int | str
    territory_id: int
    created_at: datetime
    title: str = ""
    body: str = ""
    channel_id: int | None = None
    ref: str = ""
    status: str | None = None
    organisation: str = ""


def index(entry: Indexed, session: Session | None = None) -> None:
    """Puts (or puts again) one thing in the index."""
    session = session or db.session
    remove(entry.kind, entry.object_id, session)
    index_new([entry], session)


def index_new(entries: list[Indexed], session: Session) -> None:
    """Adds entries not in the index yet, in a few statements whatever their number."""
    if not entries:
        return
    rows = [{name: getattr(entry, name) for name in (
        "kind", "object_id", "territory_id", "created_at", "title", "body", "channel_id",
        "ref", "status", "organisation")}
            | {"title": entry.title[:300], "object_id": str(entry.object_id)}
            for entry in entries]
    ids = session.scalars(sa.insert(SearchEntry).returning(
        SearchEntry.id, sort_by_parameter_order=True), rows).all()
    if _sqlite(session):
        # Entries deleted by a cascade (a channel, a territory) left their FTS row, which
        # no query reaches (they join the entries); SQLite may reuse the id: out it goes.
        session.execute(sa.delete(_fts).where(_fts.c.rowid.in_(ids)))
        session.execute(sa.insert(_fts), [
            {"rowid": entry_id, "title": stems(entry.title), "body": stems(entry.body)}
            for entry_id, entry in zip(ids, entries)])
        return
    config = sa.literal_column(f"'{CONFIG}'::regconfig")
    session.execute(sa.update(SearchEntry).where(SearchEntry.id.in_(ids)).values(
        document=sa.func.setweight(sa.func.to_tsvector(config, SearchEntry.title), "A")
        .op("||")(sa.func.to_tsvector(config, SearchEntry.body))))


def remove(kind: str, object_id: int | str, session: Session | None = None) -> None:
    session = session or db.session
    where = (SearchEntry.kind == kind, SearchEntry.object_id == str(object_id))
    if _sqlite(session):
        session.execute(sa.delete(_fts).where(_fts.c.rowid.in_(
            sa.select(SearchEntry.id).where(*where))))
    session.execute(sa.delete(SearchEntry).where(*where))


def index_post(post: Post, session: Session | None = None) -> None:
    """Messages, needs, proposals and replies; a deleted post leaves the index."""
    if post.deleted_at is not None:
        remove("post", post.id, session)
        return
    index(_post_entry(post), session)


def _post_entry(post: Post) -> Indexed:
    return Indexed("post", post.id, post.territory_id, post.created_at, body=post.body,
                   channel_id=post.channel_id, ref="reply" if post.reply_to_id else post.kind,
                   status=post.status, organisation=post.author_organisation)


def index_commitment(commitment: Commitment, session: Session | None = None) -> None:
    """Every text field, its indicators and the comments of their measurements."""
    means = commitment.means or {}
    parts = [commitment.description, commitment.pilot, *(commitment.partners or []),
             *(commitment.actions or []), *(str(v) for v in means.values() if v),
             commitment.abandon_reason or ""]
    for indicator in commitment.indicators:
        parts += [indicator.name, indicator.unit, *(m.comment for m in indicator.measurements)]
    index(Indexed("commitment", commitment.id, commitment.territory_id, commitment.created_at,
                  title=commitment.title, body="\n".join(p for p in parts if p),
                  ref=str(commitment.number), status=commitment.status,
                  organisation=commitment.pilot), session)


def index_workshop(workshop: Workshop, session: Session | None = None) -> None:
    """Title, place, invited, the agenda and the questions voted on; the contributions its
    minutes list are posts, found as such (each tagged with its workshop)."""
    session = session or db.session
    questions = session.scalars(sa.select(Vote.question).where(Vote.workshop_id == workshop.id))
    parts = [workshop.place, *(workshop.invited or []), *(i.title for i in workshop.agenda),
             *questions, workshop.cancel_reason or ""]
    index(Indexed("workshop", workshop.id, workshop.territory_id, workshop.starts_at,
                  title=workshop.title, body="\n".join(p for p in parts if p),
                  status=workshop.status), session)


def index_file(file: File, session: Session | None = None) -> None:
    """An attached file: its name and the text extracted from it; a post's file is found
    only by those who see the post's channel."""
    session = session or db.session
    if file.attached_at is None:
        remove("file", file.id, session)
        return
    channel_id = (session.scalar(sa.select(Post.channel_id).where(Post.id == file.post_id))
                  if file.post_id is not None else None)
    index(Indexed("file", file.id, file.territory_id, file.created_at, title=file.name,
                  body=file.text or "", channel_id=channel_id, ref=file.content_type[:32]),
          session)


def index_section(section: ContractSection, session: Session | None = None) -> None:
    with force_locale("fr"):  # the contract is written in French
        title = str(SECTION_TITLES[section.key])
    index(Indexed("section", section.id, section.territory_id, section.updated_at,
                  title=title, body=section.body, ref=section.key), session)


def reindex(session: Session, territory_id: int | None = None) -> int:
    """Indexes again everything of one territory (or of all): for data written before the
    index existed. Returns how many entries it wrote."""
    def of(model):
        query = sa.select(model)
        if territory_id is not None:
            query = query.where(model.territory_id == territory_id)
        return session.scalars(query.order_by(model.id)).all()

    existing = sa.select(SearchEntry.id)
    if territory_id is not None:
        existing = existing.where(SearchEntry.territory_id == territory_id)
    if _sqlite(session):
        session.execute(sa.delete(_fts).where(_fts.c.rowid.in_(existing)))
    session.execute(sa.delete(SearchEntry).where(SearchEntry.id.in_(existing)))
    count = 0
    live_posts = sa.select(Post).where(Post.deleted_at.is_(None)).order_by(Post.id)
    if territory_id is not None:
        live_posts = live_posts.where(Post.territory_id == territory_id)
    for batch in session.scalars(live_posts.execution_options(yield_per=REINDEX_BATCH)
                                 ).partitions():
        index_new([_post_entry(post) for post in batch], session)
        count += len(batch)
    for model, write in ((Commitment, index_commitment), (Workshop, index_workshop),
                         (ContractSection, index_section), (File, index_file)):
        for row in of(model):
            if model is File and row.attached_at is None:
                continue
            write(row, session)
            count += 1
    return count


# --- searching ----------------------------------------------------------------------------

@dataclass
class Found:
    type: str
    id: int | str
    title: str
    excerpt: Markup
    url: str
    channel: int | None
    status: str | None
    organisation: str
    date: str


@dataclass
class Results:
    items: list[Found] = field(default_factory=list)
    total: int = 0


def search(access: Access, query: SearchQuery) -> Results:
    """What this reader may find in their territory, most relevant (or newest) first, a
    page at a time, with how many there are in all."""
    found = terms(query.q)
    if not found:
        return Results()
    base, rank = _found_by(access, query, found)
    total = db.session.scalar(base.with_only_columns(sa.func.count(), maintain_column_froms=True))
    order = ((SearchEntry.created_at.desc(),) if query.order == "recent" else (rank,)) + (
        SearchEntry.id.desc(),)
    rows = db.session.scalars(base.with_only_columns(SearchEntry).order_by(*order)
                              .limit(query.limit).offset(query.offset)).all()
    slug = access.territory.slug
    return Results([_found(row, found, slug) for row in rows], total)


def totals_by_kind(access: Access, query: SearchQuery) -> dict[str, int]:
    """How many of each kind the query finds for this reader, whatever its `kind`."""
    found = terms(query.q)
    if not found:
        return {}
    base, _rank = _found_by(access, query.model_copy(update={"kind": None}), found)
    rows = db.session.execute(base.with_only_columns(
        SearchEntry.kind, sa.func.count(), maintain_column_froms=True).group_by(SearchEntry.kind))
    return dict(rows.all())


def _found_by(access: Access, query: SearchQuery, found: list[Term]
              ) -> tuple[sa.Select, sa.ColumnElement]:
    """The entries that match, of this territory, of the channels this reader may see (the
    audience rule), filtered; and their rank."""
    base, rank = _matching(found)
    where = [SearchEntry.territory_id == access.territory.id,
             sa.or_(SearchEntry.channel_id.is_(None),
                    SearchEntry.channel_id.in_(audience.visible_channel_ids(access)))]
    if query.kind is not None:
        where.append(SearchEntry.kind == query.kind)
    if query.channel is not None:
        where.append(SearchEntry.channel_id == channels.get_channel(access, query.channel).id)
    if query.status is not None:
        where.append(SearchEntry.status == query.status)
    if query.organisation:
        where.append(SearchEntry.organisation == query.organisation)
    if query.since is not None:
        where.append(SearchEntry.created_at >= _midnight(query.since))
    if query.until is not None:
        where.append(SearchEntry.created_at < _midnight(query.until) + timedelta(days=1))
    return base.where(*where), rank


def matching_posts(territory_id: int, text: str) -> sa.Select | None:
    """The ids of the posts of a territory that hold every term of `text` (the
    consolidation page's word filter); None when `text` has no word. Their audience is
    the caller's to apply."""
    found = terms(text)
    if not found:
        return None
    base, _rank = _matching(found)
    return base.with_only_columns(sa.cast(SearchEntry.object_id, sa.Integer),
                                  maintain_column_froms=True).where(
        SearchEntry.territory_id == territory_id, SearchEntry.kind == "post")


def _matching(found: list[Term]) -> tuple[sa.Select, sa.ColumnElement]:
    """The entries where every term holds, and their rank (smaller first)."""
    if _sqlite(db.session):
        parts = []
        for term in found:
            quoted = '"' + " ".join(term.stems) + '"'
            parts.append(quoted + "*" if term.prefix else quoted)
        table = sa.literal_column(SQLITE_FTS_TABLE)
        # The full-text match runs once, first (a LIMIT keeps SQLite from flattening the
        # subquery and probing it once per entry of the territory instead).
        matched = (sa.select(_fts.c.rowid.label("id"),
                             sa.func.bm25(table, 10.0, 1.0).label("rank"))
                   .where(table.op("MATCH")(" AND ".join(parts))).limit(-1).subquery())
        return (sa.select(SearchEntry.id).select_from(matched)
                .join(SearchEntry, SearchEntry.id == matched.c.id), matched.c.rank)
    config = sa.literal_column(f"'{CONFIG}'::regconfig")
    queries = []
    for term in found:
        if term.prefix:
            queries.append(sa.func.to_tsquery(config, term.words[0] + ":*"))
        elif term.text:
            queries.append(sa.func.phraseto_tsquery(config, term.text))
        else:
            queries.append(sa.func.plainto_tsquery(config, term.words[0]))
    tsquery = queries[0]
    for other in queries[1:]:
        tsquery = tsquery.op("&&")(other)
    return (sa.select(SearchEntry.id).where(SearchEntry.document.op("@@")(tsquery)),
            -sa.func.ts_rank_cd(SearchEntry.document, tsquery))


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _found(row: SearchEntry, found: list[Term], slug: str) -> Found:
    return Found(type=row.kind,
                 id=row.object_id if row.kind == "file" else int(row.object_id),
                 title=_title(row),
                 excerpt=excerpt(row.body or row.title, found), url=_url(row, slug),
                 channel=row.channel_id, status=row.status, organisation=row.organisation,
                 date=row.created_at.date().isoformat())


def _title(row: SearchEntry) -> str:
    if row.kind == "post":
        label = str(POST_TITLES.get(row.ref, POST_TITLES["message"]))
        return f"{label} — {row.organisation}" if row.organisation else label
    if row.kind == "commitment":
        return f"{_l('Engagement')} n° {row.ref} — {row.title}"
    if row.kind == "section":
        return str(SECTION_TITLES.get(row.ref, row.title))
    return row.title


def _url(row: SearchEntry, slug: str) -> str:
    """Where a result is read (built here: services also run outside any request)."""
    territory = f"/t/{slug}"
    if row.kind == "post":
        return f"{territory}?channel={row.channel_id}&post={row.object_id}"
    if row.kind == "commitment":
        return f"{territory}/commitments/{row.object_id}"
    if row.kind == "workshop":
        return f"{territory}/workshops/{row.object_id}"
    if row.kind == "section":
        return f"{territory}/contract#section-{row.ref}"
    return f"/api/v1/files/{row.object_id}"


def excerpt(text: str, found: list[Term], size: int = EXCERPT_WORDS) -> Markup:
    """About `size` words of `text` around the first place the most terms meet, escaped,
    the words that match in <mark>."""
    words = list(_WORD.finditer(text))
    hit = [_hits(match.group(), found) for match in words]
    if not words:
        return escape(text[:200])
    best = max(range(len(words)), key=lambda i: (sum(hit[i:i + size]), -i)) if any(hit) else 0
    start = max(0, best - size // 4)
    end = min(len(words), start + size)
    left = words[start].start() if start else 0
    right = words[end - 1].end() if end < len(words) else len(text)
    parts: list[str] = ["… " if left else ""]
    cursor = left
    for i in range(start, end):
        match = words[i]
        parts.append(escape(text[cursor:match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group() if hit[i] else escape(match.group()))
        cursor = match.end()
    parts.append(escape(text[cursor:right]))
    parts.append(" …" if right < len(text) else "")
    return Markup("").join(parts)


def _hits(word: str, found: list[Term]) -> bool:
    stemmed, bare = stem(word), plain(word)
    for term in found:
        for want in term.stems:
            if stemmed == want or (term.prefix and (bare.startswith(term.words[-1])
                                                    or stemmed.startswith(want))):
                return True
    return False
