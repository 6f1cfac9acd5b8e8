"""Every committed event reaches this process's connections, whatever the message queue does.

A process hands its own events to its rooms at commit and gets the other processes' through
Redis pub/sub, which keeps nothing for a listener that is away: while Redis restarts, or
when a process dies between a commit and its broadcast, an event can miss a process. So each
process keeps, for every territory its connections have joined, the seqs it has handed to
its rooms, and every second reads the territories' counters: a seq still missing at the next
check is read from the event log and handed to the rooms it belongs to (the audience rule of
`rooms_for_channel`, as at commit), on this process only. A seq that comes again (the
queue's copy after a re-delivery) is dropped, so each connection gets each event once."""
from __future__ import annotations

import logging
import time

import socketio

from ..extensions import socketio as flask_socketio
from ..services import audience, events
from . import broadcast

CHECK_EVERY = 1.0  # seconds; a lost event arrives one to two checks late
REDELIVER_AT_ONCE = 1000  # per territory and check, oldest first
logger = logging.getLogger(__name__)


class Delivered:
    """The seqs of one territory this process has handed to its rooms: every one up to
    `upto`, and those in `above`. An event quoting posts goes out in parts, one per wording
    (to the rooms of the organisation kinds that read it so), all with its seq: a part is
    named by its rooms."""

    KEEP = 10_000  # seqs below `upto` whose parts are still remembered

    def __init__(self, territory_id: int, upto: int) -> None:
        self.territory_id = territory_id
        self.upto = upto
        self.floor = upto  # at or below: the connections hold them already
        self.above: set[int] = set()
        self.parts: dict[int, set[tuple]] = {}
        self.suspect: set[int] = set()  # missing at the last check

    def take(self, seq: int, part: tuple = ()) -> bool:
        """Counts that part of `seq` as handed over; False if it already was."""
        if seq <= self.floor or part in self.parts.get(seq, ()):
            return False
        self.parts.setdefault(seq, set()).add(part)
        if seq > self.upto:
            self.above.add(seq)
            while self.upto + 1 in self.above:
                self.upto += 1
                self.above.remove(self.upto)
        if len(self.parts) > 2 * self.KEEP:
            self.floor = max(self.floor, self.upto - self.KEEP)
            self.parts = {s: p for s, p in self.parts.items() if s > self.floor}
        return True

    def missing(self, latest: int) -> list[int]:
        return [seq for seq in range(self.upto + 1, latest + 1) if seq not in self.above]


class LoggedRedisManager(socketio.RedisManager):
    """Flask-SocketIO's Redis message queue, backed by the event log."""

    def __init__(self, url: str, app) -> None:
        # A Redis that does not answer must not hold a commit's broadcast for long.
        super().__init__(url, channel="flask-socketio",
                         redis_options={"socket_connect_timeout": 2})
        self.app = app
        self.territories: dict[str, Delivered] = {}  # by slug

    def initialize(self) -> None:  # at the process's first connection
        super().initialize()
        self.server.start_background_task(self._check_forever)

    def watch(self, territory_id: int, slug: str, seq: int) -> None:
        """A connection joined that territory holding every event up to `seq`. Bookkeeping
        that no longer fits the log starts again: the slug names another territory now (one
        deleted, another created), or the log is behind what was counted (a database
        restored from a backup; a test's). A join that read the counter just before a commit
        this process has already handed over looks the same: that event may then be handed
        over twice, which clients already expect of a join (they keep one per seq)."""
        known = self.territories.get(slug)
        if known is None or known.territory_id != territory_id or seq < known.upto:
            self.territories[slug] = Delivered(territory_id, seq)

    def _handle_emit(self, message: dict) -> None:
        # Every broadcast passes here: this process's own at commit, the others' from Redis.
        slug, seq = _logged_event(message)
        if seq is not None and (delivered := self.territories.get(slug)) is not None:
            if not delivered.take(seq, _part(message.get("room"))):
                return
        super()._handle_emit(message)

    def _check_forever(self) -> None:
        while True:
            self.server.sleep(CHECK_EVERY)
            try:
                with self.app.app_context():
                    self.check()
            except Exception as exc:  # the database is away: the next check tries again
                logger.warning("event log check failed: %s", exc)

    def check(self) -> None:
        """Re-delivers, from the log, the seqs found missing twice in a row."""
        rooms = self.rooms.get("/", {})
        for slug, delivered in list(self.territories.items()):
            if not rooms.get(audience.territory_room(delivered.territory_id)):
                del self.territories[slug]  # no connection of this process is there now
        if not self.territories:
            return
        latest = events.latest_seqs(d.territory_id for d in self.territories.values())
        for slug, delivered in list(self.territories.items()):
            missing = delivered.missing(latest.get(delivered.territory_id, delivered.upto))
            overdue = sorted(delivered.suspect.intersection(missing))[:REDELIVER_AT_ONCE]
            delivered.suspect = set(missing).difference(overdue)
            if overdue:
                self._redeliver(slug, delivered, overdue)

    def _redeliver(self, slug: str, delivered: Delivered, seqs: list[int]) -> None:
        sent = 0
        for message, rooms in events.logged(delivered.territory_id, seqs):
            if delivered.take(message["seq"], _part(rooms)):
                broadcast.check(message)
                self.emit("event", message, namespace="/", room=rooms, ignore_queue=True)
                sent += 1
        for seq in seqs:  # gone from the log (a deleted channel's): nothing to deliver
            delivered.take(seq)
        if sent:
            logger.warning("%s: %d events the message queue did not bring were delivered "
                           "from the event log (seqs %d to %d)", slug, sent, seqs[0], seqs[-1])

    def _redis_listen_with_retries(self):
        """RedisManager's listener, retrying every second rather than backing off up to a
        minute: live delivery comes back as soon as Redis does."""
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                yield from self.pubsub.listen()
            except Exception as exc:
                logger.warning("Redis listener lost (%s): retrying in 1 s", exc)
                time.sleep(1)


def _part(rooms: str | list[str] | None) -> tuple:
    return tuple(sorted([rooms] if isinstance(rooms, str) else rooms or []))


def _logged_event(message: dict) -> tuple[str | None, int | None]:
    """(territory slug, seq) of a queued `event` broadcast; (None, None) for anything else
    (ephemeral events, notifications, …)."""
    data = message.get("data")
    if message.get("event") == "event" and isinstance(data, list) and len(data) == 1 \
            and isinstance(data[0], dict) and isinstance(data[0].get("seq"), int):
        return data[0].get("territory"), data[0]["seq"]
    return None, None


def watch(territory_id: int, slug: str, seq: int) -> None:
    """See LoggedRedisManager.watch; nothing to do for a single process."""
    manager = flask_socketio.server.manager
    if isinstance(manager, LoggedRedisManager):
        manager.watch(territory_id, slug, seq)
