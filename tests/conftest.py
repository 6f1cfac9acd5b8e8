"""Fixtures: every database test runs on SQLite and on PostgreSQL; end-to-end tests talk to a
real `concert run` process; browser tests drive Debian's Chromium."""
from __future__ import annotations

import copy
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.dialects.postgresql import JSONB

# Before concert is imported: the cheapest argon2 parameters, here and in every server and
# command the tests start (production parameters are asserted by a test of their own).
os.environ["CONCERT_INSECURE_FAST_PASSWORD_HASH"] = "1"
# Every Socket.IO event and ack checked against its model, in every app the tests make.
os.environ["CONCERT_VALIDATE_EVENTS"] = "1"

from concert import create_app  # noqa: E402
from concert.db import Model, db
from concert.schemas.territories import InvitationInput
from concert.services import accounts, members, territories

ROOT = Path(__file__).resolve().parent.parent
SSMSI = ROOT / "tests" / "data" / "ssmsi"  # sample SSMSI files
POSTGRES_URL = os.environ.get(
    "CONCERT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "correct horse battery staple"
SLUG = "metropole"  # the `world` fixture's territory


def as_(person, slug: str = SLUG):
    """`person`'s access to a territory, as services receive it from an adapter."""
    from concert.services.access import access

    return access(accounts.find_user(person.email), slug)


@pytest.fixture
def french(ctx):
    """Services outside a request speak the default language, as under `concert`."""
    from flask_babel import force_locale

    with force_locale("fr"):
        yield


# --- components the suite needs ----------------------------------------------------------

MISSING_PREFIX = "missing component: "


def need(component: str, problem: str) -> None:
    """A test that cannot run without `component` (PostgreSQL, Redis, Chromium…): under CI a
    broken set-up fails the run; on a developer's machine the test is skipped, and the end of
    the run says which components were missing and how many tests that hid."""
    message = f"{MISSING_PREFIX}{component}: {problem}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter):
    hidden: Counter = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        if MISSING_PREFIX in reason:
            hidden[reason.split(MISSING_PREFIX, 1)[1]] += 1
    if hidden:
        terminalreporter.section("tests NOT run: missing components", yellow=True, bold=True)
        for reason, count in hidden.most_common():
            terminalreporter.line(f"{count:5d} skipped — {reason}")


# --- databases ---------------------------------------------------------------------------

def _postgres_schema_url(schema: str) -> str:
    """The test database, with every connection's search_path set to our own schema. Test
    data need no durability: commits do not wait for the WAL to reach the disk (a setting
    of our connections only, the shared server's configuration is left alone)."""
    sep = "&" if "?" in POSTGRES_URL else "?"
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return f"{POSTGRES_URL}{sep}options={quote(options)}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        # In memory-backed files where there are (/dev/shm): every commit's fsync is free.
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        folder = Path(tempfile.mkdtemp(prefix="concert-sqlite-", dir=shm))
        yield f"sqlite:///{folder / 'concert.db'}"
        shutil.rmtree(folder, ignore_errors=True)
        return
    schema = f"concert_test_{os.getpid()}"
    try:
        admin = sa.create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg2://", 1))
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    except sa.exc.OperationalError as exc:
        need("PostgreSQL", f"unreachable at {POSTGRES_URL} ({str(exc).strip().splitlines()[0]})")
    yield _postgres_schema_url(schema)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    admin.dispose()


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


class FreshContextClient(FlaskClient):
    """Each request in its own app context (fresh `g`), as in production, even while the
    test itself holds one open for service calls."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, instance_path):
    """One app per database, schema created by the real migrations."""
    app = create_app({
        "DATABASE_URL": database_url.replace("postgresql://", "postgresql+psycopg2://", 1),
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret",
        "TESTING": True,
        "MESSAGE_QUEUE": None,
        "RATELIMIT_ENABLED": False,
        "POSTS_PER_MINUTE": 100_000,
        "VALIDATE_EVENTS": True,  # a mismatched event raises in the test (broadcast.py)
        "VALIDATE_RESPONSES": True,
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        from concert import migrate

        migrate.upgrade()
    yield app
    db.engine.dispose()


_RESTART_SEQUENCES = """
    SELECT setval(c.oid::regclass, 1, false) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'S' AND n.nspname = current_schema()
"""


def _empty_tables() -> None:
    """DELETE, children first, then identities restart at 1 on both databases: on a test's
    few rows this is a tenth of what TRUNCATE costs (it makes new files for each table)."""
    tables = [t.name for t in reversed(Model.metadata.sorted_tables)]
    # The live server of the previous test may still be answering a page's last request
    # (a live refresh, a heartbeat): our deletes can meet its locks in the other order, and
    # PostgreSQL then cancels one side as a deadlock. Ours is simply tried again.
    for attempt in range(5):
        try:
            with db.engine.begin() as conn:
                for table in tables:
                    conn.exec_driver_sql(f"DELETE FROM {table}")
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql(_RESTART_SEQUENCES)
            return
        except sa.exc.OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == 4:
                raise


@pytest.fixture
def ctx(app):
    """An app context on an empty database."""
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()


@pytest.fixture
def client(ctx):
    return ctx.test_client()


@pytest.fixture
def runner(ctx, database_url, instance_path):
    """Runs the real `concert` command in a subprocess against the test database."""

    def run(*args: str, input: str | None = None, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "concert", *args], input=input, capture_output=True,
            text=True, env=_server_env(database_url, instance_path, **env), timeout=120,
        )

    return run


# --- people and territories --------------------------------------------------------------

@dataclass
class Person:
    email: str
    name: str
    id: int
    password: str = PASSWORD
    token: str = ""

    def bearer(self) -> dict:
        if not self.token:
            self.token = accounts.issue_api_token(accounts.find_user(self.email), "tests")
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """A territory with a facilitator, two actors, an observer, and an outsider who
    belongs to another territory."""

    slug: str
    facilitator: Person
    actors: list[Person]
    observer: Person
    outsider: Person
    admin: Person
    other_slug: str = "autre"
    extra: dict = field(default_factory=dict)

    @property
    def actor(self) -> Person:
        return self.actors[0]


def make_person(name: str, email: str, *, admin: bool = False) -> Person:
    user = accounts.create_user(email, name, PASSWORD, is_admin=admin)
    db.session.commit()
    return Person(email=email, name=name, id=user.id)


def join(slug: str, person_email: str, name: str, role: str, organisation: str,
         kind: str) -> Person:
    _invitation, url = members.invite(
        territories.system_access(slug), InvitationInput(
            email=person_email, role=role, organisation=organisation, organisation_kind=kind)
    )
    membership = members.accept_invitation(url.rsplit("/", 1)[1], name=name, password=PASSWORD)
    return Person(email=person_email, name=name, id=membership.user_id)


@pytest.fixture
def world(ctx, database_url) -> World:
    """Built through the services once per database; later tests get the same rows copied
    back into their emptied tables, and a fresh copy of the people."""
    cached = _WORLDS.get(database_url)
    if cached is None:
        cached = _WORLDS[database_url] = (_build_world(), _rows())
    else:
        _restore(cached[1])
    return copy.deepcopy(cached[0])


_WORLDS: dict[str, tuple[World, dict[str, list[dict]]]] = {}


def _rows() -> dict[str, list[dict]]:
    """Every row, a JSON column's SQL NULL told apart from its JSON `null`."""
    rows = {}
    with db.engine.connect() as conn:
        for table in Model.metadata.sorted_tables:
            json_columns = [c for c in table.columns if isinstance(c.type, sa.JSON)]
            raw = [sa.cast(c, sa.Text).label(f"raw {c.name}") for c in json_columns]
            rows[table.name] = []
            for row in conn.execute(sa.select(table, *raw)).mappings():
                values = {c.name: row[c] for c in table.columns}
                for column in json_columns:
                    if row[f"raw {column.name}"] == "null":
                        values[column.name] = sa.JSON.NULL
                rows[table.name].append(values)
    return rows


def _as_copied(table: sa.Table) -> sa.Table:
    """The table with JSON columns that write Python None as SQL NULL (JSON.NULL stays
    JSON `null`), as the ORM wrote the rows it left unset."""
    def copied(type_):
        if not isinstance(type_, sa.JSON):
            return type_
        return sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

    return sa.Table(table.name, sa.MetaData(),
                    *(sa.Column(c.name, copied(c.type)) for c in table.columns))


def _restore(rows: dict[str, list[dict]]) -> None:
    with db.engine.begin() as conn:
        for table in Model.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(_as_copied(table).insert(), rows[table.name])
                if conn.dialect.name == "postgresql" and "id" in table.c:
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"max(id)) FROM {table.name}"))


