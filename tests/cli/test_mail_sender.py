"""The senders of `concert run` processes, against a real SMTP server that goes down while
mails are queued: each mail arrives exactly once after it comes back. Two processes on
PostgreSQL (`FOR UPDATE SKIP LOCKED`); one on SQLite, which serves a single process."""
from __future__ import annotations

import time
from collections import Counter

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import MailOutbox, utcnow
from concert.services import mail
from tests.conftest import Server

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mail-senders")]

MAILS = 12


@pytest.fixture(scope="module")
def senders(app, database_url, instance_path, smtp_server):
    count = 2 if database_url.startswith("postgresql") else 1
    servers = [Server(database_url, instance_path, CONCERT_SMTP_URL=smtp_server.url)
               for _ in range(count)]
    yield servers
    for server in servers:
        server.stop()


def outbox(recipients: list[str]) -> list[MailOutbox]:
    db.session.rollback()  # a fresh snapshot
    return list(db.session.scalars(
        sa.select(MailOutbox).where(MailOutbox.recipient.in_(recipients))))


def wait_until(condition, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting: {what}"
        time.sleep(0.1)


def test_mails_queued_while_smtp_is_down_arrive_once_each_when_it_returns(
        world, smtp, senders):
    recipients = [f"person{n}@example.org" for n in range(MAILS)]
    smtp.stop()
    try:
        # One transaction: on SQLite, the test writes nothing while the server does.
        for email in recipients:
            mail.enqueue(mail.compose(email, "invitation", "fr", "Sujet", inviter="Fanny",
                                      territory="Métropole", role="Acteur", organisation="O",
                                      url="http://127.0.0.1/invite/x",
                                      expires_at=utcnow()),
                         "invitation")
        db.session.commit()
        wait_until(lambda: all(m.last_error for m in outbox(recipients)),
                   "every mail tried once and kept")
        assert {m.status for m in outbox(recipients)} == {"pending"}
    finally:
        smtp.start()
    wait_until(lambda: {m.status for m in outbox(recipients)} == {"sent"}, "every mail sent")
    arrived = Counter(r for m in smtp.messages for r in m.recipients if r in recipients)
    assert arrived == Counter(recipients)  # each exactly once
    assert len({m.message["Message-ID"] for m in smtp.messages}) == len(smtp.messages)
