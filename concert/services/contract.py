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
from flask_babel import force_locale, gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import communes
from ..db import db
from ..documents import model as doc
from ..labels import (
    COMMITMENT_STATUS_LABELS, FRAMEWORK_LABELS, PARTY_HEADINGS, PHASE_LABELS, SECTION_TITLES,
    day_text,
)
from ..models import Commitment, Indicator, Territory, utcnow
from ..models.contract import (
    FRAMEWORK_KINDS, SECTION_KEYS, ContractFramework, ContractSection, ContractVersion,
)
from ..schemas.contract import MAX_SECTION, SectionInput, VersionInput
from . import (
    act, audit, commitment_section, diagnostic, events, governance, notifications, search,
    validation,
)
from .access import Access, in_territory, system_reader
from .commitments import _date
from .errors import Invalid, NotFound

SECTION_HINTS = {
    "preamble": _l("Objet du contrat (article 1) ; sans texte, l'objet type de la circulaire."),
    "diagnostic": _l("Synthèse qualitative du diagnostic partagé (les tableaux et graphiques "
                     "sont ajoutés automatiquement)."),
    "governance": _l("Comité de pilotage, cellules de coordination, rythme des réunions."),
    "evaluation": _l("Modalités d'évaluation (le tableau des indicateurs est ajouté "
                     "automatiquement)."),
    "closing": _l("Clauses propres à ce contrat, ajoutées à l'article sur la révision "
                  "(durée, résiliation et juridiction se règlent dans « Acte »)."),
    "signatories": _l("Remplacée par les signataires structurés de la page « Acte » ; ce "
                      "texte n'est plus imprimé."),
}
# What a diff compares beyond the sections written: the act's generated parts.
DIFF_TITLES = SECTION_TITLES | {"parties": _l("Parties"), "visas": _l("Visas"),
                                "act": _l("Dispositions finales")}