def _build_world() -> World:
    territories.create_territory(None, "metropole", "Métropole test", "13", ["13055", "13001"])
    territories.create_territory(None, "autre", "Autre territoire", "69", ["69123"])
    admin = make_person("Ada Admin", "admin@example.org", admin=True)
    return World(
        slug="metropole",
        facilitator=join("metropole", "anim@example.org", "Fanny Animatrice", "facilitator",
                         "Préfecture des Bouches-du-Rhône", "prefecture"),
        actors=[
            join("metropole", "police@example.org", "Paul Police", "actor",
                 "DDSP 13", "police_nationale"),
            join("metropole", "bailleur@example.org", "Béatrice Bailleur", "actor",
                 "Habitat 13", "bailleur_social"),
        ],
        observer=join("metropole", "obs@example.org", "Oscar Observateur", "observer",
                      "Parquet", "justice"),
        outsider=join("autre", "outsider@example.org", "Olga Autre", "facilitator",
                      "Préfecture du Rhône", "prefecture"),
        admin=admin,
    )


# --- a real server process ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(database_url: str, instance_path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERT_")}
    env.update(
        CONCERT_DATABASE_URL=database_url,
        CONCERT_INSTANCE=str(instance_path),
        CONCERT_SECRET_KEY="test-secret",
        CONCERT_LOGIN_RATE_LIMIT="1000 per minute",
        CONCERT_LOGIN_IP_RATE_LIMIT="1000 per minute",
        CONCERT_INSECURE_FAST_PASSWORD_HASH="1",
        CONCERT_LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute",
        CONCERT_POSTS_PER_MINUTE="100000",
        CONCERT_PDF_EXPORTS_RATE_LIMIT="1000 per minute",
        CONCERT_TOKENS_RATE_LIMIT="1000 per minute",
        CONCERT_VALIDATE_EVENTS="1",  # a mismatch is logged: Server.check_events finds it
        CONCERT_VALIDATE_RESPONSES="1",
        # No notification mail nor digest written by a server behind a test's back (they are
        # tested by calling mail_due and send_digests): on SQLite, a write the server
        # commits while the test holds a snapshot makes the test's next write fail.
        CONCERT_NOTIFICATION_MAILER="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _die_with_parent() -> None:
    """The server goes when the test run goes, even if pytest is killed (Linux)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Server:
    """A `concert run` process on a free port."""

    def __init__(self, database_url: str, instance_path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(instance_path) / f"server-{self.port}.log"
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "concert", "run", "--port", str(self.port)],
            env=_server_env(database_url, instance_path, **env),
            stdout=self._log_file, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 120  # a loaded CI machine starts slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"server not ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()
        self.check_events()

    def log_size(self) -> int:
        return self.log.stat().st_size

    def check_events(self, since: int = 0) -> None:
        """Fails if the server sent an event or an ack that does not match its model
        (concert/realtime/broadcast.py logs it) since that point of its log."""
        with open(self.log, "rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", "replace")
        if (at := text.find("does not match its schema")) >= 0:
            pytest.fail(f"{self.url}: an event does not match its schema:\n{text[at:at + 4000]}")


def wait_for_disconnections(sids: list[str] | None = None, timeout: float = 10) -> None:
    """Until the live servers have handled these connections' closing (every connection
    when `sids` is None): the next test's set-up must not overlap a write of theirs, which
    SQLite would refuse to one side at once ("database is locked")."""
    from concert.models import Connection

    query = sa.select(sa.func.count()).select_from(Connection)
    if sids is not None:
        query = query.where(Connection.sid.in_(sids))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # a fresh snapshot
        if not db.session.scalar(query):
            return
        time.sleep(0.1)


@pytest.fixture(scope="session")
def live_server(app, database_url, instance_path):
    """A real server on the session's database (tables emptied before each test by `ctx`)."""
    server = Server(database_url, instance_path)
    yield server
    server.stop()


