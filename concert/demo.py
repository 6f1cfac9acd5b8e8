"""The demo territory, seeded through the same services as real use; safe to run twice."""
from __future__ import annotations

import sqlalchemy as sa

from .db import db
from .models import Membership, Territory
from .services import accounts, members, territories

SLUG = "demo"
NAME = "Métropole de démonstration"
PASSWORD = "concert-demo-2026"
COMMUNES = ["13001", "13055", "13056", "13071", "13103", "13117"]

# e-mail, name, role, organisation, organisation kind
PEOPLE = [
    ("prefecture@demo.concert.test", "Claire Martin", "facilitator",
     "Préfecture des Bouches-du-Rhône", "prefecture"),
    ("ddsp@demo.concert.test", "Karim Benali", "actor",
     "DDSP des Bouches-du-Rhône", "police_nationale"),
    ("gendarmerie@demo.concert.test", "Julie Roche", "actor",
     "Groupement de gendarmerie départementale", "gendarmerie"),
    ("pm@demo.concert.test", "Marc Olivier", "actor",
     "Police municipale de Marseille", "police_municipale"),
    ("ville@demo.concert.test", "Sophie Durand", "facilitator",
     "Ville de Marseille", "commune"),
    ("bailleur@demo.concert.test", "Nadia Cherif", "actor",
     "Habitat Marseille Provence", "bailleur_social"),
    ("transport@demo.concert.test", "Paul Garnier", "actor",
     "Régie des transports métropolitains", "transport"),
    ("prevention@demo.concert.test", "Léa Fontaine", "actor",
     "Association Addap 13", "prevention"),
    ("parquet@demo.concert.test", "Henri Lambert", "observer",
     "Parquet de Marseille", "justice"),
]
ADMIN = ("admin@demo.concert.test", "Administrateur démo")


def seed() -> list[str]:
    """Returns the lines to print: the demo logins."""
    accounts.create_admin(ADMIN[0], PASSWORD, ADMIN[1])
    territory = db.session.scalar(sa.select(Territory).where(Territory.slug == SLUG))
    if territory is None:
        territory = territories.create_territory(None, SLUG, NAME, "13", COMMUNES)
    system = territories.system_access(SLUG)
    for email, name, role, organisation, kind in PEOPLE:
        user = accounts.find_user(email)
        if user is not None and db.session.scalar(
            sa.select(Membership.id).where(
                Membership.user_id == user.id, Membership.territory_id == territory.id
            )
        ):
            continue
        invitation_url = members.invite(system, email, role, organisation, kind)[1]
        members.accept_invitation(
            invitation_url.rsplit("/", 1)[1], name=name, password=PASSWORD, signed_in=user
        )
    lines = [f"Territoire de démonstration : /t/{SLUG}/ — {NAME}",
             f"Mot de passe de tous les comptes : {PASSWORD}",
             f"  {ADMIN[0]:<34} administrateur de la plateforme"]
    lines += [f"  {email:<34} {role:<12} {organisation}"
              for email, _name, role, organisation, _kind in PEOPLE]
    return lines
