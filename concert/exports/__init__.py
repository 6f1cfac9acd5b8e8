"""Renderers of the document models (concert/documents/): one table per model maps each
format to its renderer, so adding a format is one line and the routes never branch on it.

`render_document(document, fmt)` turns one assembled document (contract, workshop minutes)
into a file; the commitment list's formats are in spreadsheets.RENDERERS."""
from __future__ import annotations

from typing import Callable, NamedTuple

from flask_babel import force_locale, lazy_gettext as _l

from ..documents.model import Document, language
from ..services.errors import NotFound
from . import docx, html, markdown, odt, pdf


class Format(NamedTuple):
    content_type: str
    ext: str
    render: Callable[[Document], bytes]


DOCUMENT_FORMATS = {
    "md": Format("text/markdown; charset=utf-8", "md", markdown.render),
    "html": Format("text/html; charset=utf-8", "html", html.render),
    "pdf": Format("application/pdf", "pdf", pdf.render),
    "docx": Format("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   "docx", docx.render),
    "odt": Format("application/vnd.oasis.opendocument.text", "odt", odt.render),
}


def render_document(document: Document, fmt: str) -> bytes:
    """The document as a file of format `fmt` (md, html, pdf, docx, odt)."""
    if fmt not in DOCUMENT_FORMATS:
        raise NotFound(_l("Format d'export inconnu."))
    # The renderers' own words ("Sommaire", "Page"…) are in the document's language, not
    # the reader's: a contract is French for everyone.
    with force_locale(language(document)):
        return DOCUMENT_FORMATS[fmt].render(document)
