"""The contract as an act: its parties (structured signatories), its visas, its axes, and the
settings of its final articles and signature block (place, date, originals, duration, notice,
court). services/contract.py assembles the document; the words of the act are built here.

Everything is written in French whoever reads it (the contract forces the French locale)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..db import db
from ..documents import model as doc
from ..labels import AXIS_DEFAULTS, FRAMEWORK_LABELS, day_text, period_text
from ..models import Commitment, utcnow
from ..models.contract import ContractAct, ContractFramework, ContractSignatory
from ..schemas.act import ActInput, AxesInput, SignatoryInput
from . import audit
from .access import Access, in_territory
from .errors import Conflict, Invalid

# The tribunal administratif whose jurisdiction covers each département (code de justice
# administrative, art. R. 221-3); a territory whose département is not listed gets "le
# tribunal administratif territorialement compétent" until a facilitator names it.
COURTS = {
    "Amiens": ("02", "60", "80"), "Bastia": ("2A", "2B"),
    "Besançon": ("25", "39", "70", "90"), "Bordeaux": ("24", "33", "47"),
    "Caen": ("14", "50", "61"), "Cergy-Pontoise": ("92", "95"),
    "Châlons-en-Champagne": ("08", "10", "51", "52"),
    "Clermont-Ferrand": ("03", "15", "43", "63"), "Dijon": ("21", "58", "71", "89"),
    "Grenoble": ("26", "38", "73", "74"), "Lille": ("59", "62"),
    "Limoges": ("19", "23", "36", "87"), "Lyon": ("01", "42", "69"),
    "Marseille": ("04", "05", "13"), "Melun": ("77", "94"),
    "Montpellier": ("11", "34", "66"), "Montreuil": ("93",), "Nancy": ("54", "55", "88"),
    "Nantes": ("44", "49", "53", "72", "85"), "Nice": ("06",),
    "Nîmes": ("07", "30", "48", "84"), "Orléans": ("18", "28", "37", "41", "45"),
    "Paris": ("75",), "Pau": ("32", "40", "64", "65"),
    "Poitiers": ("16", "17", "79", "86"), "Rennes": ("22", "29", "35", "56"),
    "Rouen": ("27", "76"), "Strasbourg": ("57", "67", "68"), "Toulon": ("83",),
    "Toulouse": ("09", "12", "31", "46", "81", "82"), "Versailles": ("78", "91"),
}
_COURT_OF = {dep: city for city, deps in COURTS.items() for dep in deps}

# A channel's name → the axis its commitments default to (the first keyword found).
CHANNEL_AXES = (
    ("jeunesse", "mineurs"), ("mineur", "mineurs"), ("prévention", "mineurs"),
    ("tranquillité", "tranquillite"), ("stupéfiant", "stupefiants"),
    ("violences", "vif"), ("transport", "transports"), ("habitat", "habitat"),
    ("bailleur", "habitat"), ("vidéo", "videoprotection"), ("coordination", "coordination"),
    ("routi", "routes"), ("rodéo", "routes"), ("victime", "victimes"),
    ("radicalisation", "radicalisation"), ("justice", "justice"),
    ("politique de la ville", "politique_ville"), ("sécurité privée", "securite_privee"),
)
# The municipal mandate that began in March 2026 ends with the general renewal of March 2032.
MANDATE_END = _l("jusqu'au terme du mandat municipal 2026-2032, soit jusqu'au renouvellement "
                 "général des conseils municipaux de mars 2032")


def default_visas() -> list[str]:
    return [
        _("Vu le code de la sécurité intérieure, notamment ses articles L. 132-1 et suivants "
          "et L. 512-4 et suivants ;"),
        _("Vu le code général des collectivités territoriales, notamment ses articles "
          "L. 2211-1 et L. 2212-2 ;"),
        _("Vu la loi n° 2021-646 du 25 mai 2021 pour une sécurité globale préservant les "
          "libertés ;"),
        _("Vu la circulaire du Premier ministre n° 6258-SG du 16 avril 2021 relative à la mise "
          "en œuvre des contrats de sécurité intégrée ;"),
    ]


# --- settings ------------------------------------------------------------------------------

def settings(access: Access) -> ContractAct:
    """The territory's row, or an unsaved one holding every default."""
    row = db.session.get(ContractAct, access.territory.id)
    return row or ContractAct(territory_id=access.territory.id, visas=None, axes=None,
                              place="", notice_months=3, court="")


