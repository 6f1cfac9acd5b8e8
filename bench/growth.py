"""Growth benchmark: what each page and API answer costs on a territory with a long history
(default 100,000 posts) against the same on a young one (200 posts), in one run and one
database, as the same facilitator.

Each answer is served in-process by the Flask test client (no network: the server's own
time), three times, median; the last column is the ratio big / small, which the issue wants
at most 1.5.

    .venv/bin/python bench/growth.py                 # SQLite, 200 vs 100,000 posts
    .venv/bin/python bench/growth.py --big 20000     # a quicker run
    createdb -h 127.0.0.1 -U postgres bench_growth
    .venv/bin/python bench/growth.py --database-url postgresql://postgres@127.0.0.1:5432/bench_growth
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
from common import concert_app  # noqa: E402

from concert.schemas.workspace import PostInput  # noqa: E402

ROUNDS = 3
SUGGESTED = 1000
NEED = "Éclairage du parking de la gare : besoin de caméras la nuit."
PASSWORD = "correct horse battery staple"
ANSWERS = [
    "/t/{slug}/",
    "/t/{slug}/contributions",
    "/t/{slug}/consolidation",
    "/t/{slug}/commitments",
    "/t/{slug}/diagnostic",
    "/t/{slug}/contract",
    "/t/{slug}/audit",
    "/t/{slug}/workshops",
    "/t/{slug}/members",
    "/api/v1/territories/{slug}/channels",
    "/api/v1/territories/{slug}/diagnostic",
    "/api/v1/territories/{slug}/commitments",
    "/api/v1/territories/{slug}/contract",
    "/api/v1/territories/{slug}/workshops",
    "/api/v1/territories/{slug}/members",
    "/api/v1/territories/{slug}/posts?limit=50",
    "/api/v1/territories/{slug}/posts?kind=need&status=open&limit=50",
    "/api/v1/territories/{slug}/posts?after_seq={middle}&limit=50",
    "/t/{slug}/contributions?kind=need&order=recent",
    "/t/{slug}/consolidation?text=caméras+nuit",
    "/t/{slug}/consolidation?organisation_kind=prefecture&kind=proposal",
    "POST /api/v1/territories/{slug}/posts",
]


def seed(slug: str, posts: int, facilitator, *, suggestions: bool = True) -> dict:
    """`posts` posts in a new territory (a third each messages, needs, proposals; needs and
    proposals open), each with its post.created event, as the service writes them, in the
    search index (services/search.py; without `suggestions`, their duplicate suggestions
    are left out). Returns the territory's middle seq and first channel."""
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Channel, Event, Membership, Post, Territory
    from concert.services import posts as post_service
    from concert.services import search, territories
    from concert.services.access import access

    territory = territories.create_territory(None, slug, f"Territoire {slug}", "13", ["13055"])
    db.session.add(Membership(user_id=facilitator.id, territory_id=territory.id,
                              role="facilitator", organisation="Préfecture",
                              organisation_kind="prefecture"))
    db.session.commit()
    channels = list(db.session.scalars(sa.select(Channel.id).where(
        Channel.territory_id == territory.id).order_by(Channel.id)))
    first, _ = post_service.create_post(access(facilitator, slug), PostInput(
        channel=channels[0], kind="need", body="Un besoin de départ.", client_id=f"{slug}-0"))
    template = post_service.serialise(first)
    kinds = ["message", "need", "proposal"]
    words = ["police", "municipale", "éclairage", "transport", "bailleur", "caméras",
             "médiation", "jeunesse", "stupéfiants", "école", "nuit", "parking"]
    for start in range(1, posts, 5000):
        rows = []
        for n in range(start, min(start + 5000, posts)):
            kind = kinds[n % 3]
            body = (f"{words[n % 12].capitalize()} : besoin n°{n} autour de "
                    f"{words[(n * 7) % 12]} et {words[(n * 5) % 12]} dans le quartier {n % 97}.")
            rows.append(dict(territory_id=territory.id, channel_id=channels[n % len(channels)],
                             author_id=facilitator.id, author_organisation="Préfecture",
                             author_organisation_kind="prefecture", kind=kind, body=body,
                             html=f"<p>{body}</p>", status=None if kind == "message" else "open",
                             client_id=f"{slug}-{n}", seq=first.seq + n, support_count=n % 5,
                             reply_count=0, created_at=first.created_at))
        db.session.execute(sa.insert(Post), rows)
        ids = dict(db.session.execute(sa.select(Post.seq, Post.id).where(
            Post.territory_id == territory.id, Post.seq >= first.seq + start)).all())
        db.session.execute(sa.insert(Event), [
            dict(territory_id=territory.id, seq=row["seq"], type="post.created",
                 data={**template, "id": ids[row["seq"]], "seq": row["seq"],
                       "kind": row["kind"], "body": row["body"]},
                 channel_id=row["channel_id"], post_id=ids[row["seq"]],
                 created_at=first.created_at) for row in rows])
        db.session.commit()
    db.session.execute(sa.update(Territory).where(Territory.id == territory.id)
                       .values(last_seq=first.seq + posts - 1))
    if suggestions:
        index_duplicates(territory.id)
    search.reindex(db.session, territory.id)
    db.session.commit()
    return {"middle": first.seq + posts // 2, "channel": channels[0]}


def index_duplicates(territory_id: int) -> None:
    """What services/duplicates keeps as posts are written: the words of every open
    contribution (in bulk), and the suggestions of the newest SUGGESTED ones, computed by the
    service itself (all of them would take minutes: the pages read only the best pairs)."""
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Post, PostWord
    from concert.services import duplicates

    query = sa.select(Post).where(Post.territory_id == territory_id, Post.status == "open")
    rows = db.session.execute(sa.select(Post.id, Post.body).where(
        query.whereclause)).all()
    db.session.execute(sa.delete(PostWord).where(PostWord.territory_id == territory_id))
    db.session.execute(sa.insert(PostWord), [
        {"post_id": post_id, "word": word, "territory_id": territory_id}
        for post_id, body in rows for word in duplicates.words(body)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))  # what autovacuum does after a bulk load
    for post in db.session.scalars(query.order_by(Post.id.desc()).limit(SUGGESTED)):
        duplicates.refresh(post)


def timed(client, url: str, channel: int, token: str) -> tuple[float, int]:
    """GET url, or for "POST <url>", a new need (its duplicates found on the way)."""
    runs, status = [], 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        if url.startswith("POST "):
            response = client.post(url[5:], headers={"Authorization": f"Bearer {token}"},
                                   json={"channel": channel, "kind": "need", "body": NEED,
                                         "client_id": f"bench-{time.time_ns()}"})
            status = 200 if response.status_code == 201 else response.status_code
        else:
            status = client.get(url).status_code
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite "
                        "file), e.g. postgresql://postgres@127.0.0.1:5432/bench_growth")
    args = parser.parse_args()

    in_instance(run, args)


