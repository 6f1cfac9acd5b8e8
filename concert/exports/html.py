"""Document → one standalone, accessible HTML page.

Charts are embedded as `<img>` with a data: URL of their SVG rather than inline markup:
an image's SVG runs no script and reaches nothing outside, and `alt` carries the
description. The page is a download (Content-Disposition: attachment), never served under
the app's CSP, so its stylesheet is inline."""
from __future__ import annotations

import base64
import re
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from ..services.security import render_markdown
from ..documents.model import cell_text, language

STYLESHEET = (Path(__file__).with_name("print.css")).read_text(encoding="utf-8")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def section_id(section: dict) -> str:
    return "s-" + (_UNSAFE_ID.sub("-", section.get("key") or "")
                   or _UNSAFE_ID.sub("-", section.get("number") or "x"))


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def document_markdown(source: str | None) -> Markup:
    return Markup(render_markdown(source or ""))


# What templates/_document.html uses, for the pages (web/) and this export alike.
FILTERS = {"document_markdown": document_markdown, "cell_text": cell_text,
           "svg_data_url": svg_data_url}


def render_text(document: dict) -> str:
    current_app.jinja_env.filters.update(FILTERS)
    return render_template("export_document.html", document=document, stylesheet=Markup(STYLESHEET),
                           section_id=section_id, lang=language(document))


def render(document: dict) -> bytes:
    return render_text(document).encode("utf-8")