def default_court(departement: str) -> str:
    city = _COURT_OF.get((departement or "").upper())
    return (_("tribunal administratif de %(city)s", city=city) if city
            else _("tribunal administratif territorialement compétent"))


def serialise_settings(access: Access) -> dict:
    row = settings(access)
    return {"visas": visas(access), "visas_default": row.visas is None, "place": row.place,
            "signed_on": _iso(row.signed_on), "originals": row.originals,
            "effective_on": _iso(row.effective_on), "ends_on": _iso(row.ends_on),
            "notice_months": row.notice_months,
            "court": row.court or default_court(access.territory.departement)}


def save_settings(access: Access, data: ActInput) -> ContractAct:
    """Changes the settings given; `visas: null` (or an empty list) brings the defaults back."""
    access.require("facilitator")
    row = db.session.get(ContractAct, access.territory.id)
    if row is None:
        row = settings(access)
        db.session.add(row)
    before = _settings_record(row)
    for key in data.model_fields_set:
        value = getattr(data, key)
        if key == "visas":
            value = value or None
        if key in ("place", "court"):
            value = value or ""
        if key == "notice_months" and value is None:
            value = 3
        setattr(row, key, value)
    if row.effective_on and row.ends_on and row.ends_on < row.effective_on:
        raise Invalid(_l("La fin précède la date d'effet."), field="ends_on")
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("contract.act", actor=access.user, territory=access.territory, obj=None,
                 before=before, after=_settings_record(row))
    db.session.commit()
    return row


def _settings_record(row: ContractAct) -> dict:
    return {"visas": row.visas, "place": row.place, "signed_on": _iso(row.signed_on),
            "originals": row.originals, "effective_on": _iso(row.effective_on),
            "ends_on": _iso(row.ends_on), "notice_months": row.notice_months,
            "court": row.court}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def visas(access: Access) -> list[str]:
    return list(settings(access).visas or default_visas())


# --- axes ----------------------------------------------------------------------------------

def axes(access: Access) -> list[dict[str, str]]:
    """[{key, label}] in the contract's order."""
    stored = settings(access).axes
    if stored is None:
        return [{"key": key, "label": str(label)} for key, label in AXIS_DEFAULTS.items()]
    return [dict(axis) for axis in stored]


def axis_labels(access: Access) -> dict[str, str]:
    return {axis["key"]: axis["label"] for axis in axes(access)}


def axis_counts(access: Access) -> dict[str, int]:
    return dict(db.session.execute(
        sa.select(Commitment.axis, sa.func.count()).where(
            Commitment.territory_id == access.territory.id, Commitment.axis.is_not(None))
        .group_by(Commitment.axis)).all())


def save_axes(access: Access, data: AxesInput) -> list[dict[str, str]]:
    """Replaces the list: an item with a `key` keeps it (the commitments on it follow its new
    label), one without gets a new key. An axis still carrying commitments cannot go."""
    access.require("facilitator")
    before = axes(access)
    known = {axis["key"] for axis in before}
    new: list[dict[str, str]] = []
    labels: set[str] = set()
    for item in data.axes or []:
        folded = item.label.casefold()
        if folded in labels:
            raise Invalid(_l("Deux axes portent le même nom : %(label)s.", label=item.label),
                          field="axes")
        labels.add(folded)
        if item.key is not None and item.key not in known:
            raise Invalid(_l("Axe inconnu : %(key)s.", key=item.key), field="axes")
        key = item.key or _new_key(item.label, known | {a["key"] for a in new})
        new.append({"key": key, "label": item.label})
    if data.axes is None:
        new = [{"key": key, "label": str(label)} for key, label in AXIS_DEFAULTS.items()]
    kept = {axis["key"] for axis in new}
    counts = axis_counts(access)
    for axis in before:
        if axis["key"] not in kept and counts.get(axis["key"]):
            raise Conflict(_l("L'axe « %(label)s » porte encore %(n)d engagement(s) : "
                              "rattachez-les d'abord à un autre axe.",
                              label=axis["label"], n=counts[axis["key"]]), field="axes")
    row = db.session.get(ContractAct, access.territory.id)
    if row is None:
        row = settings(access)
        db.session.add(row)
    row.axes = None if data.axes is None else new
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("contract.axes", actor=access.user, territory=access.territory, obj=None,
                 before={"axes": before}, after={"axes": new})
    db.session.commit()
    return new