def in_instance(run, args) -> None:
    """`run(args, instance)` in a new instance folder, removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix="concert-bench-"))
    try:
        run(args, instance)
    finally:
        shutil.rmtree(instance)


def run(args, instance: Path) -> None:
    database_url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    from concert.db import db
    from concert.services import accounts

    app = concert_app(database_url, instance, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                      POSTS_PER_MINUTE=10**9)
    with app.app_context():
        facilitator = accounts.create_user("anim@bench.test", "Fanny Animatrice", PASSWORD)
        token = accounts.issue_api_token(facilitator, "bench")
        started = time.perf_counter()
        seeded = {"petit": seed("petit", args.small, facilitator),
                  "grand": seed("grand", args.big, facilitator)}
        print(f"seeded {args.small} + {args.big} posts in {time.perf_counter() - started:.0f} s")
        if db.engine.dialect.name == "postgresql":  # as autovacuum leaves a loaded table
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    client = app.test_client()
    answer = client.post("/login", data={"email": "anim@bench.test", "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.status_code

    kind = database_url.split(":", 1)[0]
    print(f"\nGrowth: {args.small} vs {args.big} posts, {kind}, in-process, median of {ROUNDS}")
    header = f"{'answer':<58}{'small ms':>10}{'big ms':>10}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for pattern in ANSWERS:
        small, status_small = timed(client, pattern.format(slug="petit", **seeded["petit"]),
                                    seeded["petit"]["channel"], token)
        big, status_big = timed(client, pattern.format(slug="grand", **seeded["grand"]),
                                seeded["grand"]["channel"], token)
        flag = "" if status_small == status_big == 200 else f"  ({status_small}/{status_big})"
        print(f"{pattern.replace('{slug}', '<slug>').replace('{middle}', 'N/2'):<58}"
              f"{small * 1000:>10.1f}{big * 1000:>10.1f}{big / small:>8.2f}{flag}")


if __name__ == "__main__":
    main()
