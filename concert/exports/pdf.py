"""Document → PDF, typeset by Typst (the `typst` package embeds its compiler).

One Typst source, `document.typ`, lays out every document; the document itself goes in
as JSON data (`prepare` below), never as Typst source: a user's text is a Typst string
shown as it is, so no character in it can act as markup or code. `prepare` also applies
the French typography that Typst leaves to the writer: « » for straight quotes, no-break
spaces before `: ; ! ?` and inside « ». The facilitator's Markdown goes
through the one sanitiser (services/security.py) and arrives as paragraphs of runs.

The compilation runs in a child process (`typeset.py`, started by path so that it imports
typst alone, not the application): the gevent loop that carries every live connection
never waits on it, and its memory goes back to the system when it ends. A server process
typesets one PDF at a time; further requests queue."""
from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from xml.etree import ElementTree

from defusedxml import DefusedXmlException, ElementTree as SafeElementTree
from flask_babel import gettext as _

from . import richtext
from ..documents.model import cell_text, language

TYPESET = Path(__file__).with_name("typeset.py")
_ONE_AT_A_TIME = threading.BoundedSemaphore(1)  # gevent-aware once monkey-patched
TIMEOUT = 300  # seconds: 2,000 commitments (1,121 pages) take 7 s of CPU time


class PdfError(RuntimeError):
    pass


def render(document: dict) -> bytes:
    data = json.dumps(prepare(document), ensure_ascii=False).encode("utf-8")
    with _ONE_AT_A_TIME:
        # -P: the script's folder (exports/, with modules named html, markdown, docx…) stays
        # off sys.path, where it could shadow a module the standard library or typst imports.
        child = subprocess.run([sys.executable, "-P", str(TYPESET)], input=data,
                               capture_output=True, timeout=TIMEOUT, check=False)
    if child.returncode != 0:
        raise PdfError(child.stderr.decode("utf-8", "replace")[-2000:])
    return child.stdout


# --- the escaping layer: the document as the data document.typ reads -----------------------

