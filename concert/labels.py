"""The French names of the domain's values (roles, organisation kinds, phases, parties,
statuses): one place for pages, documents and exports."""
from datetime import date

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "facilitator": _l("Animateur"),
    "actor": _l("Acteur"),
    "observer": _l("Observateur"),
}
KIND_LABELS = {
    "prefecture": _l("Préfecture"),
    "police_nationale": _l("Police nationale"),
    "gendarmerie": _l("Gendarmerie"),
    "justice": _l("Justice"),
    "education": _l("Éducation nationale"),
    "commune": _l("Commune"),
    "epci": _l("EPCI"),
    "departement": _l("Département"),
    "police_municipale": _l("Police municipale"),
    "transport": _l("Transport"),
    "bailleur_social": _l("Bailleur social"),
    "prevention": _l("Prévention"),
    "securite_privee": _l("Sécurité privée"),
    "other": _l("Autre"),
}
PHASE_LABELS = {
    "diagnostic": _l("Diagnostic"),
    "concertation": _l("Concertation"),
    "drafting": _l("Rédaction"),
    "signed": _l("Signé"),
    "evaluation": _l("Évaluation"),
}
PARTY_LABELS = {
    "etat": _l("État"),
    "collectivite": _l("Collectivités"),
    "partenaire": _l("Partenaires"),
}
PARTY_HEADINGS = {
    "etat": _l("Engagements de l'État"),
    "collectivite": _l("Engagements des collectivités"),
    "partenaire": _l("Engagements des partenaires"),
}
COMMITMENT_STATUS_LABELS = {
    "draft": _l("Brouillon"),
    "validated": _l("Validé"),
    "in_progress": _l("En cours"),
    "done": _l("Réalisé"),
    "abandoned": _l("Abandonné"),
}

# The author of a post whose account was deleted: the post and its organisation stay.
FORMER_MEMBER = _l("Ancien membre")


def author_name(user) -> str:
    """A post's author as pages, documents, exports and events print it."""
    return user.name if user is not None else str(FORMER_MEMBER)
# The axes a contract groups its commitments by (issue 18): the default list every territory
# starts with; facilitators rename, add or remove axes (services/act.py).
AXIS_DEFAULTS = {
    "tranquillite": _l("Tranquillité publique"),
    "mineurs": _l("Prévention de la délinquance des mineurs et des jeunes"),
    "vif": _l("Violences intrafamiliales et faites aux femmes"),
    "stupefiants": _l("Stupéfiants"),
    "videoprotection": _l("Vidéoprotection"),
    "transports": _l("Transports"),
    "habitat": _l("Habitat social"),
    "routes": _l("Sécurité routière et rodéos"),
    "victimes": _l("Aide aux victimes"),
    "radicalisation": _l("Radicalisation et séparatisme"),
    "moyens": _l("Effectifs et moyens"),
    "justice": _l("Justice"),
    "politique_ville": _l("Politique de la ville / QRR"),
    "securite_privee": _l("Sécurité privée"),
    "coordination": _l("Coordination police municipale / forces de l'État"),
}
FRAMEWORK_LABELS = {
    "cls": _l("Contrat local de sécurité (CLS)"),
    "stspd": _l("Stratégie territoriale de sécurité et de prévention de la délinquance (STSPD)"),
    "clspd": _l("Conseil local ou intercommunal de sécurité et de prévention de la "
                "délinquance (CLSPD / CISPD)"),
    "pdpd": _l("Plan départemental de prévention de la délinquance (PDPD)"),
    "contrat_de_ville": _l("Contrat de ville"),
    "qrr": _l("Quartier de reconquête républicaine (QRR / GPO)"),
    "gltd": _l("Groupe local de traitement de la délinquance (GLTD)"),
    "pvd": _l("Petites villes de demain (volet sécurité)"),
    "convention_coordination": _l("Convention de coordination des interventions de la police "
                                  "municipale et des forces de sécurité de l'État"),
    "other": _l("Autre dispositif"),
}
SIGNATORY_ROLES = {
    "etat": _l("État"),
    "justice": _l("Justice"),
    "collectivite": _l("Collectivité"),
    "partenaire": _l("Partenaire"),
}
FINANCING_SUGGESTIONS = (
    "FIPD", "DETR", "DSIL", _l("Crédits politique de la ville"), _l("Budget communal"),
    _l("Budget intercommunal"), _l("Conseil départemental"), _l("Région"),
    _l("Crédits de l'État (programme 176)"), _l("Bailleur"),
)

_MONTHS = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}


def day_text(value: date | None, lang: str = "fr") -> str:
    """A date as acts write it: "26 novembre 2026", "1er janvier 2024" ("1 January 2024")."""
    if value is None:
        return ""
    lang = lang if lang in _MONTHS else "fr"
    first = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    return f"{first} {_MONTHS[lang][value.month - 1]} {value.year}"


def period_text(start: date | None, end: date | None, lang: str = "fr") -> str:
    """"du 15 janvier 2027 au 31 décembre 2027", "à compter du …", "jusqu'au …" ("" if none)."""
    words = {"fr": ("du %s au %s", "à compter du %s", "jusqu'au %s"),
             "en": ("from %s to %s", "from %s", "until %s")}[lang if lang in _MONTHS else "fr"]
    if start and end:
        return words[0] % (day_text(start, lang), day_text(end, lang))
    if start:
        return words[1] % day_text(start, lang)
    if end:
        return words[2] % day_text(end, lang)
    return ""

# The contract's parts (services/contract.py), also search results' titles.
SECTION_TITLES = {
    "preamble": _l("Objet du contrat"),
    "diagnostic": _l("Diagnostic partagé"),
    "frameworks": _l("Dispositifs intégrés"),
    "governance": _l("Gouvernance"),
    "evaluation": _l("Évaluation"),
    "closing": _l("Dispositions particulières"),
    "signatories": _l("Signataires (ancienne liste libre)"),
}

FREQUENCY_LABELS = {
    "monthly": _l("mensuelle"),
    "quarterly": _l("trimestrielle"),
    "semestrial": _l("semestrielle"),
    "annual": _l("annuelle"),
}
