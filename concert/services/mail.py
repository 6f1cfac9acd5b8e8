"""Mail: composed in the recipient's language, written to the outbox in the transaction of
the change that causes it, then delivered by a sender that retries with back-off.

With CONCERT_SMTP_URL, a sender in each server process (and `concert mail-send`) claims due
mails — `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two processes never take the same one —
and hands them to the SMTP server. SMTP down means late, never lost; a permanent refusal
(5xx) is recorded and shown. Without it (development), each mail is written as
`<instance>/mail/<id>.eml` at commit instead of being sent."""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading
import unicodedata
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app, has_request_context, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..db import db
from ..models import MailOutbox, User, utcnow
from . import events, platform
from .errors import Invalid, NotFound

logger = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=15)  # longer than a batch can take, even with SMTP time-outs
RETRY_FIRST = timedelta(seconds=5)
RETRY_MAX = timedelta(hours=1)
POLL_SECONDS = 5  # how soon another process's mails, and retries, are picked up
SMTP_TIMEOUT = 30

# Wakes this process's sender at once when it commits a mail.
_wake = threading.Event()


# --- composing ---------------------------------------------------------------------------

_CONTROL = re.compile(r"\s+")


def header_text(value: str, max_length: int = 200) -> str:
    """User text made safe for a header: no line break or other control character (no
    header injection), whitespace collapsed, bounded."""
    cleaned = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in str(value))
    cleaned = _CONTROL.sub(" ", cleaned).strip()
    return cleaned[:max_length].rstrip()


def address(email: str, name: str = "") -> Address:
    try:
        local, _at, domain = email.rpartition("@")
        result = Address(display_name=header_text(name), username=local, domain=domain)
        if not local or "," in email or result.addr_spec != email:
            raise ValueError(email)
    except (ValueError, IndexError):
        raise Invalid(_l("Adresse e-mail invalide."), field="email") from None
    return result


def sender() -> Address:
    name, email = parseaddr(current_app.config["MAIL_FROM"])
    local, _at, domain = email.rpartition("@")
    return Address(display_name=header_text(name or "concert"), username=local, domain=domain)


def language_for(email: str) -> str:
    """The recipient's language when we know it (their account's), else the default."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    return language_of(user) if user else current_app.config["BABEL_DEFAULT_LOCALE"]


def absolute_url(path: str) -> str:
    """A link for a mail: CONCERT_BASE_URL when set (links stay right behind a proxy), else
    the request's host."""
    base = current_app.config["BASE_URL"] or (
        request.url_root if has_request_context() else "http://127.0.0.1:5000"
    )
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def language_of(user: User) -> str:
    """The account's language, else the default."""
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def compose(to: str, template: str, language: str, subject, *,
            calendar: tuple[str, bytes] | None = None, unsubscribe: str | None = None,
            **context) -> EmailMessage:
    """A multipart text + HTML message from `templates/mail/<template>.{txt,html}`, in
    `language`. The HTML loads nothing from elsewhere (no remote image); each template's
    footer says why the recipient gets it.

    `calendar` (method, iCalendar bytes) rides along as the `text/calendar` alternative
    calendar clients act on, and as an `.ics` attachment for the others. `unsubscribe`, a
    URL that unsubscribes with a POST, adds RFC 2369/8058 one-click headers."""
    with force_locale(language):
        subject = header_text(str(subject), 250)
        context.update(subject=subject, language=language)
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    from_address = sender()
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = from_address
    message["To"] = address(to)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=from_address.domain or None)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if calendar:
        method, ics = calendar
        message.add_alternative(ics, maintype="text", subtype="calendar",
                                params={"method": method, "charset": "utf-8"})
        message.add_attachment(ics, maintype="application", subtype="ics",
                               filename="invitation.ics")
    message["Content-Language"] = language  # after the body: set_content drops Content-*
    return message


