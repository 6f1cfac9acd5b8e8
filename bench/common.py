"""What every benchmark sets up the same way: a database of its own (a new SQLite file, or a
schema of its own in PostgreSQL, dropped afterwards), concert's schema by its migrations,
servers on free ports."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("CONCERT_BENCH_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("CONCERT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def database(postgres: bool, instance: Path) -> Iterator[str]:
    """The URL of an empty database: `bench.db` in `instance`, or a PostgreSQL schema named
    after this process in CONCERT_BENCH_POSTGRES_URL, dropped on the way out."""
    if not postgres:
        yield f"sqlite:///{instance / 'bench.db'}"
        return
    import sqlalchemy as sa

    schema = f"concert_bench_{os.getpid()}"
    admin = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg2://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def concert_app(database_url: str, instance: Path, **config):
    """`concert init` on that database (the migrations), then an app on it in this process,
    with the same environment as the servers the benchmark starts."""
    env = {**os.environ, "CONCERT_DATABASE_URL": database_url, "CONCERT_INSTANCE": str(instance)}
    subprocess.run([sys.executable, "-m", "concert", "init"], env=env, check=True,
                   capture_output=True)
    os.environ.update(env)
    from concert import create_app

    return create_app({"MESSAGE_QUEUE": None, **config})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> float:
    """Resident memory of a process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} not ready")
