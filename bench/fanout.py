"""Fan-out benchmark: one member posts, N members receive.

Measures, for concert (`concert run`, one or two processes behind Redis) and for a bare
python-socketio broadcast server on the same stack (gevent), in the same run:
post → delivery latency p50 / p95 / p99, deliveries per second, and server memory (RSS).

    .venv/bin/python bench/fanout.py                      # 200 members, 1 process, SQLite
    .venv/bin/python bench/fanout.py --members 1000 --processes 2   # PostgreSQL + Redis

Two processes need PostgreSQL (CONCERT_BENCH_POSTGRES_URL, default the local `test`
database, in a schema of its own) and Redis (CONCERT_BENCH_REDIS_URL).

`--profile DIR` samples concert's server processes with py-spy while they deliver (raw
stacks in DIR) and prints the functions where they spent their time.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REDIS_URL, concert_app, database, free_port, rss_mib, wait_http  # noqa: E402

# --- concert ------------------------------------------------------------------------------

def prepare_concert(members: int, database_url: str, instance: Path) -> list[str]:
    """Schema by migrations, one territory, `members` members with API tokens."""
    from concert.db import db
    from concert.models import Membership, User
    from concert.services import accounts, security, territories

    app = concert_app(database_url, instance)
    with app.app_context():
        territory = territories.create_territory(None, "bench", "Banc d'essai", "13", [])
        password_hash = security.hash_password(secrets.token_urlsafe(16))  # one hash for all
        users = [User(email=f"m{i}@bench.test", name=f"Membre {i}", password_hash=password_hash)
                 for i in range(members)]
        db.session.add_all(users)
        db.session.flush()
        kinds = ["prefecture", "police_nationale", "commune", "bailleur_social", "prevention"]
        db.session.add_all([
            Membership(user_id=u.id, territory_id=territory.id,
                       role="facilitator" if i == 0 else "actor",
                       organisation=f"Organisation {i % 20}", organisation_kind=kinds[i % 5])
            for i, u in enumerate(users)])
        db.session.commit()
        return [accounts.issue_api_token(u, "bench") for u in users]


def start_concert(database_url: str, instance: Path, processes: int) -> list[tuple[str, subprocess.Popen]]:
    servers = []
    for _ in range(processes):
        port = free_port()
        env = {**os.environ, "CONCERT_DATABASE_URL": database_url,
               "CONCERT_INSTANCE": str(instance), "CONCERT_SECRET_KEY": "bench",
               "CONCERT_POSTS_PER_MINUTE": "100000"}  # one poster sends them all
        if processes > 1:
            env["CONCERT_MESSAGE_QUEUE"] = REDIS_URL
        process = subprocess.Popen([sys.executable, "-m", "concert", "run", "--port", str(port)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/healthz", process)
        servers.append((url, process))
    return servers


# --- bare python-socketio -----------------------------------------------------------------

BARE_SERVER = """
from gevent import monkey; monkey.patch_all()
import sys, socketio
from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler
sio = socketio.Server(async_mode="gevent", client_manager=(
    socketio.RedisManager(sys.argv[2]) if len(sys.argv) > 2 else None))
seq = [0]
@sio.on("join")
def join(sid, data):
    sio.enter_room(sid, "all")
    return {"ok": True, "seq": seq[0], "missed": []}
@sio.on("post")
def post(sid, data):
    seq[0] += 1
    message = {"territory": "bench", "seq": seq[0], "type": "post.created", "data": data}
    sio.emit("event", message, to="all")
    return {"ok": True, "post": data}
app = socketio.WSGIApp(sio, lambda e, s: (s("200 OK", []), [b"ok"])[1])
pywsgi.WSGIServer(("127.0.0.1", int(sys.argv[1])), app, log=None,
                  handler_class=WebSocketHandler).serve_forever()
