"""Notification benchmark: what notifying a territory of 500 members adds to a post's ack.

In one run and one database, on one territory of N members (default 500), the same actor
posts, alternately:
  - a plain message, which notifies no one (the baseline);
  - a reply whose post mentions every member (`notifications.notify_mentions` with the
    N member ids, as the mentions code calls it): N notifications in one bulk insert,
    N `notification` events queued, the immediate ones marked for the mailer.
The time is the service's, from the call to the commit (what a `post` ack waits for),
in-process; median and 95th percentile of each. The mention is committed apart from the
post here (two commits where the mentions code makes one): an upper bound.

Then the mailer's time to compose one such post's N mails into the outbox, which happens
outside any request (`notifications.mail_due`, in each server process's mailer).

    .venv/bin/python bench/notify.py                   # 500 members, SQLite
    createdb -h 127.0.0.1 -U postgres bench_notify
    .venv/bin/python bench/notify.py --database-url postgresql://postgres@127.0.0.1:5432/bench_notify
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import concert_app  # noqa: E402
from growth import in_instance  # noqa: E402

ROUNDS = 30
KINDS = ("prefecture", "police_nationale", "commune", "bailleur_social", "prevention")


def seed(members: int):
    """A territory, its facilitator and `members` actors (rows written directly: the
    invitation flow would hash 500 passwords)."""
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Membership, User
    from concert.services import territories

    territory = territories.create_territory(None, "bench", "Territoire du banc", "13",
                                             ["13055"])
    db.session.execute(sa.insert(User), [
        {"email": f"membre{i}@bench.test", "name": f"Membre {i}", "password_hash": "x"}
        for i in range(members)])
    ids = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
    db.session.execute(sa.insert(Membership), [
        {"user_id": user_id, "territory_id": territory.id,
         "role": "facilitator" if n == 0 else "actor", "organisation": f"Organisation {n % 40}",
         "organisation_kind": KINDS[n % len(KINDS)]} for n, user_id in enumerate(ids)])
    db.session.commit()
    return ids


def run(args, instance: Path) -> None:
    database_url = args.database_url or f"sqlite:///{instance / 'bench.db'}"
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Notification, User
    from concert.schemas.workspace import PostInput
    from concert.services import audience, notifications, posts
    from concert.services.access import access

    app = concert_app(database_url, instance, RATELIMIT_ENABLED=False, POSTS_PER_MINUTE=10**9)
    with app.app_context():
        ids = seed(args.members)
        author = db.session.get(User, ids[1])
        where = access(author, "bench")
        channel = next(c.id for c in audience.visible_channels(where) if not c.restricted_to)

        def post(**extra):
            return posts.create_post(where, PostInput(
                channel=channel, kind="message", body="Point sur les rondes de nuit @tous",
                client_id=uuid.uuid4().hex, **extra))[0]

        thread = post()
        plain, notifying = [], []
        for _round in range(args.rounds):
            started = time.perf_counter()
            post()
            plain.append(time.perf_counter() - started)
            started = time.perf_counter()
            answer = post(reply_to=thread.id)
            notifications.notify_mentions(answer, ids)
            db.session.commit()
            notifying.append(time.perf_counter() - started)
        # The mailer's share of the last post only: one post's mails.
        db.session.execute(sa.update(Notification).where(
            Notification.post_id != answer.id).values(mail_pending=False))
        db.session.commit()
        started = time.perf_counter()
        mailed = notifications.mail_due()
        mailing = time.perf_counter() - started

    kind = database_url.split(":", 1)[0]
    print(f"\nPost ack with notifications: {args.members} members, {kind}, in-process, "
          f"{args.rounds} posts each")
    header = f"{'post':<44}{'median ms':>11}{'p95 ms':>9}"
    print(header)
    print("-" * len(header))
    for label, times in (("plain message (no notification)", plain),
                         (f"reply mentioning {args.members} members", notifying)):
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{label:<44}{statistics.median(times) * 1000:>11.1f}{p95 * 1000:>9.1f}")
    print(f"\nFor one such post, the mailer composed its {mailed} immediate mails into the "
          f"outbox in {mailing:.1f} s, outside any request.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite "
                        "file), e.g. postgresql://postgres@127.0.0.1:5432/bench_notify")
    in_instance(run, parser.parse_args())


if __name__ == "__main__":
    main()
