"""Catch-up benchmark: a member comes back after N events (default 10,000) and joins with
`after_seq`, following `more` until it holds them all.

Measures, in the same run, against a real `concert run` process and against a bare
python-socketio server on the same stack (gevent) that answers `join` with the same events
already in memory, paged the same way: the time from the first `join` to the last event,
the number of joins, and the server process's CPU time for it (steadier than the wall time
on a busy machine). The bare server is the floor: transport and
JSON only, no database, no audience rule.

    .venv/bin/python bench/catchup.py                 # 10,000 events, SQLite
    .venv/bin/python bench/catchup.py --postgres      # PostgreSQL (CONCERT_BENCH_POSTGRES_URL)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import concert_app, database, free_port, wait_http  # noqa: E402

ROUNDS = 3


def seed(database_url: str, instance: Path, events: int) -> tuple[str, Path]:
    """A territory with `events` posts (each a post.created event, as the service writes
    it); returns a member's API token and a JSON file of the events for the bare server."""
    import sqlalchemy as sa

    from concert.db import db
    from concert.models import Channel, Event, Post, Territory
    from concert.schemas.workspace import PostInput
    from concert.services import accounts, members, posts, territories
    from concert.services.access import access
    from concert.schemas.territories import InvitationInput

    app = concert_app(database_url, instance)
    with app.app_context():
        territories.create_territory(None, "bench", "Banc d'essai", "13", [])
        _invitation, url = members.invite(territories.system_access("bench"), InvitationInput(
            email="m@bench.test", role="actor", organisation="DDSP 13",
            organisation_kind="police_nationale"))
        membership = members.accept_invitation(url.rsplit("/", 1)[1], name="Membre",
                                               password="correct horse battery staple")
        user = membership.user
        token = accounts.issue_api_token(user, "bench")
        channel = db.session.scalar(sa.select(Channel).order_by(Channel.id))
        first, _ = posts.create_post(access(user, "bench"), PostInput(
            channel=channel.id, kind="proposal", body="Une **proposition** de départ.",
            client_id="bench-0"))
        template = posts.serialise(first)
        territory = db.session.scalar(sa.select(Territory).where(Territory.slug == "bench"))
        body = "Besoin d'un *point de contact* unique avec la police municipale. " * 3
        rows, logged = [], []
        for n in range(1, events):
            seq = first.seq + n
            rows.append(dict(territory_id=territory.id, channel_id=channel.id,
                             author_id=user.id, author_organisation="DDSP 13",
                             author_organisation_kind="police_nationale", kind="proposal",
                             body=body, html=first.html, status="open", client_id=f"bench-{n}",
                             seq=seq, support_count=0, reply_count=0,
                             created_at=first.created_at))
        db.session.execute(sa.insert(Post), rows)
        ids = dict(db.session.execute(sa.select(Post.seq, Post.id)
                                      .where(Post.territory_id == territory.id)).all())
        for n in range(1, events):
            seq = first.seq + n
            data = {**template, "id": ids[seq], "seq": seq, "body": body,
                    "client_id": f"bench-{n}"}
            logged.append(dict(territory_id=territory.id, seq=seq, type="post.created",
                               data=data, channel_id=channel.id, post_id=ids[seq],
                               created_at=first.created_at))
        db.session.execute(sa.insert(Event), logged)
        territory.last_seq = first.seq + events - 1
        db.session.commit()
        everything = [{"territory": "bench", "seq": seq, "type": type_, "data": data}
                      for seq, type_, data in db.session.execute(
                          sa.select(Event.seq, Event.type, Event.data)
                          .where(Event.territory_id == territory.id).order_by(Event.seq))]
    dump = instance / "events.json"
    dump.write_text(json.dumps(everything))
    return token, dump