@pytest.fixture
def server(live_server, world):
    """The live server and a populated territory; what it sent must match its models."""
    since = live_server.log_size()
    yield live_server
    live_server.check_events(since)


class Api:
    """requests against the live server, as one person (Bearer) or anonymously."""

    def __init__(self, base: str, person: Person | None = None) -> None:
        self.base = base.rstrip("/") + "/api/v1"
        self.session = requests.Session()
        if person is not None:
            self.session.headers.update(person.bearer())

    def __getattr__(self, method: str):
        if method not in {"get", "post", "patch", "delete", "put"}:
            raise AttributeError(method)
        return lambda path, **kw: self.session.request(
            method.upper(), self.base + path, timeout=30, **kw
        )


@pytest.fixture
def api(server):
    return lambda person=None: Api(server.url, person)


@pytest.fixture
def contribute(api):
    """`contribute(person, kind, body, channel=…)` posts through the API (into "Habitat
    social" unless told) and returns the post as the API answered it."""
    import uuid

    def post(person, kind: str = "need", body: str = "Des halls d'immeuble occupés le soir",
             *, channel: int | None = None, slug: str = SLUG) -> dict:
        client = api(person)
        if channel is None:
            items = client.get(f"/territories/{slug}/channels").json()["items"]
            channel = next(c["id"] for c in items if c["name"] == "Habitat social")
        response = client.post(f"/territories/{slug}/posts", json={
            "channel": channel, "kind": kind, "body": body, "client_id": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return response.json()

    return post


def browser_login(session: requests.Session, base: str, email: str, password: str = PASSWORD):
    """Signs in through the real login form (CSRF token included)."""
    page = session.get(base + "/login")
    token = _csrf_from(page.text)
    return session.post(base + "/login", data={
        "csrf_token": token, "email": email, "password": password,
    }, allow_redirects=False)


def client_sign_in(client, email: str, password: str = PASSWORD) -> None:
    """Signs a Flask test client in through the login form."""
    token = _csrf_from(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"csrf_token": token, "email": email,
                                         "password": password})
    assert answer.status_code == 302


def _csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf_from():
    return _csrf_from


@pytest.fixture
def login():
    return browser_login


def new_secret() -> str:
    return secrets.token_hex(4)


# --- a real SMTP server ------------------------------------------------------------------

@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: "EmailMessage"  # noqa: F821

    def part(self, subtype: str) -> str:
        return self.message.get_body((subtype,)).get_content()

    def link(self, path: str) -> str:
        """The first absolute link to `path…` in the text part."""
        import re

        match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", self.part("plain"))
        assert match, f"no {path} link in:\n{self.part('plain')}"
        return match.group(0)


def mailed_message(email: str, kind: str | None = None):
    """The latest mail (of `kind`, if given) to `email` that the instance kept as a file (no
    SMTP configured: the development default), parsed as a mail client would."""
    from email import message_from_bytes, policy

    from concert.models import MailOutbox
    from concert.services import mail

    db.session.rollback()  # a fresh snapshot: the live server may have written it
    query = sa.select(MailOutbox.id).where(MailOutbox.recipient == email)
    if kind is not None:
        query = query.where(MailOutbox.kind == kind)
    mail_id = db.session.scalar(query.order_by(MailOutbox.id.desc()).limit(1))
    assert mail_id is not None, f"no {kind or ''} mail to {email}"
    return message_from_bytes(mail.mail_file(mail_id).read_bytes(), policy=policy.default)


def mailed_link(email: str, path: str) -> str:
    """The link to `path…` in the latest mail to `email` kept as a file."""
    return Received("", [email], mailed_message(email)).link(path)


class SmtpServer:
    """aiosmtpd in a thread of the test process, on a port of its own that stays the same
    across stop() and start(). Addresses in `refuse` get a permanent 550."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self.controller = None
        self.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        self.messages.clear()
        self.refuse.clear()

    def wait_for(self, count: int, timeout: float = 120) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp(ctx, smtp_server):
    """The test app sends through the real SMTP server (instead of writing .eml files)."""
    smtp_server.clear()
    ctx.config["SMTP_URL"] = smtp_server.url
    yield smtp_server
    ctx.config["SMTP_URL"] = None


# --- attached documents: one small real file of each accepted family ----------------------

def _pdf(text: str) -> bytes:
    """A one-page PDF whose text pypdf extracts (objects and xref offsets written here)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
               b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _saved(save) -> bytes:
    import io

    buffer = io.BytesIO()
    save(buffer)
    return buffer.getvalue()


def _image(fmt: str, size=(64, 32), **options) -> bytes:
    from PIL import Image

    return _saved(lambda out: Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **options))


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    return _saved(document.save)