def _new_key(label: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40] or "axe"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def check_axis(access: Access, key: str | None) -> str | None:
    if key is not None and key not in axis_labels(access):
        raise Invalid(_l("Axe inconnu : %(key)s.", key=key), field="axis")
    return key


def axis_of_channel(access: Access, name: str | None) -> str | None:
    """The axis a commitment from that channel starts on (None when nothing fits)."""
    if not name:
        return None
    lowered, available = name.lower(), axis_labels(access)
    return next((axis for word, axis in CHANNEL_AXES
                 if word in lowered and axis in available), None)


def check_framework(access: Access, framework_id: int | None) -> int | None:
    if framework_id is None:
        return None
    return in_territory(access, ContractFramework, framework_id,
                        _l("Dispositif introuvable."), "framework").id


# --- signatories ---------------------------------------------------------------------------

def signatories(access: Access) -> list[ContractSignatory]:
    return list(db.session.scalars(sa.select(ContractSignatory).where(
        ContractSignatory.territory_id == access.territory.id).order_by(
        ContractSignatory.position, ContractSignatory.id)))


def get_signatory(access: Access, signatory_id: Any) -> ContractSignatory:
    return in_territory(access, ContractSignatory, signatory_id, _l("Signataire introuvable."))


def save_signatory(access: Access, data: SignatoryInput,
                   signatory_id: Any = None) -> ContractSignatory:
    """Creates one (role and organisation required; placed last unless `position` says
    otherwise), or edits the fields given."""
    access.require("facilitator")
    row = None if signatory_id is None else get_signatory(access, signatory_id)
    given = data.model_fields_set
    if row is None:
        for required in ("role", "organisation"):
            if getattr(data, required) is None:
                raise Invalid(_l("Ce champ est obligatoire."), field=required)
    before = serialise_signatory(row) if row else None
    if row is None:
        last = db.session.scalar(sa.select(sa.func.max(ContractSignatory.position)).where(
            ContractSignatory.territory_id == access.territory.id))
        row = ContractSignatory(territory_id=access.territory.id, person="", quality="",
                                deliberation_number="",
                                position=0 if last is None else last + 1)
        db.session.add(row)
    for key in given:
        value = getattr(data, key)
        if key in ("role", "organisation") and value is None:
            raise Invalid(_l("Ce champ est obligatoire."), field=key)
        if key == "position" and value is None:
            continue
        setattr(row, key, "" if value is None and key in (
            "person", "quality", "deliberation_number") else value)
    row.updated_at = utcnow()
    db.session.flush()
    audit.record("contract.signatory." + ("update" if before else "create"), actor=access.user,
                 territory=access.territory, obj=row, before=before,
                 after=serialise_signatory(row))
    db.session.commit()
    return row


def delete_signatory(access: Access, signatory_id: Any) -> None:
    access.require("facilitator")
    row = get_signatory(access, signatory_id)
    audit.record("contract.signatory.delete", actor=access.user, territory=access.territory,
                 obj=row, before=serialise_signatory(row))
    db.session.delete(row)
    db.session.commit()


def serialise_signatory(row: ContractSignatory) -> dict:
    return {"id": row.id, "position": row.position, "role": row.role,
            "organisation": row.organisation, "person": row.person, "quality": row.quality,
            "deliberation_date": _iso(row.deliberation_date),
            "deliberation_number": row.deliberation_number}


# --- the act's words -----------------------------------------------------------------------

def _feminine_organisation(organisation: str) -> bool:
    """French agreement of "représenté(e)": la commune, la métropole, l'Eurométropole…"""
    lowered = organisation.strip().lower()
    return lowered.startswith("la ") or lowered.startswith((
        "l'eurométropole", "l'agglomération", "l'académie", "l'association",
        "l'université", "l'entreprise", "l'agence", "l'union"))


def _feminine_person(person: str) -> bool:
    return person.strip().startswith(("Mme ", "Mme. ", "Madame "))


