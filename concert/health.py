"""What `/healthz` tells a load balancer: whether this process's database and message
queue answer now."""
from __future__ import annotations

import redis
import sqlalchemy as sa

from .db import UNREACHABLE, db

_queues: dict[str, redis.Redis] = {}


def check(message_queue: str | None) -> dict[str, str]:
    """`{"database": "ok" | "down", "message_queue": "ok" | "down"}` (no queue: no entry)."""
    status = {"database": _database()}
    if message_queue and message_queue.startswith(("redis://", "rediss://")):
        status["message_queue"] = _redis(message_queue)
    return status


def _database() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
        return "ok"
    except UNREACHABLE:
        db.rollback_quietly()
        return "down"


def _redis(url: str) -> str:
    client = _queues.get(url)
    if client is None:
        client = _queues[url] = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        return "ok"
    except redis.RedisError:
        return "down"
