"""The database: one engine, one session per request / Socket.IO event / greenlet."""
from __future__ import annotations

import greenlet
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker


class Model(DeclarativeBase):
    pass


# What the driver raises while the database is unreachable (stopped, restarting, network
# gone, every connection taken): the adapters answer "unavailable, try again" to these.
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


class Database:
    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        # Scoped to the current greenlet: unique per thread too, and right under gevent
        # whether or not the standard library was patched before this module was imported.
        self.session = scoped_session(
            sessionmaker(expire_on_commit=False), scopefunc=greenlet.getcurrent
        )

    def init_app(self, app) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.session.configure(bind=self.engine)
        app.teardown_appcontext(lambda _exc: self.session.remove())

    def rollback_quietly(self) -> None:
        """Ends the current transaction, even on a connection the database dropped."""
        try:
            self.session.rollback()
        except Exception:
            self.session.remove()

    @property
    def is_sqlite(self) -> bool:
        return self.engine is not None and self.engine.dialect.name == "sqlite"


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        # One connection per process: SQLite has one writer, and a transaction that read
        # before another one committed cannot write afterwards (no busy-wait helps), so
        # transactions of one process queue here (cooperatively under gevent) instead.
        # Several processes need PostgreSQL.
        engine = sa.create_engine(url, connect_args={"timeout": 30}, poolclass=sa.pool.QueuePool,
                                  pool_size=1, max_overflow=0, pool_timeout=60)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite would run SELECTs outside any transaction; emit BEGIN ourselves so a
        # session sees one consistent snapshot (SQLAlchemy's documented recipe).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    # pre_ping: connections from before a database restart are replaced, not used and
    # failed; connect_timeout: an unreachable host fails a request in seconds, not minutes.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                            pool_timeout=10, connect_args={"connect_timeout": 5})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is ours (see make_engine)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


db = Database()
