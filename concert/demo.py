"""The demo territory, seeded through the same services as real use; safe to run twice."""
from __future__ import annotations

import io
import random

import sqlalchemy as sa

from .db import db
from .labels import ROLE_LABELS
from .models import Membership, Post, Territory
from .services import (
    accounts, act, channels, commitments, contract, diagnostic, facilitation, members, posts,
    territories,
)
from .schemas.act import ActInput, SignatoryInput
from .schemas.contract import SectionInput, VersionInput
from .schemas.diagnostic import EntryInput, ObservationInput
from .schemas.facilitation import CommitmentInput, PromotionInput
from .schemas.territories import InvitationInput, PhaseInput
from .schemas.workspace import PostInput
from .schemas.workshops import DotInput, MoveInput, VoteInput, WorkshopInput

SLUG = "demo"
NAME = "Métropole de démonstration"
PASSWORD = "concert-demo-2026"
COMMUNES = ["13001", "13055", "13056", "13071", "13103", "13117"]

# e-mail, name, role, organisation, organisation kind
PEOPLE = [
    ("prefecture@demo.concert.test", "Claire Martin", "facilitator",
     "Préfecture des Bouches-du-Rhône", "prefecture"),
    ("ddpn@demo.concert.test", "Karim Benali", "actor",
     "DDPN des Bouches-du-Rhône", "police_nationale"),
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
     ["ddpn@demo.concert.test", "bailleur@demo.concert.test", "ville@demo.concert.test"]),
    ("ddpn@demo.concert.test", 8, "proposal",
     "Mettre en place des **patrouilles mixtes** police nationale / police municipale le "
     "vendredi et le samedi soir, avec un canal radio commun.",
     ["pm@demo.concert.test", "prefecture@demo.concert.test"]),
    ("bailleur@demo.concert.test", 5, "need",
     "Sécuriser les halls des résidences Les Lauriers : occupations, dégradations et "
     "intimidation des locataires.\n\n- 3 halls concernés\n- plaintes en hausse depuis janvier",
     ["pm@demo.concert.test", "prevention@demo.concert.test"]),
    ("prevention@demo.concert.test", 0, "proposal",
     "Déployer une équipe de prévention spécialisée en soirée sur les quartiers nord, en lien "
     "avec @Habitat Marseille Provence et les éducateurs du département.",
     ["bailleur@demo.concert.test"]),
    ("transport@demo.concert.test", 4, "need",
     "Raccorder les 40 caméras des pôles d'échanges au centre de supervision urbain.",
     ["ville@demo.concert.test", "ddpn@demo.concert.test"]),
    ("ville@demo.concert.test", 6, "proposal",
     "Étendre la vidéoprotection aux abords des trois collèges prioritaires, avec un "
     "cofinancement FIPD.", []),
    ("gendarmerie@demo.concert.test", 2, "message",
     "Pour information : deux points de deal démantelés en zone gendarmerie ce trimestre ; "
     "nous pouvons partager le bilan en atelier, @Sophie Durand.", []),
]


def _seed_conversation() -> None:
    """Through the posting service, with client ids: running again stores nothing twice."""
    for index, (email, position, kind, body, supporters) in enumerate(CONVERSATION):
        where = territories.access(accounts.find_user(email), SLUG)
        channel = channels.list_channels(where)[position]
        post, created = posts.create_post(where, PostInput(
            channel=channel.id, kind=kind, body=body, client_id=f"demo-{index}"))
        if not created:
            continue
        for supporter in supporters:
            posts.toggle_support(territories.access(accounts.find_user(supporter), SLUG), post.id)