_REGIONS = {"fr": "FR", "en": "GB"}
# Characters that have no place in a document: C0 controls but tab and newline, DEL, and
# lone surrogates (they cannot even be encoded).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SPACES = "[ \t\u00a0\u202f]"
_BEFORE_COLON = re.compile(f"{_SPACES}+(?=:)")
_BEFORE_HIGH = re.compile(f"{_SPACES}+(?=[;!?])")
_GUILLEMETS = re.compile(f"«{_SPACES}*|{_SPACES}*»")
_TO_CHANGE = re.compile("[\"':;!?«»\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_DOUBLE_QUOTE = re.compile(r'(^|(?<=[\s(\[{/—–-]))"|"')
_BREAKS = re.compile("[ \t\n]+")
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def text(value, lang: str = "fr") -> str:
    """A user's or the application's text, ready to be shown: printable and, in French, with
    French typography: straight quotes as « » (opening after a space or an opening bracket,
    closing otherwise) and apostrophes as ’; the spaces typed before a colon become U+00A0,
    those before ; ! ? the thin U+202F, and « » always get a U+202F inside. (Typst's smart
    quotes do the same for markup, but as a show rule they would also rewrite the quotes
    of code.)"""
    value = str(value)
    if not _TO_CHANGE.search(value):  # most cells and labels: nothing to do
        return value
    value = _UNPRINTABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if lang == "fr":
        value = _DOUBLE_QUOTE.sub(lambda m: "«" if m.group(1) is not None else "»", value)
        value = value.replace("'", "\u2019")
        value = _BEFORE_COLON.sub("\u00a0", value)
        value = _BEFORE_HIGH.sub("\u202f", value)
        value = _GUILLEMETS.sub(lambda m: "«\u202f" if "«" in m.group() else "\u202f»", value)
    return value


def prepare(document: dict) -> dict:
    lang = language(document)

    def t(value) -> str:
        return text(value, lang)

    def block(item: dict) -> dict | None:
        kind = item["type"]
        if kind == "markdown":
            return {"type": "rich", "items": _rich(richtext.paragraphs(item["source"]), t)}
        if kind == "paragraph":
            return {"type": "paragraph", "text": t(item["text"])}
        if kind == "list":
            return {"type": "list", "items": [t(entry) for entry in item["items"]]}
        if kind == "fields":
            return {"type": "fields", "items": [[t(label), t(value)]
                                                for label, value in item["items"]]}
        if kind == "table":
            columns = [t(column) for column in item["columns"]] or [""]
            width = len(columns)
            rows = [(list(row) + [None] * width)[:width] for row in item["rows"]]
            numeric = [all(_is_number(row[i]) or row[i] is None for row in rows)
                       and any(_is_number(row[i]) for row in rows) for i in range(width)]
            cells = [[t(cell_text(value)) for value in row] for row in rows]
            return {"type": "table", "caption": t(item.get("caption") or ""),
                    "columns": columns, "numeric": numeric, "rows": cells,
                    "widths": _widths(columns, cells)}
        if kind == "chart":
            svg = _self_contained_svg(item["svg"])
            if svg is None:  # a broken chart must not lose the document: its description
                return {"type": "paragraph", "text": t(item["title"] + " — " + item["alt"])}
            return {"type": "chart", "title": t(item["title"]), "alt": t(item["alt"]),
                    "svg": svg}
        return None

    ids = itertools.count(1)

    def section(item: dict) -> dict:
        # `id`: the heading's label, for the table of contents (keys may repeat).
        return {"id": f"s{next(ids)}", "number": t(item["number"]), "title": t(item["title"]),
                "blocks": [b for b in map(block, item["blocks"]) if b is not None],
                "sections": [section(child) for child in item["sections"]]}

    sections = [section(item) for item in document["sections"]]
    return {
        "lang": lang, "region": _REGIONS.get(lang),
        "title": t(document["title"]), "subtitle": t(document.get("subtitle") or ""),
        # The PDF's author: the territory whose partners sign the document.
        "author": t(document.get("subtitle") or document["title"]),
        "meta": [[t(label), t(value)] for label, value in document.get("meta", [])],
        "words": {"contents": _("Sommaire"), "page": _("Page")},
        "sections": sections, "contents-depth": _contents_depth(sections),
    }


# A table of contents longer than this many entries (about ten pages) lists the top-level
# sections only; the PDF's bookmarks still list every section and commitment. Typst lays
# every entry out twice (its page is known from the second pass only): the 2,010 entries of
# a 2,000-commitment contract cost 240 MiB of the renderer's memory and a sixth of its time.
CONTENTS_ENTRIES = 500


def _contents_depth(sections: list[dict]) -> int:
    """How many levels of sections the table of contents lists: the levels whose entries,
    counted from the top, stay within CONTENTS_ENTRIES, and always the first."""
    depth, level, entries = 0, sections, 0
    while level:
        entries += len(level)
        if entries > CONTENTS_ENTRIES and depth > 0:
            break
        depth += 1
        level = [child for s in level for child in s["sections"]]
    return depth


def _self_contained_svg(svg: str) -> str | None:
    """The chart without what would point outside it (Typst refuses to compile a document
    whose SVG links an image by URL, and fetches nothing): elements linking anything but
    a data: URL or a fragment are dropped. None if the SVG cannot be read."""
    try:  # defusedxml: no entity expansion, no external entity
        root = SafeElementTree.fromstring(_UNPRINTABLE.sub("", svg))
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    for parent in list(root.iter()):
        for child in list(parent):
            target = child.get("href") or child.get(_XLINK_HREF) or ""
            if target and not target.startswith(("data:", "#")):
                parent.remove(child)
    return ElementTree.tostring(root, encoding="unicode")


def _widths(columns: list[str], rows: list[list[str]]) -> list[float]:
    """Each column's share of the width: enough for its longest word (numbers keep their
    no-break spaces, so "1 234" is one word), more for long text, within bounds."""
    shares = []
    for i, column in enumerate(columns):
        texts = [column, *(row[i] for row in rows)]
        word = max(len(word) for text in texts for word in _BREAKS.split(text))
        line = max(len(line) for text in texts for line in text.split("\n"))
        shares.append(round(max(word, min(line, 36) / 2) + 2, 1))
    return shares


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _rich(paragraphs: list[richtext.Paragraph], t) -> list[dict]:
    """The walker's flat paragraphs, with list items nested back into lists by level."""
    out: list[dict] = []
    open_lists: list[dict] = []  # the innermost last, each with its level

    for para in paragraphs:
        if para.kind != "li":
            open_lists.clear()
            if para.kind == "hr":
                out.append({"kind": "hr"})
            elif para.kind == "pre":
                out.append({"kind": "pre", "text": _UNPRINTABLE.sub("", para.text)})
            else:
                out.append({"kind": "quote" if para.kind == "quote" else "p",
                            "runs": _runs(para.runs, t)})
            continue
        while open_lists and open_lists[-1]["level"] > para.level:
            open_lists.pop()
        current = open_lists[-1] if open_lists else None
        if current is None or current["level"] < para.level or (
                current["level"] == para.level and current["ordered"] != para.ordered):
            if current is not None and current["level"] == para.level:
                open_lists.pop()
                current = open_lists[-1] if open_lists else None
            new = {"kind": "list", "ordered": para.ordered, "level": para.level, "items": []}
            if current is not None and current["items"]:
                current["items"][-1]["children"].append(new)
            else:
                out.append(new)
            open_lists.append(new)
            current = new
        current["items"].append({"runs": _runs(para.runs, t), "children": []})
    return out


def _runs(runs: list[richtext.Run], t) -> list[dict]:
    return [{"text": _UNPRINTABLE.sub("", run.text) if run.code else t(run.text),
             "bold": run.bold, "italic": run.italic, "code": run.code, "href": run.href,
             "br": run.newline} for run in runs]
