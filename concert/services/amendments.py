"""Avenants: once the contract is signed (phase `signed`, the last frozen version is the
signed one), a change to the contract is an amendment numbered 1, 2…, stated as articles
generated from the difference between the contract as signed or last amended and the
current draft, then frozen (never updated) and exported like a version.

Only what the act binds is compared: commitments still being drafted or abandoned are not
in the contract, and a commitment's status is the evaluation's business, not an avenant's."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext as _, lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..documents import model as doc
from ..models import Territory, utcnow
from ..models.contract import ContractVersion
from ..models.evaluation import Amendment, ContractSignature
from ..schemas.contract import VersionInput
from ..schemas.evaluation import AmendmentInput
from . import audit, commitment_section, contract, events, validation
from .access import Access
from .errors import Conflict, Invalid, NotFound

AMENDABLE_PHASES = ("signed", "evaluation")
OUT_OF_CONTRACT = ("draft", "abandoned")
# The commitment fields an avenant restates, in reading order (status is not one).
STATED_FIELDS = [field for field in contract.FIELD_LABELS if field != "status"]


# --- signature -----------------------------------------------------------------------------

def record_signature(access: Access) -> ContractSignature:
    """When the territory enters the `signed` phase: the last frozen version is the signed
    one (frozen now if none was). Recorded once: reopening and signing again keeps it, the
    avenants amend it. Within the caller's transaction."""
    signature = signature_of(access.territory)
    if signature is not None:
        return signature
    version = db.session.scalar(sa.select(ContractVersion).where(
        ContractVersion.territory_id == access.territory.id)
        .order_by(ContractVersion.number.desc()).limit(1))
    if version is None:  # committed on its own: a frozen version stands by itself
        version = contract.freeze(access, VersionInput(note=_("Version signée")))
    signature = ContractSignature(territory_id=access.territory.id, version_id=version.id,
                                  recorded_by_id=access.user.id if access.user else None)
    db.session.add(signature)
    db.session.flush()
    audit.record("contract.signature", actor=access.user, territory=access.territory,
                 object_type="contract_version", after={"version": version.number})
    return signature


def signature_of(territory: Territory) -> ContractSignature | None:
    return db.session.get(ContractSignature, territory.id)


def signed(access: Access) -> ContractSignature:
    """Avenants exist once the contract is signed: before, the draft is simply edited."""
    signature = signature_of(access.territory)
    if access.territory.phase not in AMENDABLE_PHASES or signature is None:
        raise Conflict(_l("Un avenant ne peut être établi qu'une fois le contrat signé."),
                       field="phase")
    return signature


# --- the pending changes --------------------------------------------------------------------

def amendments(access: Access) -> list[Amendment]:
    return list(db.session.scalars(sa.select(Amendment).where(
        Amendment.territory_id == access.territory.id).order_by(Amendment.number)))


def get(access: Access, number: Any) -> Amendment:
    number = validation.integer(number, "number")
    amendment = db.session.scalar(sa.select(Amendment).where(
        Amendment.territory_id == access.territory.id, Amendment.number == number))
    if amendment is None:
        raise NotFound(_l("Avenant introuvable."))
    return amendment


def _base(access: Access, signature: ContractSignature) -> tuple[dict, Amendment | None]:
    """The contract as it stands: as signed, or as the last avenant left it."""
    last = db.session.scalar(sa.select(Amendment).where(
        Amendment.territory_id == access.territory.id)
        .order_by(Amendment.number.desc()).limit(1))
    return (last.snapshot if last else signature.version.snapshot), last


def _in_contract(snapshot: dict) -> dict:
    return {"commitments": {key: c for key, c in snapshot["commitments"].items()
                            if c.get("status") not in OUT_OF_CONTRACT},
            "sections": snapshot["sections"]}


def pending(access: Access) -> dict:
    """What the next avenant would state: the contract's changes since the signed version
    or the last avenant (contract.compare's shape)."""
    signature = signed(access)
    before, _last = _base(access, signature)
    return _changes(before, contract.snapshot(access.territory))


def _changes(before: dict, after: dict) -> dict:
    """contract.compare's shape; an added commitment carries its stated `fields`."""
    after = _in_contract(after)
    changes = contract.compare(_in_contract(before), after)
    for item in changes["commitments"]["changed"]:
        item["changes"] = [c for c in item["changes"] if c["field"] != "status"]
    changes["commitments"]["changed"] = [c for c in changes["commitments"]["changed"]
                                         if c["changes"]]
    for item in changes["commitments"]["added"]:
        stated = after["commitments"][str(item["number"])]
        item["fields"] = [(str(contract.FIELD_LABELS[field]),
                           contract.shown(field, stated.get(field, "")))
                          for field in STATED_FIELDS if stated.get(field)]
    return changes


def is_empty(changes: dict) -> bool:
    return not (changes["sections"] or any(changes["commitments"].values()))


# --- freezing -------------------------------------------------------------------------------

