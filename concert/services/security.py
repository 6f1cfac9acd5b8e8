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

import xml.etree.ElementTree as etree  # noqa: E402
from typing import Callable  # noqa: E402

import bleach  # noqa: E402
import markdown as _markdown  # noqa: E402
from bleach.linkifier import LinkifyFilter  # noqa: E402
from markdown.treeprocessors import Treeprocessor  # noqa: E402

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
    "a", "hr",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


# A mention's link (services/mentions): to the workspace's list of participants. Markdown
# sets no class and no data attribute, so only a mention carries them.
_MENTION_HREF = re.compile(r"^/t/[a-z0-9-]+/#(person-[0-9]+|people)$")
_MENTION_ATTRIBUTES = {"class": re.compile(r"^mention$"), "data-person": re.compile(r"^[0-9]+$"),
                       "data-organisation": re.compile(r"^[0-9a-f]{16}$")}


def _link_attribute(tag, name, value):
    """bleach lets scheme-less hrefs through; a post is shown on several pages, so a relative
    or protocol-relative link (`/logout`, `//elsewhere.example`) would go wherever the page
    is. Only absolute http(s)/mailto links keep their target (bleach then checks it again),
    and a mention's path to the workspace's participants."""
    if name == "href":
        if _MENTION_HREF.match(value):
            return True
        scheme = _SCHEME.match(html.unescape(value).strip())
        return scheme is not None and scheme.group(1).lower() in ALLOWED_PROTOCOLS
    if name in _MENTION_ATTRIBUTES:
        return _MENTION_ATTRIBUTES[name].match(value) is not None
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


# Where a run of text mentions someone: (start, end, the link's attributes) of each mention.
MentionFinder = Callable[[str], list[tuple[int, int, dict[str, str]]]]


class _Mentions(Treeprocessor):
    """Turns the mentions in the text of the tree into links, once inline Markdown is done;
    code (whose text is not Markdown) and links (no link in a link) are left alone."""

    SKIP = ("a", "code", "pre")
    finder: MentionFinder | None = None

    def run(self, root: etree.Element) -> None:
        if self.finder is not None:
            self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        for child in list(element):
            if child.tag not in self.SKIP:
                self._walk(child)
            if child.tail:
                child.tail, links = self._split(child.tail)
                position = list(element).index(child) + 1
                element[position:position] = links
        if element.tag not in self.SKIP and element.text:
            element.text, links = self._split(element.text)
            element[0:0] = links

    def _split(self, text: str) -> tuple[str, list[etree.Element]]:
        """The text before the first mention, and each mention as a link whose tail is the
        text up to the next one."""
        found = self.finder(text)
        if not found:
            return text, []
        links = []
        for index, (start, end, attributes) in enumerate(found):
            link = etree.Element("a", attributes)
            link.text = text[start:end]
            link.tail = text[end:found[index + 1][0] if index + 1 < len(found) else len(text)]
            links.append(link)
        return text[:found[0][0]], links


def _markdown_converter() -> _markdown.Markdown:
    md = _markdown.Markdown(extensions=["fenced_code", "sane_lists", "nl2br"])
    # Raw HTML in the source stays text: it is escaped, never interpreted.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    # After inline Markdown and its unescaping (priority 0): the text is the final text.
    md.treeprocessors.register(_Mentions(md), "mentions", -1)
    return md


# Idle converters: building one (its extensions' registration) cost more than converting a
# post. A converter holds state during a conversion, so each one serves one caller at a
# time; list.pop and list.append are atomic, for threads and greenlets alike.
_idle_converters: list[_markdown.Markdown] = []


def render_markdown(source: str, mentions: MentionFinder | None = None) -> str:
    """Markdown → sanitised HTML: allow-listed tags, links with rel=nofollow noopener
    noreferrer, only http(s)/mailto URLs, no images, no raw HTML; with `mentions`, the
    mentions it finds in the text become links (services/mentions)."""
    try:
        md = _idle_converters.pop()
    except IndexError:
        md = _markdown_converter()
    md.treeprocessors["mentions"].finder = mentions
    try:
        html = md.reset().convert(source)
    finally:
        md.treeprocessors["mentions"].finder = None
        _idle_converters.append(md)
    return _cleaner.clean(html)
