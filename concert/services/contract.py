"""The draft contract: assembled once into the document model (documents/model.py) from the
commitments, the shared diagnostic, the frameworks and the sections facilitators write;
frozen into numbered versions; two versions (or a version and the draft) compared.

The contract is one document, identical for every member: it holds only what every member
may see (commitments, open channels' names, facilitators' texts), never a post."""
from __future__ import annotations

import difflib
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, format_date, gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import communes
from ..db import db
from ..documents import model as doc
from ..labels import COMMITMENT_STATUS_LABELS, PARTY_HEADINGS, PHASE_LABELS
from ..models import Commitment, Indicator, Territory, utcnow
from ..models.contract import (
    FRAMEWORK_KINDS, SECTION_KEYS, ContractFramework, ContractSection, ContractVersion,
)
from ..schemas.contract import MAX_SECTION, SectionInput, VersionInput
from . import audience, audit, commitment_section, diagnostic, events, validation
from .access import Access, in_territory, system_reader
from .commitments import _date
from .errors import Invalid, NotFound

SECTION_TITLES = {
    "preamble": _l("Préambule"),
    "diagnostic": _l("Diagnostic partagé"),
    "frameworks": _l("Dispositifs intégrés"),
    "governance": _l("Gouvernance"),
    "evaluation": _l("Évaluation"),
    "closing": _l("Dispositions finales"),
    "signatories": _l("Signataires"),
}
SECTION_HINTS = {
    "preamble": _l("Objet du contrat, territoire couvert, parties, durée."),
    "diagnostic": _l("Synthèse qualitative du diagnostic partagé (les tableaux et graphiques "
                     "sont ajoutés automatiquement)."),
    "governance": _l("Comité de pilotage, cellules de coordination, rythme des réunions."),
    "evaluation": _l("Modalités d'évaluation (le tableau des indicateurs est ajouté "
                     "automatiquement)."),
    "closing": _l("Durée, révision, résiliation."),
    "signatories": _l("Une ligne par signataire : organisation, nom et qualité."),
}
FRAMEWORK_LABELS = {
    "cls": _l("Contrat local de santé (CLS)"),
    "stspd": _l("Stratégie territoriale de sécurité et de prévention de la délinquance (STSPD)"),
    "contrat_de_ville": _l("Contrat de ville"),
    "convention_coordination": _l("Convention de coordination des interventions de la police "
                                  "municipale et des forces de sécurité de l'État"),
    "other": _l("Autre dispositif"),
}
# The commitment fields a diff compares, in reading order.
FIELD_LABELS = {
    "title": _l("Intitulé"), "party": _l("Partie"), "description": _l("Description"),
    "pilot": _l("Pilote"), "partners": _l("Partenaires"), "status": _l("Statut"),
    "domain": _l("Domaine"), "start_date": _l("Début"), "due_date": _l("Échéance"),
    "actions": _l("Actions"), "staff": _l("Moyens humains"), "budget": _l("Budget"),
    "equipment": _l("Équipements"), "indicators": _l("Indicateurs"),
}


# --- editable parts ------------------------------------------------------------------------

def sections(access: Access) -> dict[str, str]:
    """Every editable section's Markdown source ("" when not written yet)."""
    rows = db.session.execute(sa.select(ContractSection.key, ContractSection.body).where(
        ContractSection.territory_id == access.territory.id))
    return {key: "" for key in SECTION_KEYS} | dict(rows.all())


def edits(access: Access) -> None:
    """Facilitators write the contract. The API checks it before reading a body too."""
    access.require("facilitator")


def set_section(access: Access, key: Any, data: SectionInput) -> str:
    edits(access)
    key, body = validation.choice(key, "key", SECTION_KEYS), data.body
    row = db.session.scalar(sa.select(ContractSection).where(
        ContractSection.territory_id == access.territory.id, ContractSection.key == key))
    before = row.body if row else ""
    if before == body:
        return body
    if row is None:
        row = ContractSection(territory_id=access.territory.id, key=key)
        db.session.add(row)
    row.body, row.updated_at = body, utcnow()
    row.updated_by_id = access.user.id if access.user else None
    db.session.flush()
    audit.record("contract.section", actor=access.user, territory=access.territory, obj=row,
                 before={"key": key, "body": before}, after={"key": key, "body": body})
    db.session.commit()
    return body


def frameworks(access: Access) -> list[ContractFramework]:
    return list(db.session.scalars(sa.select(ContractFramework).where(
        ContractFramework.territory_id == access.territory.id).order_by(
        ContractFramework.start_date.is_(None), ContractFramework.start_date,
        ContractFramework.id)))


def get_framework(access: Access, framework_id: Any) -> ContractFramework:
    return in_territory(access, ContractFramework, framework_id, _l("Dispositif introuvable."))