"""


def start_bare(processes: int) -> list[tuple[str, subprocess.Popen]]:
    servers = []
    for _ in range(processes):
        port = free_port()
        args = [sys.executable, "-c", BARE_SERVER, str(port)]
        if processes > 1:
            args.append(REDIS_URL.rsplit("/", 1)[0] + "/1")
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/", process)
        servers.append((url, process))
    return servers


# --- the measurement ----------------------------------------------------------------------

async def measure(urls: list[str], tokens: list[str], messages: int, channel: int,
                  posting=None, wave: int = 50) -> dict:
    """`posting` (a context manager) surrounds the posts and their deliveries, not the
    connections and joins before nor the disconnections after."""
    received: dict[int, list[float]] = {}
    lost: list[tuple[int, str]] = []  # (client, reason) of the connections the server closed
    sent_at: dict[str, float] = {}
    clients = []

    def on_event(message):
        if message.get("type") == "post.created":
            received.setdefault(message["seq"], []).append(time.perf_counter())

    async def connect(i: int, token: str):
        client = socketio.AsyncClient(reconnection=False)
        client.on("event", on_event)
        client.on("disconnect", lambda reason=None: lost.append((i, reason)))
        await client.connect(urls[i % len(urls)], auth={"token": token}, transports=["websocket"],
                             wait_timeout=60)
        answer = await client.call("join", {"territory": "bench", "after_seq": None}, timeout=60)
        assert answer["ok"], answer
        clients.append(client)

    for start in range(0, len(tokens), wave):  # connect in waves, as a room fills up
        await asyncio.gather(*(connect(i, t) for i, t in enumerate(tokens[start:start + wave],
                                                                   start)))
    poster = clients[0]
    if lost:
        raise SystemExit(f"{len(lost)} connections closed while connecting, e.g. {lost[:3]}")
    seqs = []
    stage = posting or contextlib.nullcontext()
    stage.__enter__()
    started = time.perf_counter()
    for n in range(messages):
        client_id = f"bench-{n}-{secrets.token_hex(4)}"
        sent = time.perf_counter()
        ack = await poster.call("post", {"territory": "bench", "channel": channel,
                                         "kind": "message", "body": f"Message {n}",
                                         "client_id": client_id}, timeout=60)
        assert ack["ok"], ack
        seq = ack["post"].get("seq", n + 1)
        sent_at[seq] = sent
        seqs.append(seq)
        await asyncio.sleep(0.05)
    expected = len(clients)
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and any(len(received.get(s, [])) < expected for s in seqs):
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    stage.__exit__(None, None, None)
    latencies = sorted((t - sent_at[s]) * 1000 for s in seqs for t in received.get(s, []))
    delivered = len(latencies)
    for client in clients:
        await client.disconnect()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {"delivered": delivered, "expected": expected * messages,
            "p50": q[49], "p95": q[94], "p99": q[98], "per_second": delivered / elapsed}


# --- profile ------------------------------------------------------------------------------

@contextlib.contextmanager
def profiled(servers, folder: Path):
    profiles = start_profiles(servers, folder)
    try:
        yield
    finally:
        report_profiles(profiles)


def start_profiles(servers, folder: Path) -> list[tuple[Path, subprocess.Popen]]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    profiles = []
    for _url, process in servers:
        path = folder / f"concert-{process.pid}.txt"
        profiles.append((path, subprocess.Popen(
            [py_spy, "record", "--pid", str(process.pid), "--format", "raw", "--rate", "200",
             "--nonblocking", "--output", str(path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
    time.sleep(1)  # py-spy attaches
    return profiles


def report_profiles(profiles, top: int = 25) -> None:
    """Self time (the sampled frame) and inclusive time (anywhere on the stack) per
    function, over every server process."""
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for path, recorder in profiles:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on interrupt
        recorder.wait(30)
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [_short(frame) for frame in stack.split(";")]
            samples = int(count)
            total += samples
            own[frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
    if not total:
        print("no samples")
        return
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"\nconcert servers, {title} time ({total} samples at 200 Hz):")
        for frame, samples in counter.most_common(top):
            print(f"{samples / total:>7.1%}  {frame}")


def _short(frame: str) -> str:
    """"function (path/to/site-packages/pkg/module.py:12)" → "function (pkg/module.py)"."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/lib/python3.11/", "/work/"):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})"


def stop(servers) -> None:
    for _url, process in servers:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL even with one process (always with two)")
    parser.add_argument("--wave", type=int, default=50,
                        help="members connecting at once (fewer on a busy machine)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="sample concert's processes with py-spy; raw stacks in DIR")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="concert-bench-"))
    postgres = args.processes > 1 or args.postgres
    with database(postgres, instance) as database_url:
        tokens = prepare_concert(args.members, database_url, instance)
        from concert.db import db
        from concert.models import Channel
        import sqlalchemy as sa

        with db.engine.connect() as conn:
            channel = conn.execute(sa.select(sa.func.min(Channel.id))).scalar_one()
        db.engine.dispose()
        results = {}
        for name, start in (("bare python-socketio", lambda: start_bare(args.processes)),
                            ("concert", lambda: start_concert(database_url, instance,
                                                              args.processes))):
            servers = start()
            posting = (profiled(servers, args.profile)
                       if args.profile and name == "concert" else None)
            print(f"measuring {name}…", file=sys.stderr)
            try:
                result = asyncio.run(measure([u for u, _ in servers], tokens, args.messages,
                                             channel, posting, args.wave))
                result["rss"] = sum(rss_mib(p.pid) for _u, p in servers)
                results[name] = result
            finally:
                stop(servers)

    print(f"\nFan-out: {args.members} members, {args.messages} posts, "
          f"{args.processes} process(es), {'PostgreSQL' if postgres else 'SQLite'}")
    header = f"{'server':<22}{'delivered':>12}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}" \
             f"{'deliv/s':>10}{'RSS MiB':>10}"
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(f"{name:<22}{r['delivered']:>6}/{r['expected']:<5}{r['p50']:>10.1f}"
              f"{r['p95']:>10.1f}{r['p99']:>10.1f}{r['per_second']:>10.0f}{r['rss']:>10.0f}")
    bare, ours = results["bare python-socketio"], results["concert"]
    print(f"\nratio concert / bare: p50 ×{ours['p50'] / bare['p50']:.2f}, "
          f"p99 ×{ours['p99'] / bare['p99']:.2f}, "
          f"deliveries/s ×{ours['per_second'] / bare['per_second']:.2f}")


if __name__ == "__main__":
    main()