def party_text(row: ContractSignatory) -> str:
    """One party as the act names it: "la commune de Marseille, représentée par M. X, maire
    de Marseille, autorisé par délibération n° … du conseil du …"."""
    person, quality = row.person.strip(), row.quality.strip()
    if row.role == "justice":
        return ", ".join(p for p in (person, quality) if p) or row.organisation
    who = ", ".join(p for p in (person, quality) if p)
    text = row.organisation
    if who:
        text += ", " + (_("représentée par %(who)s", who=who)
                        if _feminine_organisation(row.organisation)
                        else _("représenté par %(who)s", who=who))
    if row.deliberation_date or row.deliberation_number:
        number = (" " + _("n° %(number)s", number=row.deliberation_number)
                  if row.deliberation_number else "")
        when = (" " + _("du %(date)s", date=day_text(row.deliberation_date))
                if row.deliberation_date else "")
        text += ", " + (_("autorisée par délibération%(number)s%(when)s", number=number,
                          when=when) if _feminine_person(person)
                        else _("autorisé par délibération%(number)s%(when)s", number=number,
                               when=when))
    return text


def parties_blocks(rows: list[ContractSignatory]) -> list[doc.Block]:
    if not rows:
        return [doc.paragraph(_("Les parties au contrat restent à désigner."))]
    blocks = [doc.paragraph(_("Entre :"))]
    for position, row in enumerate(rows):
        text = party_text(row) + ","
        blocks.append(doc.paragraph(text if position == 0 else _("et %(party)s", party=text)))
    blocks.append(doc.paragraph(_("ci-après dénommés ensemble « les parties »,")))
    return blocks


def framework_visa(framework: ContractFramework) -> str:
    period = period_text(framework.start_date, framework.end_date)
    label = str(FRAMEWORK_LABELS[framework.kind])
    return _("Vu « %(name)s » (%(label)s)%(period)s ;", name=framework.name, label=label,
             period=(", " + period) if period else "")


def visa_blocks(access: Access, frameworks: list[ContractFramework]) -> list[doc.Block]:
    items = visas(access) + [framework_visa(f) for f in frameworks]
    return [doc.paragraph(item) for item in items] + [
        doc.paragraph(_("Il est convenu ce qui suit :"))]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def signature_blocks(access: Access, rows: list[ContractSignatory]) -> list[doc.Block]:
    """"Fait à …, le …, en N exemplaires originaux", then one column per signatory (their
    quality above their name), three to a row so that every format prints them legibly."""
    row = settings(access)
    blank = "…………………"
    originals = row.originals or len(rows) or None
    made = _("Fait à %(place)s, le %(date)s", place=row.place or blank,
             date=day_text(row.signed_on) or blank)
    if originals:
        made += ", " + (_("en %(n)d exemplaires originaux", n=originals) if originals > 1
                        else _("en un exemplaire original"))
    blocks = [doc.paragraph(made + ".")]
    for start in range(0, len(rows), 3):
        group = rows[start:start + 3]
        blocks.append(doc.table(
            _("Signataires") if start == 0 else "",
            [_capital(r.quality or r.organisation) for r in group],
            [[r.person or "" for r in group]]))
    return blocks


def duration_text(access: Access) -> str:
    row = settings(access)
    if row.ends_on:
        return _("Le présent contrat est conclu jusqu'au %(date)s.", date=day_text(row.ends_on))
    return _("Le présent contrat est conclu %(end)s.", end=str(MANDATE_END))


def effect_text(access: Access) -> str:
    row = settings(access)
    if row.effective_on:
        return _("Le présent contrat prend effet le %(date)s.", date=day_text(row.effective_on))
    return _("Le présent contrat prend effet à la date de sa signature par la dernière des "
             "parties.")


def termination_text(access: Access) -> str:
    months = settings(access).notice_months
    return _("Chacune des parties peut résilier le présent contrat par lettre recommandée avec "
             "demande d'avis de réception adressée aux autres parties, moyennant un préavis de "
             "%(n)d mois. La résiliation par l'une des parties ne met pas fin au contrat entre "
             "les autres.", n=months)


def court_text(access: Access) -> str:
    court = settings(access).court or default_court(access.territory.departement)
    return _("À défaut de règlement amiable, les litiges relatifs à l'interprétation ou à "
             "l'exécution du présent contrat relèvent de la compétence du %(court)s.",
             court=court)