# In the contract proper: validated commitments and those under way or done. Drafts are
# listed apart in the working draft only; abandoned ones are never printed.
ACT_STATUSES = ("validated", "in_progress", "done")
# The commitment fields a diff compares, in reading order.
FIELD_LABELS = {
    "title": _l("Intitulé"), "party": _l("Partie"), "description": _l("Description"),
    "pilot": _l("Pilote"), "partners": _l("Partenaires"), "status": _l("Statut"),
    "start_date": _l("Début"), "due_date": _l("Échéance"),
    "actions": _l("Actions"), "staff": _l("Moyens humains"), "budget": _l("Budget"),
    "equipment": _l("Équipements"), "indicators": _l("Indicateurs"), "axis": _l("Axe"),
    "financing": _l("Source de financement"), "target_area": _l("Zone ciblée"),
    "framework": _l("Dispositif servi"),
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
    search.index_section(row)
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
    whatever language their screens are, the document itself is written in French. The
    working draft (no version label) also lists the draft commitments, apart."""
    with force_locale("fr"):
        return _assemble_french(territory, version_label)


def _assemble_french(territory: Territory, version_label: str | None) -> dict:
    """The act: parties, visas, numbered articles, signature block, then the annexes."""
    working = version_label is None
    version_label = version_label or _("Projet de travail")
    reader = system_reader(territory)
    texts = sections(reader)
    items = _commitments(territory)
    in_act = _in_act_order(reader, [c for c in items if c.status in ACT_STATUSES])
    numbers = {c.id: n for n, c in enumerate(in_act, start=1)}
    axis_labels = act.axis_labels(reader)
    framework_rows = frameworks(reader)
    framework_names = {f.id: f.name for f in framework_rows}
    signatories = act.signatories(reader)
    words = commitment_section.Words.current("fr")
    facts = lambda c, number: _commitment_facts(c, number, axis_labels, framework_names)

    articles: list[tuple[str, str, list, list]] = [
        ("preamble", _("Objet"), _text_blocks(texts["preamble"], default=_(
            "Le présent contrat de sécurité intégrée formalise et renforce les engagements "
            "réciproques de l'État, des collectivités et des partenaires signataires en "
            "matière de sécurité et de prévention de la délinquance sur le territoire de "
            "%(name)s, sur la base d'un diagnostic partagé.", name=territory.name)), []),
        ("perimeter", _("Périmètre"), _perimeter_blocks(territory, in_act), []),
        ("diagnostic", _("Diagnostic partagé"),
         _diagnostic_blocks(territory) + _text_blocks(texts["diagnostic"], optional=True), []),
        ("frameworks", _("Dispositifs intégrés"), _framework_blocks(framework_rows), []),
        ("commitments", _("Engagements des parties"), [] if in_act else [
            doc.paragraph(_("Aucun engagement validé pour l'instant."))],
         _axis_sections(in_act, numbers, axis_labels, signatories)),
        ("governance", _("Gouvernance"), _governance_blocks(territory, texts["governance"]), []),
        ("evaluation", _("Évaluation"),
         _text_blocks(texts["evaluation"], optional=True) + [_evaluation_table(in_act, numbers)],
         []),
        ("duration", _("Durée"), [doc.paragraph(act.duration_text(reader))], []),
        ("effect", _("Date d'effet"), [doc.paragraph(act.effect_text(reader))], []),
        ("revision", _("Révision"), [doc.paragraph(_(
            "Le présent contrat peut être modifié par avenant à la demande de l'une des "
            "parties, notamment au vu de son évaluation annuelle. Les avenants sont conclus "
            "dans les mêmes formes que le présent contrat."))]
         + _text_blocks(texts["closing"], optional=True), []),
        ("termination", _("Résiliation"), [doc.paragraph(act.termination_text(reader))], []),
        ("credits", _("Engagements financiers"), [doc.paragraph(_(
            "Les engagements financiers des parties sont pris sous réserve du vote des "
            "crédits correspondants en loi de finances pour l'État et par les assemblées "
            "délibérantes des collectivités signataires."))], []),
        ("court", _("Juridiction compétente"), [doc.paragraph(act.court_text(reader))], []),
    ]
    annexes = [doc.section("annex-fiches", _("Annexe %(n)d —", n=1), _("Fiches actions"),
                           [] if in_act else [doc.paragraph(_("Aucune fiche action."))],
                           [commitment_section.section(facts(c, numbers[c.id]), "", words)
                            for c in in_act])]
    if documents := _attached_documents(in_act, numbers):
        annexes.append(doc.section("annex-documents", _("Annexe %(n)d —", n=len(annexes) + 1),
                                   _("Documents joints"), [doc.bullet_list(documents)], []))
    articles.append(("annexes", _("Annexes"), [
        doc.paragraph(_("Sont annexés au présent contrat :")),
        doc.bullet_list(f"{a['number']} {a['title']}" for a in annexes)], []))

    built = [doc.section("parties", "", _("Parties"), act.parties_blocks(signatories)),
             doc.section("visas", "", _("Visas"), act.visa_blocks(reader, framework_rows))]
    for position, (key, title, blocks, subsections) in enumerate(articles, start=1):
        built.append(doc.section(key, _("Article %(n)d —", n=position), title, blocks,
                                 subsections))
    built.append(doc.section("signatures", "", _("Signatures"),
                             act.signature_blocks(reader, signatories)))
    built += annexes
    drafts = [c for c in items if c.status == "draft"]
    if working and drafts:
        built.append(doc.section(
            "drafts", "", _("Engagements en projet (hors contrat)"),
            [doc.paragraph(_("Projets d'engagements encore en discussion : ils ne font pas "
                             "partie du contrat tant qu'ils ne sont pas validés."))],
            [commitment_section.section(facts(c, c.number), "", words, heading=_(
                "Projet — %(title)s (brouillon n° %(n)d)", title=c.title, n=c.number))
             for c in drafts]))
    meta = [(_("Territoire"), territory.name),
            (_("Département"), communes.departement_label(territory.departement)
             if territory.departement else "—"),
            (_("Phase"), str(PHASE_LABELS[territory.phase])),
            (_("Version"), version_label),
            (_("Date"), day_text(utcnow().date()))]
    return doc.document("contract", _("Contrat de sécurité intégrée"), territory.name, meta,
                        built, lang="fr")


def _attached_documents(in_act: list[Commitment], numbers: dict[int, int]) -> list[str]:
    """The documents attached to the act's commitments, by name (their bytes stay in
    concert, for the members)."""
    return [_("%(name)s (engagement n° %(number)d)", name=file.name, number=numbers[c.id])
            for c in in_act for file in c.attachments]


def act_numbers(territory: Territory) -> dict[int, int]:
    """The number each commitment of the act bears in it (by axis, then party): the other
    documents about the contract (the yearly evaluation) name them the same way."""
    items = [c for c in _commitments(territory) if c.status in ACT_STATUSES]
    return {c.id: n for n, c in enumerate(
        _in_act_order(system_reader(territory), items), start=1)}


def _in_act_order(reader: Access, items: list[Commitment]) -> list[Commitment]:
    """By axis (the territory's order, commitments without one last), then party, then
    number: the order the act prints them in, which numbers them."""
    axis_order = {axis["key"]: i for i, axis in enumerate(act.axes(reader))}
    party_order = {party: i for i, party in enumerate(PARTY_HEADINGS)}
    return sorted(items, key=lambda c: (axis_order.get(c.axis, len(axis_order)),
                                        party_order[c.party], c.number))


def _pledge(party: str, signatories: list) -> str:
    """The paired form of real CSIs: "L'État s'engage à :", "La commune de … s'engage à :"."""
    if party == "etat":
        return _("L'État s'engage à :")
    if party == "partenaire":
        return _("Les partenaires s'engagent à :")
    collectivites = [s for s in signatories if s.role == "collectivite"]
    if len(collectivites) == 1:
        name = collectivites[0].organisation
        return _("%(party)s s'engage à :", party=name[:1].upper() + name[1:])
    return _("Les collectivités signataires s'engagent à :")


def _axis_sections(in_act: list[Commitment], numbers: dict[int, int],
                   axis_labels: dict[str, str], signatories: list) -> list:
    groups: dict[str | None, list[Commitment]] = {}
    for c in in_act:
        groups.setdefault(c.axis if c.axis in axis_labels else None, []).append(c)
    built = []
    for index, (axis, commitments) in enumerate(groups.items(), start=1):
        blocks = []
        for party in PARTY_HEADINGS:
            mine = [c for c in commitments if c.party == party]
            if mine:
                blocks.append(doc.paragraph(_pledge(party, signatories)))
                blocks.append(doc.bullet_list(
                    _("%(title)s (engagement n° %(n)d)", title=c.title, n=numbers[c.id])
                    for c in mine))
        built.append(doc.section(f"axis-{axis or 'other'}", f"{index}.",
                                 axis_labels[axis] if axis else _("Autres engagements"),
                                 blocks))
    return built


def _perimeter_blocks(territory: Territory, in_act: list[Commitment]) -> list:
    names = [communes.label(code) for code in territory.communes or []]
    blocks = [doc.paragraph(_("Le présent contrat s'applique au territoire de %(where)s.",
                              where=", ".join(names) if names else territory.name))]
    areas = sorted({c.target_area.strip() for c in in_act if (c.target_area or "").strip()})
    if areas:
        blocks.append(doc.paragraph(_("Certaines actions ciblent en particulier :")))
        blocks.append(doc.bullet_list(areas))
    return blocks


def _text_blocks(source: str, *, optional: bool = False, default: str = "") -> list:
    if source.strip():
        return [doc.markdown(source)]
    if default:
        return [doc.paragraph(default)]
    return [] if optional else [doc.paragraph(_("Section à rédiger."))]


def _governance_blocks(territory: Territory, text: str) -> list:
    """The COPIL and comité de suivi as described (services/governance.py), then the
    facilitators' text; "à rédiger" only when there is neither."""
    bodies = governance.governance_blocks(territory)
    return bodies + _text_blocks(text, optional=bool(bodies))


def _diagnostic_blocks(territory: Territory) -> list:
    """The diagnostic's tables and charts (services/diagnostic.py owns them)."""
    return list(diagnostic.contract_blocks(system_reader(territory)))


def _framework_blocks(items: list[ContractFramework]) -> list:
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


def _commitment_facts(commitment: Commitment, number: int, axis_labels: dict[str, str],
                      framework_names: dict[int, str]) -> commitment_section.Facts:
    """As the act states it: numbered in the document's order, on its axis (never the
    channel's name, which a restricted channel hides and a rename would change)."""
    return commitment_section.Facts(
        id=commitment.id, number=number, title=commitment.title,
        description=commitment.description or "", pilot=commitment.pilot or "",
        partners=list(commitment.partners or []), status=None, domain=None,
        start_date=commitment.start_date, due_date=commitment.due_date,
        means=commitment.means or {}, actions=list(commitment.actions or []),
        indicators=commitment_section.indicators(commitment.indicators),
        axis=axis_labels.get(commitment.axis), target_area=commitment.target_area or "",
        framework=framework_names.get(commitment.framework_id),
        financing=commitment.financing or "")


def _evaluation_table(items: list[Commitment], numbers: dict[int, int]) -> dict:
    rows = []
    for commitment in items:
        for indicator in commitment.indicators:
            latest = indicator.measurements[-1] if indicator.measurements else None
            rows.append([str(numbers[commitment.id]), indicator.name, indicator.unit,
                         commitment_section.reference_text(
                             commitment_section.indicators([indicator])[0], "fr"),
                         _number(indicator.target), indicator.source or None,
                         _number(latest.value) if latest else None,
                         _day(latest.measured_on) if latest else None])
    return doc.table(_("Indicateurs d'évaluation"),
                     [_("Engagement n°"), _("Indicateur"), _("Unité"), _("Référence"),
                      _("Cible"), _("Source"), _("Dernière mesure"), _("Date de la mesure")],
                     rows)


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
            snapshot=snapshot(access.territory))
        db.session.add(version)
        try:
            db.session.flush()
        except IntegrityError:  # safety net: the unique constraint caught a race
            db.session.rollback()
            continue
        audit.record("contract.version", actor=access.user, territory=access.territory,
                     obj=version, after={"number": number, "note": note})
        events.record(access.territory, "contract.version", serialise_version(version))
        notifications.contract_frozen(access, version)
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


