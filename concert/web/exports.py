"""File exports: the commitment list and the contract, as downloads (session or Bearer)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from flask import Response, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..documents.commitment_list import filename
from ..exports import DOCUMENT_FORMATS, render_document, spreadsheets
from ..exports.contract import contract_file
from ..services import amendments, commitment_list, evaluation
from ..ratelimits import pdf_exports
from ..services.access import access
from ..services.errors import BadRequest, Invalid, NotFound
from . import bp


def _download(body: bytes | Path, content_type: str, name: str) -> Response:
    """`body` rendered in memory, or a stored file (streamed from the disk)."""
    if isinstance(body, Path):
        response = send_file(body, mimetype=content_type, conditional=False, etag=False)
    else:
        response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"  # the list can hold restricted sources
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/t/<slug>/export/commitments.<fmt>")
@login_required
def export_commitments(slug: str, fmt: str):
    where = access(current_user, slug)
    if fmt not in spreadsheets.FORMATS:
        raise NotFound(_l("Format d'export inconnu."))
    listing = commitment_list.assemble(where, request.args)
    return _download(spreadsheets.render(listing, fmt), spreadsheets.FORMATS[fmt].content_type,
                     filename(slug, fmt, listing["generated_at"]))


@bp.get("/t/<slug>/export/contract.<fmt>")
@login_required
@pdf_exports
def export_contract(slug: str, fmt: str):
    where = access(current_user, slug)
    if fmt not in DOCUMENT_FORMATS:
        raise NotFound(_l("Format d'export inconnu."))
    version = request.args.get("version") or None
    try:
        body = contract_file(where, version, fmt)
    except Invalid as exc:
        raise BadRequest(exc.message, field="version") from None
    stem = f"contrat-v{int(version)}" if version else "contrat"  # a number, once found
    return _download(body, DOCUMENT_FORMATS[fmt].content_type,
                     filename(slug, DOCUMENT_FORMATS[fmt].ext, datetime.now(timezone.utc), stem))


# The avenants' and the yearly evaluation's formats (SPEC: "Documents").
REPORT_FORMATS = ("pdf", "docx", "odt", "md")


def _report_format(fmt: str) -> str:
    if fmt not in REPORT_FORMATS:
        raise NotFound(_l("Format d'export inconnu."))
    return fmt


@bp.get("/t/<slug>/export/amendment.<fmt>")
@login_required
@pdf_exports
def export_amendment(slug: str, fmt: str):
    """Avenant `number`, frozen: the same file for every member."""
    where = access(current_user, slug)
    fmt = _report_format(fmt)
    try:
        amendment = amendments.get(where, request.args.get("number"))
    except Invalid as exc:
        raise BadRequest(exc.message, field="number") from None
    return _download(render_document(amendment.document, fmt), DOCUMENT_FORMATS[fmt].content_type,
                     filename(slug, fmt, amendment.created_at, f"avenant-{amendment.number}"))


@bp.get("/t/<slug>/export/evaluation.<fmt>")
@login_required
@pdf_exports
def export_evaluation(slug: str, fmt: str):
    """The yearly evaluation report of `year`."""
    where = access(current_user, slug)
    fmt = _report_format(fmt)
    year = evaluation.year_of(where, request.args.get("year"), date.today())
    return _download(render_document(evaluation.assemble(where, year), fmt),
                     DOCUMENT_FORMATS[fmt].content_type,
                     filename(slug, fmt, datetime.now(timezone.utc), f"bilan-{year}"))