BARE_SERVER = """
from gevent import monkey; monkey.patch_all()
import json, sys, socketio
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler
events = json.load(open(sys.argv[2]))
limit = int(sys.argv[3])
sio = socketio.Server(async_mode="gevent")
@sio.on("join")
def join(sid, data):
    after = data["after_seq"] or 0
    missed = [e for e in events if e["seq"] > after][:limit]
    return {"ok": True, "seq": events[-1]["seq"], "missed": missed, "more": len(missed) == limit}
app = socketio.WSGIApp(sio, lambda e, s: (s("200 OK", []), [b"ok"])[1])
pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None,
                  handler_class=WebSocketHandler).serve_forever()
"""


def catch_up(url: str, token: str | None) -> dict:
    """Connects, joins with after_seq=0 and follows `more`; times the joins."""
    # websocket-client checks each text frame's UTF-8 in pure Python (about a second per
    # 10,000 events here, more than the server's work): a browser does it natively.
    client = socketio.Client(reconnection=False,
                             websocket_extra_options={"skip_utf8_validation": True})
    client.connect(url, auth={"token": token} if token else None, transports=["websocket"],
                   wait_timeout=60)
    try:
        after, joins, events = 0, 0, 0
        started = time.perf_counter()
        while True:
            answer = client.call("join", {"territory": "bench", "after_seq": after}, timeout=120)
            joins += 1
            assert answer["ok"], answer
            events += len(answer["missed"])
            if not answer.get("more"):
                break
            after = answer["missed"][-1]["seq"]
        elapsed = time.perf_counter() - started
    finally:
        client.disconnect()
    return {"seconds": elapsed, "joins": joins, "events": events}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process: steadier than wall time on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, token: str | None, pid: int) -> dict:
    runs = []
    for _ in range(ROUNDS):
        before = cpu_seconds(pid)
        runs.append(catch_up(url, token))
        runs[-1]["cpu"] = cpu_seconds(pid) - before
    return {**runs[0], "seconds": statistics.median(r["seconds"] for r in runs),
            "best": min(r["seconds"] for r in runs),
            "cpu": statistics.median(r["cpu"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="concert-bench-"))
    servers = []
    with database(args.postgres, instance) as database_url:
        try:
            token, dump = seed(database_url, instance, args.events)
            from concert.db import db
            from concert.services.events import CATCH_UP_LIMIT

            db.engine.dispose()
            results = {}
            for name in ("bare python-socketio", "concert"):
                port = free_port()
                if name == "concert":
                    command = [sys.executable, "-m", "concert", "run", "--port", str(port)]
                else:
                    command = [sys.executable, "-c", BARE_SERVER, str(port), str(dump),
                               str(CATCH_UP_LIMIT)]
                env = {**os.environ, "CONCERT_DATABASE_URL": database_url,
                       "CONCERT_INSTANCE": str(instance), "CONCERT_SECRET_KEY": "bench"}
                process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                servers.append(process)
                url = f"http://127.0.0.1:{port}"
                wait_http(url + ("/healthz" if name == "concert" else "/"), process)
                results[name] = measure(url, token if name == "concert" else None, process.pid)
                process.terminate()
                process.wait(10)
        finally:
            for process in servers:
                if process.poll() is None:
                    process.kill()

    print(f"\nCatch-up of {args.events} events, {'PostgreSQL' if args.postgres else 'SQLite'}, "
          f"median of {ROUNDS} (best in brackets)")
    header = f"{'server':<22}{'events':>8}{'joins':>7}{'seconds':>10}{'best':>8}{'server CPU s':>14}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(f"{name:<22}{r['events']:>8}{r['joins']:>7}{r['seconds']:>10.3f}"
              f"{r['best']:>8.3f}{r['cpu']:>14.3f}")
    bare, ours = results["bare python-socketio"], results["concert"]
    print(f"\nratio concert / bare: time ×{ours['seconds'] / bare['seconds']:.2f}, "
          f"server CPU ×{ours['cpu'] / bare['cpu']:.2f}")


if __name__ == "__main__":
    main()