def snapshot(territory: Territory) -> dict:
    """What a diff compares: each commitment's fields as text, and each section's text."""
    reader = system_reader(territory)
    axis_labels = act.axis_labels(reader)
    framework_names = {f.id: f.name for f in frameworks(reader)}
    commitments = {}
    for c in _commitments(territory):
        means = c.means or {}
        # By number, never reused (SQLite may reuse a deleted row's id).
        commitments[str(c.number)] = {
            "id": c.id, "number": c.number, "title": c.title, "party": c.party,
            "description": c.description, "pilot": c.pilot,
            "partners": ", ".join(c.partners or []), "status": c.status,
            "axis": axis_labels.get(c.axis, ""), "financing": c.financing or "",
            "target_area": c.target_area or "",
            "framework": framework_names.get(c.framework_id, ""),
            "start_date": c.start_date.isoformat() if c.start_date else "",
            "due_date": c.due_date.isoformat() if c.due_date else "",
            "actions": "\n".join(c.actions or []),
            "staff": means.get("staff", ""), "budget": means.get("budget", ""),
            "equipment": means.get("equipment", ""),
            "indicators": "\n".join(
                f"{i.name} ({i.unit}) : {_plain(i.baseline)}"
                f"{f' ({i.reference_year})' if i.reference_year else ''} → {_plain(i.target)}"
                f"{f' — {i.source}' if i.source else ''}" for i in c.indicators),
        }
    texts = sections(system_reader(territory))
    texts["frameworks"] = "\n\n".join(
        f"{f.name} [{f.kind}] {_plain(f.start_date)} → {_plain(f.end_date)}\n{f.integration}"
        for f in frameworks(system_reader(territory)))
    texts["parties"] = "\n".join(act.party_text(row) for row in act.signatories(reader))
    texts["visas"] = "\n".join(act.visas(reader))
    texts["act"] = "\n".join((act.duration_text(reader), act.effect_text(reader),
                              act.termination_text(reader), act.court_text(reader)))
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
        after, to_label = snapshot(access.territory), "draft"
    else:
        version = get_version(access, to, "to")
        after, to_label = version.snapshot, version.number
    return {"from": start.number, "to": to_label, **compare(before, after)}


