"""The French names of the domain's values (roles, organisation kinds, phases, parties,
statuses): one place for pages, documents and exports."""
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
FREQUENCY_LABELS = {
    "monthly": _l("mensuelle"),
    "quarterly": _l("trimestrielle"),
    "semestrial": _l("semestrielle"),
    "annual": _l("annuelle"),
}