# index of the source post in CONVERSATION, commitment fields
COMMITMENTS = [
    (2, {"title": "Patrouilles mixtes police nationale / police municipale",
         "party": "etat", "pilot": "DDPN des Bouches-du-Rhône",
         "partners": ["Police municipale de Marseille"],
         "description": "Patrouilles communes les vendredis et samedis soir sur les secteurs "
                        "identifiés par le diagnostic, avec un canal radio partagé.",
         "actions": ["Définir les secteurs et les horaires", "Mettre en place le canal radio",
                     "Bilan mensuel en cellule de coordination"],
         "means": {"staff": "2 équipages par soirée", "budget": "12 000 €",
                   "equipment": "Radios interopérables"},
         "start_date": "2027-01-15", "due_date": "2027-12-31",
         "axis": "coordination", "financing": "Crédits de l'État (programme 176)",
         "target_area": "Secteurs du centre-ville et des quartiers nord",
         "indicators": [{"name": "Soirées de patrouille mixte", "unit": "soirées/mois",
                         "baseline": 0, "target": 8, "reference_year": 2026,
                         "source": "Main courante de la DDSP"}]}),
    (3, {"title": "Sécurisation des halls des résidences Les Lauriers",
         "party": "partenaire", "pilot": "Habitat Marseille Provence",
         "partners": ["Police municipale de Marseille", "Association Addap 13"],
         "actions": ["Contrôle d'accès des trois halls", "Médiation de soirée"],
         "means": {"staff": "1 médiateur", "budget": "45 000 €", "equipment": "Badges"},
         "start_date": "2027-02-01", "due_date": "2027-09-30",
         "axis": "habitat", "financing": "FIPD et fonds propres du bailleur",
         "target_area": "QPV Les Lauriers",
         "indicators": [{"name": "Signalements de troubles", "unit": "par mois",
                         "baseline": 30, "target": 10, "reference_year": 2026,
                         "source": "Registre des signalements du bailleur"}]}),
    (6, {"title": "Vidéoprotection aux abords des trois collèges prioritaires",
         "party": "collectivite", "pilot": "Ville de Marseille",
         "partners": ["DDSP des Bouches-du-Rhône", "Éducation nationale"],
         "description": "Implantation et raccordement au centre de supervision urbain de "
                        "caméras aux abords des collèges prioritaires.",
         "actions": ["Étude d'implantation avec le référent sûreté",
                     "Demande de subvention FIPD", "Installation et raccordement"],
         "means": {"budget": "180 000 €", "equipment": "18 caméras"},
         "start_date": "2027-03-01", "due_date": "2028-06-30",
         "axis": "videoprotection", "financing": "FIPD (50 %), budget communal (50 %)",
         "target_area": "QRR Marseille nord",
         "indicators": [{"name": "Caméras raccordées au CSU", "unit": "caméras",
                         "baseline": 0, "target": 18, "reference_year": 2026,
                         "source": "Centre de supervision urbain"}]}),
]
# The parties, in the act's order (fictitious people).
SIGNATORIES = [
    {"role": "etat", "organisation": "l'État", "person": "Mme Hélène Marchetti",
     "quality": "préfète de la région Provence-Alpes-Côte d'Azur, préfète des "
                "Bouches-du-Rhône"},
    {"role": "justice", "organisation": "le parquet de Marseille",
     "person": "Mme Isabelle Fabre",
     "quality": "procureure de la République près le tribunal judiciaire de Marseille"},
    {"role": "collectivite", "organisation": "la commune de Marseille",
     "person": "M. Antoine Ferrand", "quality": "maire de Marseille",
     "deliberation_number": "26/0412/VAT", "deliberation_date": "2026-10-19"},
    {"role": "collectivite", "organisation": "la métropole Aix-Marseille-Provence",
     "person": "Mme Catherine Vidal",
     "quality": "présidente de la métropole Aix-Marseille-Provence",
     "deliberation_number": "SEC-004-10/26/CM", "deliberation_date": "2026-10-22"},
    {"role": "partenaire", "organisation": "Habitat Marseille Provence",
     "person": "M. Julien Morel", "quality": "directeur général d'Habitat Marseille Provence"},
]


def _seed_commitments() -> None:
    facilitator = territories.access(accounts.find_user(PEOPLE[0][0]), SLUG)
    for index, fields in COMMITMENTS:
        author = accounts.find_user(CONVERSATION[index][0])
        post = db.session.scalar(sa.select(Post).where(
            Post.author_id == author.id, Post.client_id == f"demo-{index}"))
        if post.status == "open":
            facilitation.promote(facilitator, PromotionInput(**fields, source_posts=[post.id]))


