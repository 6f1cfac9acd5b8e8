"""Document and list renderers, all fed by the assembled models (exports/document.py).

`render_document(document, fmt)` turns one assembled document (contract, workshop minutes)
into a file; `commitment_list` assembles the commitment list and renders its formats."""
from __future__ import annotations

from pathlib import Path

from flask_babel import force_locale, lazy_gettext as _l

from ..services.errors import NotFound
from .document import language

DOCUMENT_FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "odt": ("application/vnd.oasis.opendocument.text", "odt"),
}


def render_document(document: dict, fmt: str) -> bytes:
    """The document as a file of format `fmt` (md, html, pdf, docx, odt)."""
    if fmt == "md":
        from .markdown import render
    elif fmt == "html":
        from .html import render
    elif fmt == "pdf":
        from .pdf import render
    elif fmt == "docx":
        from .docx import render
    elif fmt == "odt":
        from .odt import render
    else:
        raise NotFound(_l("Format d'export inconnu."))
    # The renderers' own words ("Sommaire", "Page"…) are in the document's language, not
    # the reader's: a contract is French for everyone.
    with force_locale(language(document)):
        return render(document)


def contract_file(access, version: str | int | None, fmt: str) -> Path | bytes:
    """The contract in format `fmt`, for the web export and the command line alike: the
    draft rendered now (it may change at any moment), or frozen `version`'s file, rendered
    once and then read from the instance folder (exports/cache.py)."""
    from ..services import contract  # services build documents from this package
    from . import cache

    if version is None:
        return render_document(contract.assemble(access), fmt)
    return cache.frozen_contract(contract.get_version(access, version), fmt)
