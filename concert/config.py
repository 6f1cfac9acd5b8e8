"""One configuration object, read from CONCERT_* environment variables."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


def _instance_path() -> Path:
    path = Path(os.environ.get("CONCERT_INSTANCE") or Path.cwd() / "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _secret_key(instance: Path) -> str:
    """CONCERT_SECRET_KEY, or a key generated once and kept in the instance folder."""
    if key := os.environ.get("CONCERT_SECRET_KEY"):
        return key
    key_file = instance / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """A plain `postgresql://` (or `postgres://`) URL gets the driver we ship: psycopg2,
    which gevent cooperates with through psycogreen."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg2://" + url[len(plain):]
    return url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    def __init__(self) -> None:
        instance = _instance_path()
        self.INSTANCE_PATH = str(instance)
        self.SECRET_KEY = _secret_key(instance)
        self.DATABASE_URL = normalise_database_url(
            os.environ.get("CONCERT_DATABASE_URL") or f"sqlite:///{instance / 'concert.db'}"
        )
        self.MESSAGE_QUEUE = os.environ.get("CONCERT_MESSAGE_QUEUE") or None
        # Public URL for invitation links; unset, links use the request's host (or the
        # default address of `concert run` when printed by the command line).
        self.BASE_URL = (os.environ.get("CONCERT_BASE_URL") or "").rstrip("/") or None
        self.INVITATION_DAYS = int(os.environ.get("CONCERT_INVITATION_DAYS") or 7)
        # smtp://user:password@host:port (STARTTLS when offered) or smtps://… (TLS from the
        # start); unset, mails are written to <instance>/mail/ instead (development).
        self.SMTP_URL = os.environ.get("CONCERT_SMTP_URL") or None
        # Each server's notification mailer: the notifications to mail at once, and the
        # digests from 7:00 local time. "0": none in the servers (`concert digest-send`, run
        # by a timer, does both).
        self.NOTIFICATION_MAILER = os.environ.get("CONCERT_NOTIFICATION_MAILER", "1") != "0"
        self.MAIL_FROM = os.environ.get("CONCERT_MAIL_FROM") or "concert <concert@{}>".format(
            urlsplit(self.BASE_URL).hostname if self.BASE_URL else "localhost")
        self.LOGIN_RATE_LIMIT = os.environ.get("CONCERT_LOGIN_RATE_LIMIT") or "10 per minute"
        self.LOGIN_IP_RATE_LIMIT = os.environ.get("CONCERT_LOGIN_IP_RATE_LIMIT") or "60 per minute"
        # Password-reset links: per address asked for, and per client.
        self.RESET_RATE_LIMIT = os.environ.get("CONCERT_RESET_RATE_LIMIT") or "5 per hour"
        self.RESET_IP_RATE_LIMIT = os.environ.get("CONCERT_RESET_IP_RATE_LIMIT") or "20 per hour"
        # Attached documents: bytes per file, refused (413) as soon as the upload exceeds it.
        self.MAX_FILE_SIZE = int(os.environ.get("CONCERT_MAX_FILE_SIZE") or 20 * 1024 * 1024)
        self.POSTS_PER_MINUTE = int(os.environ.get("CONCERT_POSTS_PER_MINUTE") or 30)
        # The tests set it: every /api/v1 answer is checked against its route's declaration
        # (api/spec.py), and one that differs becomes a 500.
        self.VALIDATE_RESPONSES = _flag("CONCERT_VALIDATE_RESPONSES")
        # Packets waiting for a connection that reads no more before it is cut
        # (realtime/stalls.py): ~20 MB at most for the longest posts.
        self.SOCKET_BACKLOG = int(os.environ.get("CONCERT_SOCKET_BACKLOG") or 1000)
        # One account, whatever the addresses (OWASP ASVS 2.2.1: a botnet guessing one password).
        self.LOGIN_ACCOUNT_RATE_LIMIT = (os.environ.get("CONCERT_LOGIN_ACCOUNT_RATE_LIMIT")
                                         or "30 per hour")
        # Work that costs: a PDF is typeset (seconds of CPU), a token is one more credential.
        self.PDF_EXPORTS_RATE_LIMIT = (os.environ.get("CONCERT_PDF_EXPORTS_RATE_LIMIT")
                                       or "10 per minute")
        self.TOKENS_RATE_LIMIT = os.environ.get("CONCERT_TOKENS_RATE_LIMIT") or "10 per hour"

        self.SESSION_COOKIE_NAME = "concert_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Behind HTTPS (reverse proxy), set CONCERT_SECURE_COOKIES=1.
        self.SESSION_COOKIE_SECURE = _flag("CONCERT_SECURE_COOKIES")
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
        self.TRUSTED_PROXIES = int(os.environ.get("CONCERT_TRUSTED_PROXIES") or 0)

        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session's lifetime instead
        self.BABEL_DEFAULT_LOCALE = "fr"
        # Times on pages are shown in the territory's legal time, not the server's UTC.
        self.BABEL_DEFAULT_TIMEZONE = os.environ.get("CONCERT_TIMEZONE") or "Europe/Paris"
        self.LANGUAGES = ("fr", "en")
        self.RATELIMIT_STORAGE_URI = (
            os.environ.get("CONCERT_RATELIMIT_STORAGE")
            or (self.MESSAGE_QUEUE if (self.MESSAGE_QUEUE or "").startswith("redis") else None)
            or "memory://"
        )
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis away: count in this process's memory meanwhile rather than refuse sign-ins.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.TESTING = False
        # Every Socket.IO event and ack checked against its model (concert/schemas/events.py):
        # set by the tests, a mismatch then fails them; off in production.
        self.VALIDATE_EVENTS = _flag("CONCERT_VALIDATE_EVENTS")

    def update(self, overrides: dict | None) -> "Config":
        for key, value in (overrides or {}).items():
            setattr(self, key, value)
        return self
