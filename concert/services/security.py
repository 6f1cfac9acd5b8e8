"""Hashing of passwords and of the random secrets we hand out (tokens, invitations, sessions)."""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id with the library's current recommended parameters (RFC 9106, low memory). The test
# suite alone sets CONCERT_INSECURE_FAST_PASSWORD_HASH, for the library's cheapest parameters:
# hashing a few thousand test accounts at 64 MiB each costs minutes and tests nothing more.
def password_hasher(environ=os.environ) -> PasswordHasher:
    if environ.get("CONCERT_INSECURE_FAST_PASSWORD_HASH") == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


_hasher = password_hasher()


@functools.cache
def dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both failures cost the same time.
    Made once per process, not at import: an argon2 hash costs up to a second, which every
    `concert` command paid; `concert run` makes it before serving."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_secret() -> str:
    """A random URL-safe secret with 256 bits of entropy."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """High-entropy secrets need no slow hash: SHA-256 lets us look them up by hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


# --- Markdown -------------------------------------------------------------------------
# Every piece of user Markdown becomes HTML here and nowhere else.

import html  # noqa: E402
import re  # noqa: E402

import bleach  # noqa: E402
import markdown as _markdown  # noqa: E402
from bleach.linkifier import LinkifyFilter  # noqa: E402

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "hr",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _link_attribute(tag, name, value):
    """bleach lets scheme-less hrefs through; a post is shown on several pages, so a relative
    or protocol-relative link (`/logout`, `//elsewhere.example`) would go wherever the page
    is. Only absolute http(s)/mailto links keep their target (bleach then checks it again)."""
    if name == "href":
        scheme = _SCHEME.match(html.unescape(value).strip())
        return scheme is not None and scheme.group(1).lower() in ALLOWED_PROTOCOLS
    return name in ("title", "rel")


ALLOWED_ATTRIBUTES = {"a": _link_attribute}


def _link_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[lambda source: LinkifyFilter(source, callbacks=[_link_rel], skip_tags={"pre", "code"})],
)


def _markdown_converter() -> _markdown.Markdown:
    md = _markdown.Markdown(extensions=["fenced_code", "sane_lists", "nl2br"])
    # Raw HTML in the source stays text: it is escaped, never interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


# Idle converters: building one (its extensions' registration) cost more than converting a
# post. A converter holds state during a conversion, so each one serves one caller at a
# time; list.pop and list.append are atomic, for threads and greenlets alike.
_idle_converters: list[_markdown.Markdown] = []


def render_markdown(source: str) -> str:
    """Markdown → sanitised HTML: allow-listed tags, links with rel=nofollow noopener
    noreferrer, only http(s)/mailto URLs, no images, no raw HTML."""
    try:
        md = _idle_converters.pop()
    except IndexError:
        md = _markdown_converter()
    try:
        html = md.reset().convert(source)
    finally:
        _idle_converters.append(md)
    return _cleaner.clean(html)
