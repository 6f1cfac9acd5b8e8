"""The `concert` command. Each subcommand calls the same services as the pages and the API."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

from .services.errors import ServiceError

PROGRESS_STEP = 10  # percent between two progress lines when standard error is not a terminal


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "run":
        from gevent import monkey

        if not monkey.is_module_patched("socket"):
            # gevent must patch the standard library before anything else is imported:
            # start again under gevent's own launcher, which patches first.
            os.execv(sys.executable, [sys.executable, "-m", "gevent.monkey", "--module",
                                      "concert", *sys.argv[1:]])
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
    cli(prog_name="concert")


def _app():
    from . import create_app

    return create_app()


class ServiceCommand(click.Command):
    """Runs inside an app context and turns a service's refusal into a clear message."""

    def invoke(self, ctx):
        from flask_babel import force_locale

        app = _app()
        # No request to choose a language from: the command line speaks the default one.
        with app.app_context(), force_locale(app.config["BABEL_DEFAULT_LOCALE"]):
            try:
                return super().invoke(ctx)
            except ServiceError as exc:
                field = f" ({exc.field})" if exc.field else ""
                raise click.ClickException(f"{exc.message}{field}") from None


@click.group(help="concert — concertation pour un contrat de sécurité intégrée.")
def cli() -> None:
    pass


@cli.command("init", cls=ServiceCommand)
def init_command() -> None:
    """Create or upgrade the database schema (migrations)."""
    from . import migrate

    migrate.upgrade()
    click.echo("Base de données à jour.")


@cli.command("db-revision", cls=ServiceCommand, hidden=True)
@click.argument("message")
def db_revision_command(message: str) -> None:
    """Developers: generate a migration from the models."""
    from . import migrate

    migrate.revision(message)


@cli.command("create-admin", cls=ServiceCommand)
@click.argument("email")
@click.option("--password", help="Password (otherwise read from standard input).")
@click.option("--name", help="Display name.")
def create_admin_command(email: str, password: str | None, name: str | None) -> None:
    """Create a platform admin (or make an existing user one)."""
    from .services import accounts

    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\n")
    user = accounts.create_admin(email, password, name)
    click.echo(f"Administrateur : {user.email}")


@cli.command("territory-create", cls=ServiceCommand)
@click.argument("slug")
@click.argument("name")
@click.option("--departement", default="", help="Département code, e.g. 13.")
@click.option("--communes", default="", help="INSEE codes separated by commas.")
def territory_create_command(slug: str, name: str, departement: str, communes: str) -> None:
    """Create a territory."""
    from .services import territories

    territory = territories.create_territory(None, slug, name, departement, communes)
    click.echo(f"Territoire créé : {territory.slug} — {territory.name}")


@cli.command("invite", cls=ServiceCommand)
@click.argument("slug")
@click.argument("email")
@click.option("--role", required=True, help="facilitator, actor or observer.")
@click.option("--org", "organisation", required=True, help="Organisation name.")
@click.option("--org-kind", "organisation_kind", required=True, help="Organisation kind.")
def invite_command(slug: str, email: str, role: str, organisation: str,
                   organisation_kind: str) -> None:
    """Print an invitation URL for EMAIL to join territory SLUG."""
    from .schemas.territories import InvitationInput
    from .services import members, territories

    _invitation, url = members.invite(territories.system_access(slug), InvitationInput(
        email=email, role=role, organisation=organisation, organisation_kind=organisation_kind))
    click.echo(url)


@cli.command("token", cls=ServiceCommand)
@click.argument("email")
@click.option("--label", default="cli", help="What the token is for.")
@click.option("--days", type=int, default=None,
              help="Expires after that many days (1 to 365); without it, lasts until revoked.")
def token_command(email: str, label: str, days: int | None) -> None:
    """Print a new personal API token for EMAIL."""
    from .schemas.accounts import TokenInput
    from .services import accounts

    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"Aucun utilisateur {email}")
    click.echo(accounts.new_api_token(user, TokenInput(label=label, expires_in_days=days))[1])


@cli.command("search-reindex", cls=ServiceCommand)
@click.option("--territory", "slug", default=None, help="Only this territory (its slug).")
def search_reindex_command(slug: str | None) -> None:
    """Index again what the search finds (data written before the index existed)."""
    from .db import db
    from .services import search, territories

    territory_id = territories.system_access(slug).territory.id if slug else None
    count = search.reindex(db.session, territory_id)
    db.session.commit()
    click.echo(f"Entrées indexées : {count}")


@cli.command("diagnostic-import", cls=ServiceCommand)
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--kind", type=click.Choice(["communal", "departmental"]),
              help="The SSMSI base (default: told by the file's columns).")
def diagnostic_import_command(slug: str, file: str, kind: str | None) -> None:
    """Import an SSMSI delinquency CSV (communal or departmental base) into territory
    SLUG's diagnostic."""
    from .services import diagnostic, territories

    where = territories.system_access(slug)
    size = os.path.getsize(file)
    with open(file, "rb") as stream, _import_progress(size) as progress:
        record = diagnostic.import_ssmsi(where, stream, os.path.basename(file), progress,
                                         kind)
    click.echo(f"kind: {record.kind}")
    click.echo(f"rows: {record.rows}")
    click.echo(f"skipped: {record.skipped}")