def save_framework(access: Access, data: dict, framework_id: Any = None) -> ContractFramework:
    """Creates a framework, or edits the fields of `data` of an existing one."""
    access.require("facilitator")
    framework = None if framework_id is None else get_framework(access, framework_id)
    unknown = set(data) - {"kind", "name", "start_date", "end_date", "integration"}
    if unknown:
        field = sorted(unknown)[0]
        raise Invalid(_l("Champ inconnu : %(field)s.", field=field), field=field)
    fields: dict[str, Any] = {}
    if framework is None or "kind" in data:
        fields["kind"] = validation.choice(data.get("kind"), "kind", FRAMEWORK_KINDS)
    if framework is None or "name" in data:
        fields["name"] = validation.text(data.get("name"), "name", max_length=200)
    if "integration" in data:
        fields["integration"] = validation.text(data["integration"], "integration",
                                                max_length=MAX_SECTION, required=False)
    for key in ("start_date", "end_date"):
        if key in data:
            fields[key] = _date(data[key], key)
    before = serialise_framework(framework) if framework else None
    if framework is None:
        framework = ContractFramework(territory_id=access.territory.id, integration="")
        db.session.add(framework)
    for key, value in fields.items():
        setattr(framework, key, value)
    if framework.start_date and framework.end_date and framework.end_date < framework.start_date:
        raise Invalid(_l("La fin précède le début."), field="end_date")
    framework.updated_at = utcnow()
    db.session.flush()
    audit.record("contract.framework." + ("update" if before else "create"), actor=access.user,
                 territory=access.territory, obj=framework, before=before,
                 after=serialise_framework(framework))
    db.session.commit()
    return framework


def delete_framework(access: Access, framework_id: Any) -> None:
    access.require("facilitator")
    framework = get_framework(access, framework_id)
    audit.record("contract.framework.delete", actor=access.user, territory=access.territory,
                 obj=framework, before=serialise_framework(framework))
    db.session.delete(framework)
    db.session.commit()


def serialise_framework(framework: ContractFramework) -> dict:
    return {"id": framework.id, "kind": framework.kind, "name": framework.name,
            "start_date": framework.start_date.isoformat() if framework.start_date else None,
            "end_date": framework.end_date.isoformat() if framework.end_date else None,
            "integration": framework.integration}


# --- assembly ------------------------------------------------------------------------------

def assemble(access: Access, version: int | None = None) -> dict:
    """The current draft (version None), or the stored document of frozen version N."""
    if version is not None:
        return get_version(access, version).document
    return _assemble(access.territory)


def _assemble(territory: Territory, version_label: str | None = None) -> dict:
    """A CSI is a French administrative document: whoever reads or freezes it, and in
    whatever language their screens are, the document itself is written in French."""
    with force_locale("fr"):
        return _assemble_french(territory, version_label)


def _assemble_french(territory: Territory, version_label: str | None) -> dict:
    version_label = version_label or _("Projet de travail")
    texts = sections(system_reader(territory))
    items = _commitments(territory)
    domains = _open_domains(territory)
    words = commitment_section.Words.current("fr")
    numbered: list[tuple[str, str, list, list]] = [
        ("preamble", str(SECTION_TITLES["preamble"]), _text_blocks(texts["preamble"]), []),
        ("diagnostic", str(SECTION_TITLES["diagnostic"]),
         _diagnostic_blocks(territory) + _text_blocks(texts["diagnostic"], optional=True), []),
        ("frameworks", str(SECTION_TITLES["frameworks"]), _framework_blocks(territory), []),
    ]
    for party, heading in PARTY_HEADINGS.items():
        mine = [c for c in items if c.party == party]
        numbered.append((f"commitments-{party}", str(heading), [] if mine else [
            doc.paragraph(_("Aucun engagement pour l'instant."))], mine))
    numbered += [
        ("governance", str(SECTION_TITLES["governance"]), _text_blocks(texts["governance"]), []),
        ("evaluation", str(SECTION_TITLES["evaluation"]),
         _text_blocks(texts["evaluation"], optional=True) + [_evaluation_table(items)], []),
        ("closing", str(SECTION_TITLES["closing"]), _text_blocks(texts["closing"]), []),
        ("signatories", str(SECTION_TITLES["signatories"]), _text_blocks(texts["signatories"]),
         []),
    ]
    built = []
    for position, (key, title, blocks, commitments) in enumerate(numbered, start=1):
        subsections = [commitment_section.section(_commitment_facts(c, domains),
                                                  f"{position}.{i}", words)
                       for i, c in enumerate(commitments, start=1)]
        built.append(doc.section(key, str(position), title, blocks, subsections))
    meta = [(_("Territoire"), territory.name),
            (_("Département"), communes.departement_label(territory.departement)
             if territory.departement else "—"),
            (_("Phase"), str(PHASE_LABELS[territory.phase])),
            (_("Version"), version_label),
            (_("Date"), format_date(utcnow(), "long"))]
    return doc.document("contract", _("Contrat de sécurité intégrée"), territory.name, meta,
                        built, lang="fr")