def enqueue(message: EmailMessage, kind: str, *, territory_id: int | None = None,
            invitation_id: int | None = None) -> MailOutbox:
    """Adds the mail to the current transaction: it exists exactly if the change commits."""
    mail = MailOutbox(
        kind=kind, recipient=str(message["To"].addresses[0].addr_spec),
        subject=str(message["Subject"]), message=message.as_string(),
        territory_id=territory_id, invitation_id=invitation_id, next_attempt_at=utcnow(),
    )
    db.session.add(mail)
    if smtp_configured():
        events.after_commit(_wake.set)
    else:  # development: the instance folder is the mailbox
        mail.status, mail.sent_at, mail.attempts = "sent", utcnow(), 1
        text, mail.message = mail.message, None
        db.session.flush()
        events.after_commit(lambda: _write_file(mail.id, text))
    return mail


# --- delivering --------------------------------------------------------------------------

def smtp_configured() -> bool:
    return bool(current_app.config["SMTP_URL"])


def mail_folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "mail"


def mail_file(mail_id: int) -> Path:
    return mail_folder() / f"{int(mail_id)}.eml"


def _write_file(mail_id: int, text: str) -> None:
    folder = mail_folder()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{mail_id}.eml.part"
    partial.write_bytes(text.encode())
    partial.replace(mail_file(mail_id))


class PermanentRefusal(Exception):
    """The server refused this mail for good (a 5xx answer): retrying would not help."""