@contextmanager
def _import_progress(size: int):
    """The import's progress on standard error (standard output keeps the result): a bar on
    a terminal, otherwise a line every PROGRESS_STEP % for logs."""
    if sys.stderr.isatty():
        with click.progressbar(length=size, label="Lecture", file=sys.stderr,
                               item_show_func=lambda step: step) as bar:
            def advance(step) -> None:
                bar.update(step.bytes_read - bar.pos,
                           f"{step.lines:,} lignes lues, {step.kept:,} conservées")
            yield advance
        return
    shown = -1

    def line(step) -> None:
        nonlocal shown
        percent = step.bytes_read * 100 // size if size else 100
        if percent // PROGRESS_STEP > shown:
            shown = percent // PROGRESS_STEP
            click.echo(f"{percent} % : {step.lines} lignes lues, {step.kept} conservées, "
                       f"{step.skipped} ignorées", err=True)
    yield line


@cli.command("export", cls=ServiceCommand)
@click.argument("slug")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["csv", "xlsx", "ods", "json", "md"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write (- for standard output).")
@click.option("--party", help="etat, collectivite or partenaire.")
@click.option("--status", help="draft, validated, in_progress, done or abandoned.")
@click.option("--pilot", help="Pilot organisation.")
@click.option("--channel", help="Channel (domain) id.")
def export_command(slug: str, fmt: str, out: str, **filters) -> None:
    """Write the commitment list of territory SLUG (what every member may see)."""
    from .exports import spreadsheets
    from .services import commitment_list
    from .services.access import system_access

    listing = commitment_list.assemble(system_access(slug), filters)
    _write(out, spreadsheets.render(listing, fmt))


@cli.command("contract", cls=ServiceCommand)
@click.argument("slug")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["docx", "odt", "pdf", "md", "html"]))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="File to write (- for standard output).")
@click.option("--version", "version", type=int, help="A frozen version (default: the draft).")
def contract_command(slug: str, fmt: str, out: str, version: int | None) -> None:
    """Write the contract of territory SLUG: the current draft or a frozen version."""
    from .exports.contract import contract_file
    from .services.access import system_access

    body = contract_file(system_access(slug), version, fmt)
    _write(out, body if isinstance(body, bytes) else body.read_bytes())


def _write(out: str, data: bytes) -> None:
    with click.open_file(out, "wb") as handle:
        handle.write(data)
    if out != "-":
        click.echo(f"{out} ({len(data)} octets)", err=True)


@cli.command("mail-send", cls=ServiceCommand)
def mail_send_command() -> None:
    """Deliver every pending mail now (each tried once), whatever its back-off."""
    from .services import mail

    counts = mail.deliver_due(force=True)
    for outcome in ("sent", "retry", "failed"):
        click.echo(f"{outcome}: {counts[outcome]}")


@cli.command("digest-send", cls=ServiceCommand)
@click.option("--period", type=click.Choice(["daily", "weekly"]), default="daily",
              show_default=True)
def digest_send_command(period: str) -> None:
    """Mail the pending notifications, then this period's digests not sent yet."""
    from .services import notifications

    click.echo(f"notifications: {notifications.mail_due()}")
    click.echo(f"{period}: {notifications.send_digests(period)}")


@cli.command("files-purge", cls=ServiceCommand)
def files_purge_command() -> None:
    """Delete the uploaded files attached to nothing for more than a day (run it daily)."""
    from .services import files

    click.echo(f"purged: {files.purge_unattached()}")


@cli.command("demo", cls=ServiceCommand)
def demo_command() -> None:
    """Seed the demo territory `demo` (safe to run again)."""
    from . import demo

    for line in demo.seed():
        click.echo(line)


@cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def run_command(host: str, port: int) -> None:
    """Serve the web app and Socket.IO with gevent's WSGI server."""
    from .extensions import socketio
    from .realtime import stalls
    from .realtime.handlers import heartbeat_forever
    from .services import mail, notifications, security

    app = _app()
    security.dummy_hash()  # before the first login, which it must not make slower
    socketio.start_background_task(heartbeat_forever, app)
    socketio.start_background_task(stalls.watch_forever, socketio.server,
                                   app.config["SOCKET_BACKLOG"])
    if app.config["NOTIFICATION_MAILER"]:
        socketio.start_background_task(notifications.run_forever, app)
    if app.config["SMTP_URL"]:  # otherwise each mail is written to a file at commit
        socketio.start_background_task(mail.deliver_forever, app)
    click.echo(f"concert écoute sur http://{host}:{port}/", err=True)
    serve(app, host, port)


def serve(app, host: str, port: int) -> None:
    """gevent's WSGI server with WebSocket support, as `socketio.run` builds it, except that
    answers leave at once: pywsgi writes the headers and the body separately, and with
    Nagle's algorithm the body of every answer on a kept-alive connection (browsers, API
    clients, a reverse proxy's upstream) waited for the client's delayed ACK, 40 ms."""
    import socket

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    from .extensions import socketio

    class Handler(WebSocketHandler):
        def __init__(self, sock, *args, **kwargs):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().__init__(sock, *args, **kwargs)

    # No access log: invitation links carry their secret in the path.
    socketio.wsgi_server = pywsgi.WSGIServer((host, port), app, handler_class=Handler, log=None)
    socketio.wsgi_server.serve_forever()
