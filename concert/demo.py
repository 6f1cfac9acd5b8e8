"""The demo territory, seeded through the same services as real use; safe to run twice."""
from __future__ import annotations

import sqlalchemy as sa

from .db import db
from .models import Membership, Post, Territory
from .services import accounts, channels, facilitation, members, posts, territories

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


# author e-mail, channel position, kind, body, supporters (e-mails); replies point back by index
CONVERSATION = [
    ("prefecture@demo.concert.test", 0, "message",
     "Bienvenue dans l'espace de concertation du **contrat de sécurité intégrée**. "
     "Chaque partenaire peut exprimer ses *besoins* et ses *propositions* ; l'animation "
     "les consolidera en engagements.", []),
    ("pm@demo.concert.test", 1, "need",
     "Renforcer la présence de la police municipale en soirée autour de la place du marché : "
     "les rodéos motorisés reprennent chaque week-end.",
     ["ddsp@demo.concert.test", "bailleur@demo.concert.test", "ville@demo.concert.test"]),
    ("ddsp@demo.concert.test", 8, "proposal",
     "Mettre en place des **patrouilles mixtes** police nationale / police municipale le "
     "vendredi et le samedi soir, avec un canal radio commun.",
     ["pm@demo.concert.test", "prefecture@demo.concert.test"]),
    ("bailleur@demo.concert.test", 5, "need",
     "Sécuriser les halls des résidences Les Lauriers : occupations, dégradations et "
     "intimidation des locataires.\n\n- 3 halls concernés\n- plaintes en hausse depuis janvier",
     ["pm@demo.concert.test", "prevention@demo.concert.test"]),
    ("prevention@demo.concert.test", 0, "proposal",
     "Déployer une équipe de prévention spécialisée en soirée sur les quartiers nord, en lien "
     "avec le bailleur et les éducateurs du département.",
     ["bailleur@demo.concert.test"]),
    ("transport@demo.concert.test", 4, "need",
     "Raccorder les 40 caméras des pôles d'échanges au centre de supervision urbain.",
     ["ville@demo.concert.test", "ddsp@demo.concert.test"]),
    ("ville@demo.concert.test", 6, "proposal",
     "Étendre la vidéoprotection aux abords des trois collèges prioritaires, avec un "
     "cofinancement FIPD.", []),
    ("gendarmerie@demo.concert.test", 2, "message",
     "Pour information : deux points de deal démantelés en zone gendarmerie ce trimestre ; "
     "nous pouvons partager le bilan en atelier.", []),
]


def _seed_conversation() -> None:
    """Through the posting service, with client ids: running again stores nothing twice."""
    for index, (email, position, kind, body, supporters) in enumerate(CONVERSATION):
        where = territories.access(accounts.find_user(email), SLUG)
        channel = channels.list_channels(where)[position]
        post, created = posts.create_post(where, channel.id, kind, body, f"demo-{index}")
        if not created:
            continue
        for supporter in supporters:
            posts.toggle_support(territories.access(accounts.find_user(supporter), SLUG), post.id)


# index of the source post in CONVERSATION, commitment fields
COMMITMENTS = [
    (2, {"title": "Patrouilles mixtes police nationale / police municipale",
         "party": "etat", "pilot": "DDSP des Bouches-du-Rhône",
         "partners": ["Police municipale de Marseille"],
         "description": "Patrouilles communes les vendredis et samedis soir sur les secteurs "
                        "identifiés par le diagnostic, avec un canal radio partagé.",
         "actions": ["Définir les secteurs et les horaires", "Mettre en place le canal radio",
                     "Bilan mensuel en cellule de coordination"],
         "means": {"staff": "2 équipages par soirée", "budget": "12 000 €",
                   "equipment": "Radios interopérables"},
         "start_date": "2027-01-15", "due_date": "2027-12-31",
         "indicators": [{"name": "Soirées de patrouille mixte", "unit": "soirées/mois",
                         "baseline": 0, "target": 8}]}),
    (3, {"title": "Sécurisation des halls des résidences Les Lauriers",
         "party": "partenaire", "pilot": "Habitat Marseille Provence",
         "partners": ["Police municipale de Marseille", "Association Addap 13"],
         "actions": ["Contrôle d'accès des trois halls", "Médiation de soirée"],
         "means": {"staff": "1 médiateur", "budget": "45 000 €", "equipment": "Badges"},
         "start_date": "2027-02-01", "due_date": "2027-09-30",
         "indicators": [{"name": "Signalements de troubles", "unit": "par mois",
                         "baseline": 30, "target": 10}]}),
]


def _seed_commitments() -> None:
    facilitator = territories.access(accounts.find_user(PEOPLE[0][0]), SLUG)
    for index, fields in COMMITMENTS:
        author = accounts.find_user(CONVERSATION[index][0])
        post = db.session.scalar(sa.select(Post).where(
            Post.author_id == author.id, Post.client_id == f"demo-{index}"))
        if post.status == "open":
            facilitation.promote(facilitator, {**fields, "source_posts": [post.id]})


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
    _seed_conversation()
    _seed_commitments()
    lines = [f"Territoire de démonstration : /t/{SLUG}/ — {NAME}",
             f"Mot de passe de tous les comptes : {PASSWORD}",
             f"  {ADMIN[0]:<34} administrateur de la plateforme"]
    lines += [f"  {email:<34} {role:<12} {organisation}"
              for email, _name, role, organisation, _kind in PEOPLE]
    return lines