class Smtp:
    """One SMTP session for a batch. `smtps://` is TLS from the start; `smtp://` switches
    to TLS (STARTTLS) whenever the server offers it."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CONCERT_SMTP_URL: smtp://user:password@host:port or smtps://…")
        context = ssl.create_default_context()
        if parts.scheme == "smtps":
            self.client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465,
                                           timeout=SMTP_TIMEOUT, context=context)
        else:
            self.client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT)
            self.client.ehlo()
            if self.client.has_extn("starttls"):
                self.client.starttls(context=context)
                self.client.ehlo()
        if parts.username:
            self.client.login(unquote(parts.username), unquote(parts.password or ""))

    def send(self, envelope_from: str, recipient: str, text: str) -> None:
        try:
            self.client.sendmail(envelope_from, [recipient], text.encode())
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            if code >= 500:
                raise PermanentRefusal(f"{code} {_decode(answer)}") from None
            raise
        except smtplib.SMTPDataError as exc:
            if exc.smtp_code >= 500:
                raise PermanentRefusal(f"{exc.smtp_code} {_decode(exc.smtp_error)}") from None
            raise

    def close(self) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()


def _decode(answer) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)


def _claim(now, *, force: bool, tried: set[int]) -> list:
    """Takes up to BATCH due mails for this sender until `now + LEASE`. Rows another
    transaction is claiming are skipped, not waited for (PostgreSQL; SQLite has one
    writer and runs in one process)."""
    due = sa.select(MailOutbox.id).where(
        MailOutbox.status == "pending",
        sa.or_(MailOutbox.claimed_until.is_(None), MailOutbox.claimed_until < now))
    if not force:
        due = due.where(MailOutbox.next_attempt_at <= now)
    if tried:
        due = due.where(MailOutbox.id.not_in(tried))
    ids = list(db.session.scalars(
        due.order_by(MailOutbox.id).limit(BATCH).with_for_update(skip_locked=True)))
    if not ids:  # an idle sender writes nothing
        db.session.rollback()
        return []
    rows = db.session.execute(
        sa.update(MailOutbox)
        .where(MailOutbox.id.in_(ids), MailOutbox.status == "pending",
               sa.or_(MailOutbox.claimed_until.is_(None), MailOutbox.claimed_until < now))
        .values(claimed_until=now + LEASE, attempts=MailOutbox.attempts + 1)
        .returning(MailOutbox.id, MailOutbox.recipient, MailOutbox.message,
                   MailOutbox.attempts)).all()
    db.session.commit()
    return sorted(rows)


def _settle(mail_id: int, **values) -> None:
    db.session.execute(sa.update(MailOutbox).where(MailOutbox.id == mail_id)
                       .values(claimed_until=None, **values))
    db.session.commit()


def _sent(row) -> None:
    _settle(row.id, status="sent", sent_at=utcnow(), message=None, last_error=None)


def _retry_later(row, error: str) -> None:
    delay = min(RETRY_FIRST * 2 ** max(row.attempts - 1, 0), RETRY_MAX)
    _settle(row.id, next_attempt_at=utcnow() + delay, last_error=error[:500])


def deliver_due(*, force: bool = False) -> Counter:
    """Delivers the mails that are due (every pending one with `force`, each tried once):
    returns how many were sent, refused for good, and left for a later attempt. When the
    SMTP server cannot be reached, the rest of the batch waits too, untried."""
    counts: Counter = Counter()
    tried: set[int] = set()
    url = current_app.config["SMTP_URL"]
    envelope_from = sender().addr_spec
    smtp: Smtp | None = None
    unreachable: str | None = None
    try:
        while not unreachable and (rows := _claim(utcnow(), force=force, tried=tried)):
            tried.update(row.id for row in rows)
            for row in rows:
                if unreachable:
                    _retry_later(row, unreachable)
                    counts["retry"] += 1
                    continue
                try:
                    if not url:
                        _write_file(row.id, row.message)
                    else:
                        if smtp is None:
                            try:
                                smtp = Smtp(url)
                            except (smtplib.SMTPException, OSError, ValueError) as exc:
                                unreachable = f"{type(exc).__name__}: {exc}"
                                raise
                        smtp.send(envelope_from, row.recipient, row.message)
                except PermanentRefusal as exc:
                    _settle(row.id, status="failed", message=None, last_error=str(exc)[:500])
                    counts["failed"] += 1
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    logger.warning("mail %s not delivered yet: %s", row.id, exc)
                    _retry_later(row, f"{type(exc).__name__}: {exc}")
                    counts["retry"] += 1
                    if smtp is not None:  # the session may be broken: a fresh one next
                        smtp.close()
                        smtp = None
                else:
                    _sent(row)
                    counts["sent"] += 1
    finally:
        if smtp is not None:
            smtp.close()
    return counts


def deliver_forever(app) -> None:
    """The sender of a server process (started by `concert run` when SMTP is configured)."""
    every_round(app, _wake, POLL_SECONDS, deliver_due, "mail delivery failed")


def every_round(app, wake: threading.Event, seconds: float, work, failure: str) -> None:
    """Runs `work` whenever `wake` is set, and at least every `seconds`, forever. A failed
    round is logged; the next one tries again (the work waits in the database)."""
    while True:
        wake.wait(seconds)
        wake.clear()
        with app.app_context():
            try:
                work()
            except Exception:
                db.session.rollback()
                app.logger.exception(failure)


# --- reading the outbox ------------------------------------------------------------------

def outbox(user: User, limit: int = 200) -> list[MailOutbox]:
    """The latest mails, for platform admins."""
    platform.require_admin(user)
    return list(db.session.scalars(
        sa.select(MailOutbox).order_by(MailOutbox.id.desc()).limit(limit)))


def read_mail(user: User, mail_id: int) -> tuple[MailOutbox, EmailMessage | None]:
    """One mail of the outbox and, when it was written to the instance folder, the
    message itself."""
    platform.require_admin(user)
    mail = db.session.get(MailOutbox, mail_id)
    if mail is None:
        raise NotFound(_l("Message introuvable."))
    path = mail_file(mail.id)
    message = (message_from_bytes(path.read_bytes(), policy=policy.default)
               if path.is_file() else None)
    return mail, message


def latest_for_invitations(invitation_ids: list[int]) -> dict[int, MailOutbox]:
    if not invitation_ids:
        return {}
    rows = db.session.scalars(sa.select(MailOutbox).where(
        MailOutbox.invitation_id.in_(invitation_ids)).order_by(MailOutbox.id))
    return {mail.invitation_id: mail for mail in rows}

