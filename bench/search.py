"""Search benchmark: the server time of a search on a territory with 100,000 posts (the
index: PostgreSQL full-text / SQLite FTS5), beside the same words looked for with `LIKE`
on the posts, in the same run and database, as the same member.

The posts are written in bulk by bench/growth.py's seed (which indexes them), then indexed
again by `services.search.reindex` (what `concert search-reindex` runs), timed.
Each query runs in-process (the Flask test client: no network), five times, median: the
API answer (`GET …/search`, count and first page, audience rule included) and, for the
baseline, `SELECT … WHERE body LIKE '%w1%' AND body LIKE '%w2%'` on the visible channels,
counted and paged the same way (no stemming, no accents folded, no ranking: less work).

    .venv/bin/python bench/search.py                     # PostgreSQL and SQLite
    .venv/bin/python bench/search.py --posts 20000 --sqlite-only
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import concert_app, database  # noqa: E402
from growth import PASSWORD, seed  # noqa: E402

ROUNDS = 5
# (query, the words the LIKE baseline looks for)
QUERIES = [
    ("quartier 42", ["quartier 42"]),  # a rare phrase-ish pair
    ("caméras nuit", ["caméras", "nuit"]),  # common words: about a sixth of the posts
    ("besoin n°4242", ["n°4242"]),  # one post
    ("médiation*", ["médiation"]),
    ("stationnement", ["stationnement"]),  # no post
]


def timed(action) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(ROUNDS):
        started = time.perf_counter()
        result = action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def like(slug: str, words: list[str]):
    """The baseline: count and first page by LIKE, on the channels the reader sees."""
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Post
    from concert.services import audience
    from concert.services.access import access
    from concert.services.accounts import find_user

    where = access(find_user("anim@bench.test"), slug)
    query = sa.select(Post.id).where(
        Post.territory_id == where.territory.id, Post.deleted_at.is_(None),
        Post.channel_id.in_(audience.visible_channel_ids(where)),
        *(Post.body.like(f"%{word}%") for word in words))
    total = db.session.scalar(query.with_only_columns(sa.func.count()))
    page = db.session.scalars(query.order_by(Post.seq.desc()).limit(20)).all()
    db.session.rollback()
    return total, page


def run(database_url: str, posts: int, instance: Path) -> None:
    from concert.db import db
    from concert.services import accounts, search

    app = concert_app(database_url, instance, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        facilitator = accounts.create_user("anim@bench.test", "Fanny Animatrice", PASSWORD)
        started = time.perf_counter()
        seed("grand", posts, facilitator, suggestions=False)  # indexed, once…
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        indexed = search.reindex(db.session)  # …and again, timed
        db.session.commit()
        reindexed = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":  # as autovacuum leaves a loaded table
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    kind = database_url.split(":", 1)[0]
    print(f"\n{kind}: {posts} posts seeded in {seeded:.0f} s; {indexed} entries indexed in "
          f"{reindexed:.1f} s ({indexed / reindexed:.0f}/s)")
    client = app.test_client()
    answer = client.post("/login", data={"email": "anim@bench.test", "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.status_code
    header = f"{'query':<22}{'found':>8}{'search ms':>11}{'LIKE found':>12}{'LIKE ms':>10}"
    print(f"in-process, median of {ROUNDS}\n{header}\n{'-' * len(header)}")
    for q, words in QUERIES:
        spent, response = timed(lambda: client.get(
            "/api/v1/territories/grand/search", query_string={"q": q}))
        assert response.status_code == 200, response.text
        with app.app_context():
            baseline, (total, _page) = timed(lambda: like("grand", words))
        print(f"{q:<22}{response.json['total']:>8}{spent * 1000:>11.1f}{total:>12}"
              f"{baseline * 1000:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    args = parser.parse_args()
    kinds = [postgres for postgres in (True, False)
             if not (postgres and args.sqlite_only or not postgres and args.postgresql_only)]
    for postgres in kinds:
        instance = Path(tempfile.mkdtemp(prefix="concert-bench-search-"))
        try:
            with database(postgres, instance) as url:
                run(url, args.posts, instance)
        finally:
            shutil.rmtree(instance)


if __name__ == "__main__":
    main()