def compare(before: dict, after: dict) -> dict:
    """Two snapshots' differences: commitments added, removed, changed field by field, and
    the sections whose text changed (versions' diff, avenants)."""
    old, new = before["commitments"], after["commitments"]
    summary = lambda _key, c: {"id": c["id"], "number": c["number"], "title": c["title"]}
    changed = []
    for c_id in sorted(set(old) & set(new), key=lambda i: new[i]["number"]):
        changes = [{"field": field, "label": str(label),
                    "before": shown(field, old[c_id].get(field, "")),
                    "after": shown(field, new[c_id].get(field, ""))}
                   for field, label in FIELD_LABELS.items()
                   if old[c_id].get(field, "") != new[c_id].get(field, "")]
        if changes:
            changed.append({**summary(c_id, new[c_id]), "changes": changes})
    text_changes = []
    for key, title in DIFF_TITLES.items():
        a, b = before["sections"].get(key, ""), after["sections"].get(key, "")
        if a != b:
            text_changes.append({"key": key, "title": str(title), "before": a, "after": b,
                                 "diff": list(difflib.unified_diff(
                                     a.splitlines(), b.splitlines(), lineterm="", n=2))[2:]})
    return {
        "commitments": {
            "added": [summary(i, new[i]) for i in sorted(set(new) - set(old),
                                                         key=lambda i: new[i]["number"])],
            "removed": [summary(i, old[i]) for i in sorted(set(old) - set(new),
                                                           key=lambda i: old[i]["number"])],
            "changed": changed,
        },
        "sections": text_changes,
    }


def shown(field: str, value: str) -> str:
    labels = {"status": COMMITMENT_STATUS_LABELS, "party": PARTY_HEADINGS}.get(field)
    return str(labels[value]) if labels and value in labels else value
