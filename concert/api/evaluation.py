"""After signature: avenants, the governance bodies, the yearly evaluation's years and
syntheses, and the measurements that are due."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request, url_for
from flask_login import current_user

from ..schemas.common import parse
from ..schemas.evaluation import (
    Amendment, AmendmentInput, AmendmentList, DueMeasurementList, EvaluationYear,
    EvaluationYearList, GovernanceBody, GovernanceInput, GovernanceList, SynthesisInput,
)
from ..services import amendments, evaluation, governance
from ..services.access import access
from . import bp, json_body, signed_in
from .spec import declare


@bp.get("/territories/<slug>/contract/amendments")
@declare({200: AmendmentList}, errors=(404,))
@signed_in
def list_amendments(slug: str):
    """Avenants, oldest first (none before signature)."""
    where = access(current_user, slug)
    signature = amendments.signature_of(where.territory)
    return jsonify({"items": [amendments.serialise(a, signature)
                              for a in amendments.amendments(where)]})


@bp.post("/territories/<slug>/contract/amendments")
@declare({201: Amendment}, body=AmendmentInput, errors=(403, 404, 409))
@signed_in
def freeze_amendment(slug: str):
    """Establish the next avenant from the changes since signature or the last avenant
    (facilitators, phase `signed` or `evaluation`); 409 before signature or without any
    change. Broadcasts `contract.amendment`."""
    where = access(current_user, slug)
    where.require("facilitator")
    data = parse(AmendmentInput, json_body()) if request.data else AmendmentInput()
    amendment = amendments.freeze(where, data)
    return jsonify(amendments.serialise(amendment,
                                        amendments.signature_of(where.territory))), 201


@bp.get("/territories/<slug>/governance")
@declare({200: GovernanceList}, errors=(404,))
@signed_in
def list_governance(slug: str):
    """The comité de pilotage and the comité de suivi."""
    where = access(current_user, slug)
    return jsonify({"items": [governance.serialise_body(kind, body)
                              for kind, body in governance.bodies(where).items()]})


@bp.put("/territories/<slug>/governance/<kind>")
@declare({200: GovernanceBody}, body=GovernanceInput, errors=(403, 404))
@signed_in
def put_governance(slug: str, kind: str):
    """Describe a body, `copil` or `comite_suivi` (facilitators); fields left out are
    emptied."""
    where = access(current_user, slug)
    where.require("facilitator")
    body = governance.save(where, kind, parse(GovernanceInput, json_body()))
    return jsonify(governance.serialise_body(kind, body))


@bp.get("/territories/<slug>/evaluation")
@declare({200: EvaluationYearList}, errors=(404,))
@signed_in
def list_evaluation_years(slug: str):
    """The years a bilan annuel exists for, with its synthesis and its files."""
    where = access(current_user, slug)
    texts = evaluation.syntheses(where)
    return jsonify({"items": [_year(slug, year, texts.get(year, ""))
                              for year in evaluation.years(where, date.today())]})


@bp.put("/territories/<slug>/evaluation/<year>/synthesis")
@declare({200: EvaluationYear}, body=SynthesisInput, errors=(400, 403, 404))
@signed_in
def put_synthesis(slug: str, year: str):
    """Write the facilitators' synthesis of a year's bilan (facilitators)."""
    where = access(current_user, slug)
    where.require("facilitator")
    text = evaluation.set_synthesis(where, year, parse(SynthesisInput, json_body()),
                                    date.today())
    return jsonify(_year(slug, int(year), text))


@bp.get("/territories/<slug>/evaluation/due")
@declare({200: DueMeasurementList}, errors=(404,))
@signed_in
def due_measurements(slug: str):
    """Indicators whose measurement is due today (their frequency, their last measurement)."""
    where = access(current_user, slug)
    return jsonify({"items": [evaluation.serialise_due(item) for item in
                              evaluation.due_measurements(where.territory, date.today())]})


def _year(slug: str, year: int, synthesis: str) -> dict:
    return {"year": year, "synthesis": synthesis,
            "urls": {fmt: url_for("web.export_evaluation", slug=slug, fmt=fmt, year=year)
                     for fmt in ("pdf", "docx", "odt", "md")}}