# The SSMSI indicators seeded for the demo: name, unit, facts per 1,000 inhabitants.
DEMO_INDICATORS = [
    ("Coups et blessures volontaires", "victime", 4.8),
    ("Cambriolages de logement", "infraction", 9.5),
    ("Vols violents sans arme", "victime", 1.4),
    ("Destructions et dégradations volontaires", "infraction", 8.2),
    ("Usage de stupéfiants", "Mis en cause", 3.1),
]
DEMO_POPULATION = {"13001": 147000, "13055": 873000, "13056": 49000, "13071": 21000,
                   "13103": 46000, "13117": 34000, "84007": 93000}


def demo_ssmsi_csv() -> bytes:
    """A small SSMSI communal base (2024 column set) for the demo communes and one commune
    outside the territory; some figures of the smallest communes are not published."""
    rng = random.Random(2026)
    lines = ['"CODGEO_2024";"annee";"classe";"unité.de.compte";"valeur.publiée";"faits";'
             '"tauxpourmille";"complementinfoval";"complementinfotaux";"POP";"millPOP";'
             '"LOG";"millLOG"']
    for commune, population in DEMO_POPULATION.items():
        dwellings = population // 2
        for name, unit, per_thousand in DEMO_INDICATORS:
            base = dwellings if "logement" in name else population
            for year in range(2016, 2024):
                trend = 1 + (year - 2016) * rng.uniform(-0.03, 0.04)
                facts = round(base * per_thousand / 1000 * trend * rng.uniform(0.8, 1.2))
                published = population > 40000 or rng.random() < 0.7
                value = f"{facts};{facts / base * 1000:.4f}".replace(".", ",")
                lines.append(f'"{commune}";"{year - 2000}";"{name}";"{unit}";'
                             f'"{"diff" if published else "ndiff"}";'
                             f'{value if published else "NA;NA"};NA;NA;{population};'
                             f'"{year}";{dwellings};"{year}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


# Département → population (census estimates carry decimals in some editions), and how far
# its rates stand from the national level.
DEMO_DEPARTEMENTS = {"13": (2048958.4, 1.15), "69": (1883437.0, 1.05), "75": (2133111.0, 1.4),
                     "59": (2608346.0, 0.95), "23": (115529.0, 0.45)}


def demo_departmental_csv() -> bytes:
    """A small SSMSI departmental base (2024 column set): a few départements, the demo's
    among them, so that the territory is compared with the Bouches-du-Rhône and France."""
    rng = random.Random(13)
    lines = ['"Code_departement";"Code_region";"annee";"indicateur";"unite_de_compte";'
             '"nombre";"taux_pour_mille";"insee_pop";"insee_pop_millesime";"insee_log";'
             '"insee_log_millesime"']
    for code, (population, level) in DEMO_DEPARTEMENTS.items():
        dwellings = population / 2
        for name, unit, per_thousand in DEMO_INDICATORS:
            base = dwellings if "logement" in name else population
            for year in range(2016, 2024):
                trend = 1 + (year - 2016) * rng.uniform(-0.02, 0.03)
                facts = round(base * per_thousand * level / 1000 * trend)
                lines.append(f'"{code}";"00";"{year}";"{name}";"{unit.capitalize()}";"{facts}";'
                             f'"{facts / base * 1000:.4f}";"{population:.1f}";"{year}";'
                             f'"{dwellings:.1f}";"{year}"'.replace(".", ","))
    return ("\n".join(lines) + "\n").encode("utf-8")


DEMO_ENTRIES = {
    "ddpn@demo.concert.test": {
        "staff": "1 850 policiers dont 120 en brigade anticriminalité de nuit.",
        "equipment": "Centre d'information et de commandement, 210 véhicules.",
        "hours": "Présence 24 h/24 ; BAC de 19 h à 5 h.",
        "partnerships": "Convention de coordination des interventions de la police "
                        "municipale et des forces de sécurité de l'État (2022).",
        "schemes": "Quartier de reconquête républicaine, cellule anti-stupéfiants."},
    "pm@demo.concert.test": {
        "staff": "420 agents, 35 ASVP.",
        "equipment": "Centre de supervision urbain, 1 600 caméras.",
        "hours": "7 h – 2 h, brigade de nuit le week-end.",
        "schemes": "Brigade équestre, unité motocycliste."},
}


def _seed_diagnostic(territory: Territory) -> None:
    if diagnostic.last_import(territories.system_access(SLUG)) is None:
        diagnostic.import_ssmsi(territories.system_access(SLUG),
                                io.BytesIO(demo_ssmsi_csv()), "base-communale-demo.csv")
    if diagnostic.last_import(territories.system_access(SLUG), "departmental") is None:
        diagnostic.import_ssmsi(territories.system_access(SLUG),
                                io.BytesIO(demo_departmental_csv()),
                                "base-departementale-demo.csv")
    for email, fields in DEMO_ENTRIES.items():
        where = territories.access(accounts.find_user(email), SLUG)
        if diagnostic.own_entry(where) is None:
            diagnostic.save_entry(where, EntryInput(**fields))
    if not diagnostic.list_observations(territories.system_access(SLUG)):
        diagnostic.add_observation(
            territories.access(accounts.find_user(PEOPLE[0][0]), SLUG), ObservationInput(
                body="Les atteintes aux biens reculent depuis 2019 ; les **violences "
                     "physiques** progressent, surtout en soirée : priorité du futur contrat."))


CONTRACT_SECTIONS = {
    "preamble": "Le présent **contrat de sécurité intégrée** lie l'État et les collectivités "
                "de la Métropole de démonstration, avec leurs partenaires. "
                "Il traduit en engagements réciproques le diagnostic partagé et la "
                "concertation menée sur la plateforme.",
    "governance": "- **Comité de pilotage** : préfète et maire, deux fois par an.\n"
                  "- **Cellule de coordination opérationnelle** : DDPN, gendarmerie, police "
                  "municipale, bailleurs et transporteurs, chaque mois.\n"
                  "- Secrétariat assuré par la préfecture.",
    "evaluation": "Chaque engagement est suivi par ses indicateurs ; un bilan annuel est "
                  "présenté au comité de pilotage.",
}
CONTRACT_FRAMEWORKS = [
    {"kind": "stspd", "name": "Stratégie territoriale de sécurité et de prévention 2024-2027",
     "start_date": "2024-01-01", "end_date": "2027-12-31",
     "integration": "Les axes « tranquillité publique » et « jeunesse » deviennent les "
                    "engagements des collectivités."},
    {"kind": "contrat_de_ville", "name": "Contrat de ville métropolitain 2024-2030",
     "start_date": "2024-01-01", "end_date": "2030-12-31",
     "integration": "Son pilier cohésion sociale finance les actions de prévention."},
]


def _seed_contract() -> None:
    """Sections, frameworks and a first frozen version, only on the first run."""
    facilitator = territories.access(accounts.find_user(PEOPLE[0][0]), SLUG)
    if contract.versions(facilitator):
        return
    for key, body in CONTRACT_SECTIONS.items():
        contract.set_section(facilitator, key, SectionInput(body=body))
    if not contract.frameworks(facilitator):
        for framework in CONTRACT_FRAMEWORKS:
            contract.save_framework(facilitator, framework)
    _seed_act(facilitator)
    territories.set_phase(facilitator, PhaseInput(phase="drafting"))
    contract.freeze(facilitator, VersionInput(
        note="Première version soumise au comité de pilotage"))


def _seed_act(facilitator) -> None:
    """The parties, the place of signature, and the commitments validated into the act, each
    tied to the framework it serves."""
    for fields in SIGNATORIES:
        act.save_signatory(facilitator, SignatoryInput(**fields))
    act.save_settings(facilitator, ActInput(place="Marseille"))
    framework = contract.frameworks(facilitator)[0].id
    for item in commitments.list_commitments(facilitator):
        commitments.update(facilitator, item.id, CommitmentInput(
            status="validated", framework=framework))


def _seed_workshops() -> None:
    """A closed workshop with its minutes and an upcoming one, only on the first run."""
    from datetime import timedelta

    from .models import utcnow
    from .services import workshops

    facilitator = territories.access(accounts.find_user(PEOPLE[0][0]), SLUG)
    if any(workshops.list_workshops(facilitator)):
        return
    general = channels.list_channels(facilitator)[0].id
    today = utcnow().replace(hour=13, minute=0, second=0, microsecond=0)
    past = workshops.create(facilitator, WorkshopInput(**{
        "title": "Atelier de lancement : abords de la gare", "place": "Préfecture, salle Mistral",
        "starts_at": (today - timedelta(days=7)).isoformat(),
        "invited": ["DDPN des Bouches-du-Rhône", "Police municipale de Marseille",
                    "Habitat Marseille Provence", "RTM"],
        "agenda": [{"title": "Tour de table", "minutes": 15},
                   {"title": "Propositions pour les abords de la gare", "minutes": 45,
                    "channel": general},
                   {"title": "Priorités", "minutes": 20}]}))
    workshops.start(facilitator, past.id)
    for email, *_rest in PEOPLE[:7]:
        workshops.attend(past, territories.access(accounts.find_user(email), SLUG).membership)
    db.session.commit()
    workshops.move(facilitator, past.id, MoveInput(to="next"))
    said = [posts.create_post(territories.access(accounts.find_user(email), SLUG), PostInput(
                channel=general, kind="proposal", body=body, client_id=f"demo-workshop-{i}",
                workshop=past.id))[0]
            for i, (email, body) in enumerate([
                ("transport@demo.concert.test",
                 "Des médiateurs dans les bus de nuit au départ de la gare."),
                ("pm@demo.concert.test",
                 "Une patrouille pédestre de la police municipale sur le parvis le soir."),
                ("prevention@demo.concert.test",
                 "Une maraude commune avec les éducateurs de rue le vendredi.")])]
    workshops.move(facilitator, past.id, MoveInput(to="next"))
    vote = workshops.open_vote(facilitator, past.id, VoteInput(**{
        "question": "Quelles propositions retenir en priorité ?", "dots": 2,
        "posts": [p.id for p in said]}))
    for email, choices in [("ddpn@demo.concert.test", (1, 1)),
                           ("bailleur@demo.concert.test", (0, 2)),
                           ("transport@demo.concert.test", (0, 1))]:
        voter = territories.access(accounts.find_user(email), SLUG)
        for slot, choice in enumerate(choices):
            workshops.place_dot(voter, past.id, vote.id, DotInput(post=said[choice].id, slot=slot))
    facilitation.promote(facilitator, PromotionInput(
        title="Présence de la police municipale sur le parvis de la gare en soirée",
        party="collectivite", pilot="Police municipale de Marseille",
        source_posts=[said[1].id]))
    workshops.close(facilitator, past.id)
    workshops.create(facilitator, WorkshopInput(**{
        "title": "Atelier prévention et jeunesse", "place": "Hôtel de ville, salle du conseil",
        "starts_at": (today + timedelta(days=14)).isoformat(),
        "invited": ["Éducation nationale", "Association Addap 13", "Ville de Marseille"],
        "agenda": [{"title": "Retour sur le diagnostic", "minutes": 20},
                   {"title": "Décrochage scolaire et exposition aux trafics", "minutes": 40},
                   {"title": "Propositions", "minutes": 30}]}))


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
        invitation_url = members.invite(system, InvitationInput(
            email=email, role=role, organisation=organisation, organisation_kind=kind))[1]
        members.accept_invitation(
            invitation_url.rsplit("/", 1)[1], name=name, password=PASSWORD, signed_in=user
        )
    _seed_conversation()
    _seed_commitments()
    _seed_diagnostic(territory)
    _seed_contract()
    _seed_workshops()
    lines = [f"Territoire de démonstration : /t/{SLUG}/ — {NAME}",
             f"Mot de passe de tous les comptes : {PASSWORD}",
             f"  {ADMIN[0]:<34} administrateur de la plateforme"]
    lines += [f"  {email:<34} {str(ROLE_LABELS[role]).lower():<12} {organisation}"
              for email, _name, role, organisation, _kind in PEOPLE]
    return lines