def _text_blocks(source: str, *, optional: bool = False) -> list:
    if source.strip():
        return [doc.markdown(source)]
    return [] if optional else [doc.paragraph(_("Section à rédiger."))]


def _diagnostic_blocks(territory: Territory) -> list:
    """The diagnostic's tables and charts (services/diagnostic.py owns them)."""
    return list(diagnostic.contract_blocks(system_reader(territory)))


def _framework_blocks(territory: Territory) -> list:
    items = frameworks(system_reader(territory))
    if not items:
        return [doc.paragraph(_("Aucun dispositif intégré pour l'instant."))]
    blocks = [doc.table(_("Dispositifs intégrés au contrat"),
                        [_("Dispositif"), _("Type"), _("Début"), _("Fin")],
                        [[f.name, str(FRAMEWORK_LABELS[f.kind]), _day(f.start_date),
                          _day(f.end_date)] for f in items])]
    for framework in items:
        if framework.integration.strip():
            blocks.append(doc.paragraph(_("Intégration de « %(name)s » :", name=framework.name)))
            blocks.append(doc.markdown(framework.integration))
    return blocks


def _commitments(territory: Territory) -> list[Commitment]:
    """With their indicators and measurements, in three queries rather than one per
    commitment and indicator (2,000 commitments took seconds in lazy loads)."""
    return list(db.session.scalars(sa.select(Commitment).where(
        Commitment.territory_id == territory.id).order_by(Commitment.number).options(
            selectinload(Commitment.indicators).selectinload(Indicator.measurements))))


def _open_domains(territory: Territory) -> dict[int, str]:
    """Names of the channels every member may see: a restricted one is never named."""
    return {c.id: c.name for c in audience.visible_channels(system_reader(territory))}


def _commitment_facts(commitment: Commitment, domains: dict[int, str]) -> commitment_section.Facts:
    return commitment_section.Facts(
        id=commitment.id, number=commitment.number, title=commitment.title,
        description=commitment.description or "", pilot=commitment.pilot or "",
        partners=list(commitment.partners or []), status=commitment.status,
        domain=domains.get(commitment.channel_id), start_date=commitment.start_date,
        due_date=commitment.due_date, means=commitment.means or {},
        actions=list(commitment.actions or []),
        indicators=commitment_section.indicators(commitment.indicators))


def _evaluation_table(items: list[Commitment]) -> dict:
    rows = []
    for commitment in items:
        for indicator in commitment.indicators:
            latest = indicator.measurements[-1] if indicator.measurements else None
            rows.append([str(commitment.number), indicator.name, indicator.unit,
                         _number(indicator.baseline), _number(indicator.target),
                         _number(latest.value) if latest else None,
                         _day(latest.measured_on) if latest else None])
    return doc.table(_("Indicateurs d'évaluation"),
                     [_("Engagement n°"), _("Indicateur"), _("Unité"), _("Référence"),
                      _("Cible"), _("Dernière mesure"), _("Date de la mesure")], rows)


def _day(value: date | None) -> str | None:
    """The contract is French whoever assembles it (see _assemble)."""
    return commitment_section.day(value, "fr")


def _number(value: float | None) -> str | None:
    return commitment_section.number_text(value, "fr")


# --- versions ------------------------------------------------------------------------------

def freeze(access: Access, data: VersionInput) -> ContractVersion:
    """Freezes the current draft as the territory's next version (1, 2…, no gap)."""
    edits(access)
    note = data.note
    for _attempt in range(5):
        # The no-op UPDATE locks the territory's row (PostgreSQL) or takes the write lock
        # (SQLite) until commit: two freezes never read the same last number.
        db.session.execute(sa.update(Territory).where(Territory.id == access.territory.id)
                           .values(last_seq=Territory.last_seq))
        number = 1 + (db.session.scalar(sa.select(sa.func.max(ContractVersion.number)).where(
            ContractVersion.territory_id == access.territory.id)) or 0)
        version = ContractVersion(
            territory_id=access.territory.id, number=number, note=note,
            author_id=access.user.id if access.user else None,
            document=_assemble(access.territory, "Version %d" % number),
            snapshot=_snapshot(access.territory))
        db.session.add(version)
        try:
            db.session.flush()
        except IntegrityError:  # safety net: the unique constraint caught a race
            db.session.rollback()
            continue
        audit.record("contract.version", actor=access.user, territory=access.territory,
                     obj=version, after={"number": number, "note": note})
        events.record(access.territory, "contract.version", serialise_version(version))
        db.session.commit()
        return version
    raise Invalid(_l("Réessayez : une autre version vient d'être figée."))