def freeze(access: Access, data: AmendmentInput) -> Amendment:
    """Avenant n° N+1: the pending changes, stated as articles and frozen."""
    access.require("facilitator")
    signature = signed(access)
    for _attempt in range(5):
        # Locks the territory's row until commit (as contract.freeze): no two avenants
        # read the same last number nor the same starting point.
        db.session.execute(sa.update(Territory).where(Territory.id == access.territory.id)
                           .values(last_seq=Territory.last_seq))
        before, last = _base(access, signature)
        after = contract.snapshot(access.territory)
        changes = _changes(before, after)
        if is_empty(changes):
            raise Conflict(_l("Le contrat n'a pas changé depuis %(what)s : aucun avenant à "
                              "établir.", what=_since(signature, last)))
        number = (last.number if last else 0) + 1
        amendment = Amendment(territory_id=access.territory.id, number=number, note=data.note,
                              author_id=access.user.id if access.user else None,
                              snapshot=after, created_at=utcnow())
        amendment.document = _document(access.territory, signature, last, number, changes,
                                       amendment, access)
        db.session.add(amendment)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        audit.record("contract.amendment", actor=access.user, territory=access.territory,
                     obj=amendment, after={"number": number, "note": data.note})
        events.record(access.territory, "contract.amendment", serialise(amendment, signature))
        db.session.commit()
        return amendment
    raise Invalid(_l("Réessayez : un autre avenant vient d'être établi."))


def serialise(amendment: Amendment, signature: ContractSignature) -> dict:
    return {"number": amendment.number, "note": amendment.note,
            "author": {"id": amendment.author_id,
                       "name": amendment.author.name if amendment.author else ""},
            "created_at": amendment.created_at.isoformat(),
            "signed_version": signature.version.number}


def _since(signature: ContractSignature, last: Amendment | None) -> str:
    if last is not None:
        return _("l'avenant n° %(number)d", number=last.number)
    return _("la signature")


# --- the document ---------------------------------------------------------------------------

def _document(territory: Territory, signature: ContractSignature, last: Amendment | None,
              number: int, changes: dict, amendment: Amendment, access: Access) -> dict:
    """Written in French, as the contract (services/contract.py's _assemble)."""
    with force_locale("fr"):
        return _french_document(territory, signature, last, number, changes, amendment, access)


def _french_document(territory, signature, last, number, changes, amendment, access) -> dict:
    signed_on = _day(signature.signed_at.date())
    recital = _("Le contrat de sécurité intégrée de %(territory)s, signé le %(date)s "
                "(version %(version)d)", territory=territory.name, date=signed_on,
                version=signature.version.number)
    if last is not None:
        recital += _(", tel que modifié en dernier lieu par l'avenant n° %(number)d",
                     number=last.number)
    stated = articles(changes)
    stated.append((_("Autres stipulations"), [doc.paragraph(_(
        "Les autres stipulations du contrat demeurent inchangées. Le présent avenant prend "
        "effet à compter de sa signature par l'ensemble des parties."))]))
    sections = [doc.section("object", "", _("Objet de l'avenant"), [doc.paragraph(
        recital + _(", est modifié comme suit."))])]
    sections += [doc.section(f"article-{i}", "", _("Article %(number)d — %(title)s", number=i,
                                                   title=title), blocks)
                 for i, (title, blocks) in enumerate(stated, start=1)]
    meta = [(_("Territoire"), territory.name),
            (_("Contrat signé le"), signed_on),
            (_("Version signée"), str(signature.version.number)),
            (_("Avenant"), _("n° %(number)d", number=number)),
            (_("Établi par"), access.user.name if access.user else _("l'administrateur")),
            (_("Date"), _day(amendment.created_at.date()))]
    return doc.document("amendment", _("Avenant n° %(number)d au contrat de sécurité intégrée",
                                       number=number),
                        territory.name, meta, sections, lang="fr")


def articles(changes: dict) -> list[tuple[str, list[doc.Block]]]:
    """One article per section rewritten and per commitment changed, added or removed."""
    articles = []
    for item in changes["sections"]:
        title = _("Section « %(title)s »", title=item["title"])
        if item["after"].strip():
            blocks = [doc.paragraph(_("La section « %(title)s » du contrat est remplacée par "
                                      "les dispositions suivantes :", title=item["title"])),
                      doc.markdown(item["after"])]
        else:
            blocks = [doc.paragraph(_("La section « %(title)s » du contrat est supprimée.",
                                      title=item["title"]))]
        articles.append((title, blocks))
    for item in changes["commitments"]["changed"]:
        blocks = [_field_change(item["number"], change) for change in item["changes"]]
        articles.append((commitment_section.title(item["number"], item["title"]), blocks))
    for item in changes["commitments"]["added"]:
        articles.append((_("Nouvel engagement n° %(number)d", number=item["number"]),
                         [doc.paragraph(_("Il est ajouté un engagement n° %(number)d, « %(title)s », "
                                          "ainsi rédigé :", number=item["number"],
                                          title=item["title"])),
                          doc.fields(item["fields"])]))
    for item in changes["commitments"]["removed"]:
        articles.append((commitment_section.title(item["number"], item["title"]),
                         [doc.paragraph(_("L'engagement n° %(number)d, « %(title)s », est "
                                          "supprimé.", number=item["number"],
                                          title=item["title"]))]))
    return articles


def _field_change(number: int, change: dict) -> doc.Block:
    label, before, after = change["label"], change["before"], change["after"]
    if not before:
        return doc.paragraph(_("Il est ajouté à l'engagement n° %(number)d la rubrique "
                               "« %(label)s » : « %(after)s ».", number=number, label=label,
                               after=after))
    if not after:
        return doc.paragraph(_("La rubrique « %(label)s » de l'engagement n° %(number)d est "
                               "supprimée.", number=number, label=label))
    return doc.paragraph(_("La rubrique « %(label)s » de l'engagement n° %(number)d est "
                           "remplacée par : « %(after)s ».", number=number, label=label,
                           after=after))


def _day(value) -> str:
    return commitment_section.day(value, "fr")
