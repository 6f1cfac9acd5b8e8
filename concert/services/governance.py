"""The contract's governance: its comité de pilotage (COPIL) and comité de suivi, who sits
on them, how often they meet, and how they relate to the CLSPD / CISPD. Facilitators edit
them; the contract's governance article and the yearly evaluation print them."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext as _l

from ..db import db
from ..documents import model as doc
from ..models import Territory, utcnow
from ..models.evaluation import GOVERNANCE_KINDS, GovernanceBody
from ..schemas.evaluation import GovernanceInput
from . import audit
from .access import Access, system_reader
from .errors import NotFound

BODY_NAMES = {
    "copil": _l("Comité de pilotage (COPIL)"),
    "comite_suivi": _l("Comité de suivi (technique)"),
}
BODY_HINTS = {
    "copil": _l("Instance décisionnelle : coprésidée par le préfet et le maire (ou le "
                "président de l'EPCI), elle arrête les orientations et valide le bilan annuel."),
    "comite_suivi": _l("Instance technique : les services pilotes suivent la mise en œuvre des "
                       "fiches actions et les indicateurs."),
}


def bodies(access: Access) -> dict[str, GovernanceBody | None]:
    """Each kind's body, None when not described yet."""
    rows = db.session.scalars(sa.select(GovernanceBody).where(
        GovernanceBody.territory_id == access.territory.id))
    return {kind: None for kind in GOVERNANCE_KINDS} | {row.kind: row for row in rows}


def save(access: Access, kind: str, data: GovernanceInput) -> GovernanceBody:
    access.require("facilitator")
    if kind not in GOVERNANCE_KINDS:
        raise NotFound(_l("Instance inconnue."))
    body = bodies(access)[kind]
    before = serialise_body(kind, body)
    if body is None:
        body = GovernanceBody(territory_id=access.territory.id, kind=kind)
        db.session.add(body)
    body.chair, body.frequency = data.chair, data.frequency
    body.clspd_link, body.missions = data.clspd_link, data.missions
    body.composition = [m.model_dump() for m in data.composition]
    body.updated_by_id = access.user.id if access.user else None
    body.updated_at = utcnow()
    db.session.flush()
    after = serialise_body(kind, body)
    if after != before:
        audit.record("governance.update", actor=access.user, territory=access.territory,
                     obj=body, before=before, after=after)
    db.session.commit()
    return body


def serialise_body(kind: str, body: GovernanceBody | None) -> dict:
    """The API's shape; an undescribed body is empty."""
    return {"kind": kind, "name": str(BODY_NAMES[kind]),
            "chair": body.chair if body else "",
            "composition": [dict(m) for m in body.composition] if body else [],
            "frequency": body.frequency if body else "",
            "clspd_link": body.clspd_link if body else "",
            "missions": body.missions if body else ""}


def described(body: GovernanceBody | None) -> bool:
    return body is not None and any((body.chair, body.composition, body.frequency,
                                     body.clspd_link, body.missions))


def governance_blocks(territory: Territory) -> list[doc.Block]:
    """The governance bodies as document blocks, in the document's language (the caller's
    locale): for the contract's gouvernance article and the yearly evaluation. Empty when
    no body is described."""
    blocks: list[doc.Block] = []
    for kind, body in bodies(system_reader(territory)).items():
        if not described(body):
            continue
        blocks.append(doc.paragraph(str(BODY_NAMES[kind])))
        facts = [(_("Présidence"), body.chair), (_("Fréquence des réunions"), body.frequency),
                 (_("Articulation avec le CLSPD / CISPD"), body.clspd_link),
                 (_("Missions"), body.missions)]
        items = [(label, value) for label, value in facts if value]
        if items:
            blocks.append(doc.fields(items))
        if body.composition:
            blocks.append(doc.table(_("Composition — %(body)s", body=BODY_NAMES[kind]),
                                    [_("Organisation"), _("Qualité")],
                                    [[m["organisation"], m.get("quality", "")]
                                     for m in body.composition]))
    return blocks