def versions(access: Access) -> list[ContractVersion]:
    return list(db.session.scalars(sa.select(ContractVersion).where(
        ContractVersion.territory_id == access.territory.id).order_by(ContractVersion.number)))


def get_version(access: Access, number: Any, field: str = "version") -> ContractVersion:
    number = validation.integer(number, field)
    version = db.session.scalar(sa.select(ContractVersion).where(
        ContractVersion.territory_id == access.territory.id, ContractVersion.number == number))
    if version is None:
        raise NotFound(_l("Version introuvable."))
    return version


def serialise_version(version: ContractVersion) -> dict:
    return {"number": version.number, "note": version.note,
            "author": {"id": version.author_id,
                       "name": version.author.name if version.author else ""},
            "created_at": version.created_at.isoformat()}


def _snapshot(territory: Territory) -> dict:
    """What a diff compares: each commitment's fields as text, and each section's text."""
    domains = _open_domains(territory)
    commitments = {}
    for c in _commitments(territory):
        means = c.means or {}
        # By number, never reused (SQLite may reuse a deleted row's id).
        commitments[str(c.number)] = {
            "id": c.id, "number": c.number, "title": c.title, "party": c.party,
            "description": c.description, "pilot": c.pilot,
            "partners": ", ".join(c.partners or []), "status": c.status,
            "domain": domains.get(c.channel_id, ""),
            "start_date": c.start_date.isoformat() if c.start_date else "",
            "due_date": c.due_date.isoformat() if c.due_date else "",
            "actions": "\n".join(c.actions or []),
            "staff": means.get("staff", ""), "budget": means.get("budget", ""),
            "equipment": means.get("equipment", ""),
            "indicators": "\n".join(
                f"{i.name} ({i.unit}) : {_plain(i.baseline)} → {_plain(i.target)}"
                for i in c.indicators),
        }
    texts = sections(system_reader(territory))
    texts["frameworks"] = "\n\n".join(
        f"{f.name} [{f.kind}] {_plain(f.start_date)} → {_plain(f.end_date)}\n{f.integration}"
        for f in frameworks(system_reader(territory)))
    return {"commitments": commitments, "sections": texts}


def _plain(value: Any) -> str:
    if value is None:
        return "…"
    return value.isoformat() if isinstance(value, date) else f"{value:g}"


# --- comparison ----------------------------------------------------------------------------

def diff(access: Access, from_: Any, to: Any) -> dict:
    """What changed from version `from_` to version `to` (a number, or "draft")."""
    start = get_version(access, from_, "from")
    before = start.snapshot
    if to in (None, "", "draft"):
        after, to_label = _snapshot(access.territory), "draft"
    else:
        version = get_version(access, to, "to")
        after, to_label = version.snapshot, version.number
    old, new = before["commitments"], after["commitments"]
    summary = lambda _key, c: {"id": c["id"], "number": c["number"], "title": c["title"]}
    changed = []
    for c_id in sorted(set(old) & set(new), key=lambda i: new[i]["number"]):
        changes = [{"field": field, "label": str(label),
                    "before": _shown(field, old[c_id].get(field, "")),
                    "after": _shown(field, new[c_id].get(field, ""))}
                   for field, label in FIELD_LABELS.items()
                   if old[c_id].get(field, "") != new[c_id].get(field, "")]
        if changes:
            changed.append({**summary(c_id, new[c_id]), "changes": changes})
    text_changes = []
    for key, title in SECTION_TITLES.items():
        a, b = before["sections"].get(key, ""), after["sections"].get(key, "")
        if a != b:
            text_changes.append({"key": key, "title": str(title), "before": a, "after": b,
                                 "diff": list(difflib.unified_diff(
                                     a.splitlines(), b.splitlines(), lineterm="", n=2))[2:]})
    return {
        "from": start.number, "to": to_label,
        "commitments": {
            "added": [summary(i, new[i]) for i in sorted(set(new) - set(old),
                                                         key=lambda i: new[i]["number"])],
            "removed": [summary(i, old[i]) for i in sorted(set(old) - set(new),
                                                           key=lambda i: old[i]["number"])],
            "changed": changed,
        },
        "sections": text_changes,
    }


def _shown(field: str, value: str) -> str:
    labels = {"status": COMMITMENT_STATUS_LABELS, "party": PARTY_HEADINGS}.get(field)
    return str(labels[value]) if labels and value in labels else value