def _xlsx(text: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = text
    return _saved(workbook.save)


def _odf(kind: str, text: str) -> bytes:
    import odfdo

    document = odfdo.Document(kind)
    if kind == "spreadsheet":
        table = odfdo.Table("Feuille")
        table.set_value("A1", text)
        document.body.append(table)
    else:
        document.body.append(odfdo.Paragraph(text))
    return _saved(document.save)


def _pptx() -> bytes:
    """An OOXML presentation's package: its [Content_Types].xml names the main part."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/ppt/presentation.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.presentationml.presentation.'
            'main+xml"/></Types>'))
        package.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


def document(kind: str, words: str = "Caméras de vidéoprotection place Jaurès"
             ) -> tuple[str, bytes, str]:
    """(file name, bytes, content type concert must detect) of a small `kind` file."""
    return {
        "pdf": ("rapport CLSPD.pdf", _pdf(words), "application/pdf"),
        "docx": ("Plan de sécurité.docx", _docx(words),
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx": ("effectifs.xlsx", _xlsx(words),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "pptx": ("présentation.pptx", _pptx(),
                 "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        "odt": ("compte rendu.odt", _odf("text", words), "application/vnd.oasis.opendocument.text"),
        "ods": ("tableau.ods", _odf("spreadsheet", words),
                "application/vnd.oasis.opendocument.spreadsheet"),
        "odp": ("diaporama.odp", _odf("presentation", words),
                "application/vnd.oasis.opendocument.presentation"),
        "png": ("plan.png", _image("PNG"), "image/png"),
        "jpeg": ("photo.jpg", _image("JPEG"), "image/jpeg"),
        "webp": ("carte.webp", _image("WEBP"), "image/webp"),
        "gif": ("schéma.gif", _image("GIF"), "image/gif"),
        "csv": ("faits.csv", f"commune;faits\n13055;{words}\n".encode("utf-8"), "text/csv"),
        "txt": ("notes.txt", words.encode("cp1252"), "text/plain"),
    }[kind]


DOCUMENT_KINDS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "png", "jpeg", "webp",
                  "gif", "csv", "txt")
