"""The UI speaks French by default and English on request; every French msgid is translated,
and the committed .mo says what the .po says."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("i18n")  # one extraction for the module
CATALOGUE = ROOT / "concert" / "translations" / "en" / "LC_MESSAGES"
HOW_TO_FIX = "run `bash scripts/messages.sh`, translate the empty msgstr, run it again"
# Keep in step with scripts/messages.sh.
KEYWORDS = ["_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What the code and templates ask to translate, extracted as scripts/messages.sh does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    keywords = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract",
         "-F", "babel.cfg", "-o", str(pot), *keywords, "."],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
    )
    with pot.open("rb") as f:
        return read_po(f)


def english_po():
    with (CATALOGUE / "messages.po").open("rb") as f:
        return read_po(f, locale="en")


def _key(message) -> tuple:
    # read_mo gives a plural message's id as a list: make it hashable.
    msgid = tuple(message.id) if isinstance(message.id, list) else message.id
    return msgid, message.context


def test_extraction_sees_python_and_templates(extracted):
    ids = {message.id for message in extracted}
    assert "Animateur" in ids  # lazy_gettext as _l, in concert/web/forms.py
    assert "Rejoindre « %(name)s »" in ids  # _() with a keyword argument, in a template
    assert "Connexion" in ids


def test_every_msgid_has_an_english_translation(extracted):
    catalogue = english_po()
    untranslated = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id, message.context)
        strings = translated.string if translated is not None else None
        if isinstance(strings, str):
            strings = (strings,)
        if translated is None or translated.fuzzy or not strings or not all(strings):
            untranslated.append(message.id)
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) without an English translation in "
        f"{CATALOGUE / 'messages.po'} ({HOW_TO_FIX}):\n"
        + "\n".join(f"  {msgid!r}" for msgid in untranslated)
    )


def test_english_catalogue_has_no_format_errors():
    errors = [
        f"{message.id!r}: {error}"
        for message, problems in english_po().check()
        for error in problems
    ]
    assert not errors, "\n".join(errors)


def test_compiled_catalogue_matches_the_po(tmp_path):
    fresh = tmp_path / "messages.mo"
    with fresh.open("wb") as f:
        write_mo(f, english_po())

    def contents(path: Path) -> dict:
        with path.open("rb") as f:
            return {_key(m): m.string for m in read_mo(f) if m.id}

    assert contents(CATALOGUE / "messages.mo") == contents(fresh), (
        f"{CATALOGUE / 'messages.mo'} is out of date with messages.po: {HOW_TO_FIX}"
    )


# --- what a visitor sees -----------------------------------------------------------------

def visit(client, path: str, method: str = "GET", **kwargs) -> str:
    """One request in its own app context, as in production. Under the `ctx` fixture's
    long-lived app context, `g` (where Flask-Babel caches the request's locale) would
    carry the first request's language into the next ones."""
    with client.application.app_context():
        answer = client.open(path, method=method, **kwargs)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.get_data(as_text=True)


def test_login_page_is_french_by_default(client):
    html = visit(client, "/login")
    assert '<html lang="fr">' in html
    assert "<h1>Connexion</h1>" in html
    assert "Adresse e-mail" in html


def test_login_page_follows_accept_language(client):
    html = visit(client, "/login", headers={"Accept-Language": "en"})
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Email address" in html  # a lazy string from concert/web/forms.py
    assert "Connexion" not in html


def test_language_switch_lasts_for_the_session(client, csrf_from):
    token = csrf_from(visit(client, "/login"))
    visit(client, "/lang", "POST", data={"csrf_token": token, "lang": "en", "next": "/login"})

    html = visit(client, "/login")
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Connexion" not in html
    assert 'name="lang" value="fr"' in html  # the switch now offers French back

    visit(client, "/lang", "POST", data={"csrf_token": csrf_from(html), "lang": "fr",
                                         "next": "/login"})
    assert '<html lang="fr">' in visit(client, "/login")
