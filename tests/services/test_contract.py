"""The draft contract, on the services, on SQLite and PostgreSQL: assembly into the document
model, sections and frameworks, frozen versions, diffs, phase, permissions."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from concert.db import db
from concert.documents.model import walk
from concert.models import AuditLog, Commitment, Event, Territory
from concert.models.contract import ContractVersion
from concert.services import channels, commitments, contract, facilitation, posts
from concert.services import territories
from concert.services.errors import Forbidden, Invalid, NotFound
from concert.schemas.contract import SectionInput, VersionInput
from concert.schemas.workspace import ChannelInput, PostInput
from concert.schemas.facilitation import CommitmentInput, MeasurementInput, PromotionInput
from concert.schemas.territories import PhaseInput
from tests.conftest import SLUG, as_

pytestmark = pytest.mark.usefixtures("french")  # services speak French outside a request



def commit_to(world, title: str, party: str = "etat", **fields) -> Commitment:
    return facilitation.promote(as_(world.facilitator),
                                PromotionInput(**{"title": title, "party": party, **fields}))


def text_of(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)


def by_key(document: dict) -> dict:
    return {s["key"]: s for s in walk(document["sections"])}


# --- assembly ------------------------------------------------------------------------------

def validated(world, title: str, party: str = "etat", **fields) -> Commitment:
    commitment = commit_to(world, title, party, **fields)
    return commitments.update(as_(world.facilitator), commitment.id,
                              CommitmentInput(status="validated"))


def test_the_act_in_order_with_its_articles_numbered_and_commitments_by_axis(world):
    where = as_(world.facilitator)
    validated(world, "Vidéoprotection des collèges", "collectivite", axis="videoprotection")
    validated(world, "Patrouilles mixtes", "etat", pilot="DDSP 13", partners=["PM"],
              axis="tranquillite", actions=["Définir les secteurs", "Canal radio commun"],
              means={"staff": "2 équipages", "budget": "12 000 €", "equipment": ""},
              start_date="2027-01-15", due_date="2027-12-31", financing="FIPD",
              target_area="QPV Les Lauriers",
              indicators=[{"name": "Soirées de patrouille", "unit": "par mois",
                           "baseline": 0, "target": 8, "reference_year": 2026,
                           "source": "Main courante"}])
    validated(world, "Médiation dans les halls", "partenaire", axis="tranquillite")
    commit_to(world, "Cellule de veille", "etat")  # a draft
    dropped = commit_to(world, "Projet abandonné", "etat")
    commitments.update(where, dropped.id, CommitmentInput(status="abandoned",
                                                          abandon_reason="Doublon"))

    document = contract.assemble(as_(world.actor))

    assert document["kind"] == "contract"
    assert document["subtitle"] == "Métropole test"
    assert ["Version", "Projet de travail"] in document["meta"]
    assert ["Phase", "Diagnostic"] in document["meta"]
    assert ["Département", "Bouches-du-Rhône (13)"] in document["meta"]  # not "13"
    top = document["sections"]
    assert [s["key"] for s in top] == [
        "parties", "visas", "preamble", "perimeter", "diagnostic", "frameworks",
        "commitments", "governance", "evaluation", "duration", "effect", "revision",
        "termination", "credits", "court", "annexes", "signatures", "annex-fiches", "drafts"]
    articles = [s for s in top if s["number"].startswith("Article")]
    assert [s["number"] for s in articles] == [f"Article {n} —" for n in range(1, 15)]
    # Axes in the territory's order (tranquillité first), then parties: the printed order
    # numbers the commitments.
    engagements = by_key(document)["commitments"]["sections"]
    assert [s["title"] for s in engagements] == ["Tranquillité publique", "Vidéoprotection"]
    assert engagements[0]["blocks"] == [
        {"type": "paragraph", "text": "L'État s'engage à :"},
        {"type": "list", "items": ["Patrouilles mixtes (engagement n° 1)"]},
        {"type": "paragraph", "text": "Les partenaires s'engagent à :"},
        {"type": "list", "items": ["Médiation dans les halls (engagement n° 2)"]}]
    fiches = by_key(document)["annex-fiches"]["sections"]
    assert [s["title"] for s in fiches] == [
        "Engagement n° 1 — Patrouilles mixtes", "Engagement n° 2 — Médiation dans les halls",
        "Engagement n° 3 — Vidéoprotection des collèges"]
    blocks = {b["type"]: b for b in fiches[0]["blocks"]}
    fields = dict(blocks["fields"]["items"])
    assert fields == {"Axe": "Tranquillité publique", "Zone ciblée": "QPV Les Lauriers",
                      "Pilote": "DDSP 13", "Partenaires": "PM",
                      "Calendrier": "du 15 janvier 2027 au 31 décembre 2027",
                      "Source de financement": "FIPD", "Moyens humains": "2 équipages",
                      "Budget": "12 000 €"}
    assert blocks["list"]["items"] == ["Définir les secteurs", "Canal radio commun"]
    assert blocks["table"]["columns"] == ["Indicateur", "Unité", "Référence", "Cible",
                                          "Source"]
    assert blocks["table"]["rows"] == [["Soirées de patrouille", "par mois", "0 (2026)", "8",
                                        "Main courante"]]
    # Nothing empty is stated: a commitment with only a title has no fields at all.
    assert [b["type"] for b in fiches[1]["blocks"]] == ["fields"]
    assert dict(fiches[1]["blocks"][0]["items"]) == {"Axe": "Tranquillité publique"}
    # Drafts apart, marked as projects; abandoned ones nowhere.
    assert [s["title"] for s in by_key(document)["drafts"]["sections"]] == [
        "Projet — Cellule de veille (brouillon n° 4)"]
    assert "Projet abandonné" not in text_of(document)
    assert "Abandonné" not in text_of(document) and "Brouillon" not in text_of(document)


def test_a_frozen_version_lists_no_draft(world):
    validated(world, "Patrouilles mixtes")
    commit_to(world, "Cellule de veille")
    version = contract.freeze(as_(world.facilitator), VersionInput(note="v1"))
    assert "drafts" not in by_key(version.document)
    assert "Cellule de veille" not in text_of(version.document)
    assert "Patrouilles mixtes" in text_of(version.document)


def test_the_document_is_the_same_for_every_member(world):
    commit_to(world, "Patrouilles mixtes")
    documents = [contract.assemble(as_(p)) for p in
                 (world.facilitator, world.actors[0], world.actors[1], world.observer)]
    assert all(d == documents[0] for d in documents)


def test_evaluation_table_shows_the_latest_measurement(world):
    commitment = validated(world, "Halls sécurisés", "partenaire", indicators=[
        {"name": "Signalements", "unit": "par mois", "baseline": 30, "target": 10,
         "reference_year": 2025, "source": "Bailleur"},
        {"name": "Halls équipés", "unit": "halls", "baseline": 0, "target": 3}])
    signalements = commitment.indicators[0].id
    for day, value in (("2027-03-01", 25), ("2027-05-01", 18.5)):
        commitments.add_measurement(as_(world.facilitator), commitment.id, signalements,
                                    MeasurementInput(**{"date": day, "value": value}))

    evaluation = by_key(contract.assemble(as_(world.observer)))["evaluation"]
    table = next(b for b in evaluation["blocks"] if b["type"] == "table")
    assert table["columns"] == ["Engagement n°", "Indicateur", "Unité", "Référence", "Cible",
                                "Source", "Dernière mesure", "Date de la mesure"]
    assert table["rows"][0] == ["1", "Signalements", "par mois", "30 (2025)", "10", "Bailleur",
                                "18,5", "1er mai 2027"]
    assert table["rows"][1] == ["1", "Halls équipés", "halls", "0", "3", None, None, None]


def test_restricted_channel_content_never_appears(world):
    """A commitment promoted from a post of a restricted channel: the contract, read by
    everyone, shows neither the post's text nor the restricted channel's name."""
    restricted = channels.create_channel(as_(world.facilitator), ChannelInput(
        name="Renseignement État", restricted_to=["prefecture", "police_nationale"]))
    secret, _created = posts.create_post(as_(world.actors[0]), PostInput(
        channel=restricted.id, kind="need", body="Informateur confidentiel rue des Lilas"))
    facilitation.promote(as_(world.facilitator), PromotionInput(**{
        "title": "Lutte contre les points de deal", "party": "etat",
        "channel": restricted.id, "source_posts": [secret.id]}))

    text = text_of(contract.assemble(as_(world.actors[1])))
    assert "Lutte contre les points de deal" in text
    assert "Informateur confidentiel" not in text
    assert "Renseignement État" not in text


def test_sections_and_frameworks_are_assembled(world):
    where = as_(world.facilitator)
    contract.set_section(where, "preamble", SectionInput(
        body="Le présent **contrat** engage les parties."))
    contract.set_section(where, "governance", SectionInput(
        body="Comité de pilotage **trimestriel**."))
    contract.save_framework(where, {"kind": "cls", "name": "CLSPD de Marseille",
                                    "start_date": "2024-01-01", "end_date": "2027-12-31",
                                    "integration": "Ses fiches actions deviennent des engagements."})
    contract.save_framework(where, {"kind": "contrat_de_ville", "name": "Contrat de ville 2024"})

    sections = by_key(contract.assemble(as_(world.actor)))
    assert sections["preamble"]["blocks"] == [
        {"type": "markdown", "source": "Le présent **contrat** engage les parties."}]
    assert sections["governance"]["blocks"][0]["source"] == "Comité de pilotage **trimestriel**."
    frameworks = sections["frameworks"]["blocks"]
    assert frameworks[0]["type"] == "table"
    assert [row[0] for row in frameworks[0]["rows"]] == ["CLSPD de Marseille",
                                                        "Contrat de ville 2024"]
    assert frameworks[0]["rows"][0][1] == "Contrat local de sécurité (CLS)"
    assert frameworks[0]["rows"][0][2:] == ["1er janvier 2024", "31 décembre 2027"]
    visas = [b["text"] for b in sections["visas"]["blocks"]]
    assert ("Vu « CLSPD de Marseille » (Contrat local de sécurité (CLS)), du 1er janvier 2024 "
            "au 31 décembre 2027 ;") in visas
    assert {"type": "markdown", "source": "Ses fiches actions deviennent des engagements."} \
        in frameworks


def test_section_edits_are_validated_and_audited(world):
    where = as_(world.facilitator)
    with pytest.raises(Invalid) as error:
        contract.set_section(where, "unknown", SectionInput(body="texte"))
    assert error.value.field == "key"
    with pytest.raises(Invalid) as error:
        contract.set_section(where, "preamble", SectionInput(body="x" * 50_001))
    assert error.value.field == "body"
    contract.set_section(where, "preamble", SectionInput(body="Texte"))
    contract.set_section(where, "preamble", SectionInput(
        body="Texte"))  # unchanged: nothing recorded
    entries = db.session.scalars(sa.select(AuditLog).where(
        AuditLog.action == "contract.section")).all()
    assert [e.after["body"] for e in entries] == ["Texte"]


@pytest.mark.parametrize("data, field", [
    ({"kind": "plan", "name": "X"}, "kind"),
    ({"kind": "cls", "name": ""}, "name"),
    ({"kind": "cls", "name": "X", "start_date": "demain"}, "start_date"),
    ({"kind": "cls", "name": "X", "start_date": "2027-01-01", "end_date": "2026-01-01"},
     "end_date"),
    ({"kind": "cls", "name": "X", "colour": "red"}, "colour"),
])
def test_framework_validation(world, data, field):
    with pytest.raises(Invalid) as error:
        contract.save_framework(as_(world.facilitator), data)
    assert error.value.field == field


def test_framework_edit_and_delete(world):
    where = as_(world.facilitator)
    framework = contract.save_framework(where, {"kind": "stspd", "name": "STSPD 13"})
    contract.save_framework(where, {"end_date": "2028-06-30"}, framework.id)
    assert contract.serialise_framework(contract.get_framework(where, framework.id)) == {
        "id": framework.id, "kind": "stspd", "name": "STSPD 13", "start_date": None,
        "end_date": "2028-06-30", "integration": ""}
    contract.delete_framework(where, framework.id)
    assert contract.frameworks(where) == []
    with pytest.raises(NotFound):
        contract.delete_framework(where, framework.id)


@pytest.mark.parametrize("who", ["actor", "observer"])
def test_only_facilitators_edit_or_freeze(world, who):
    person = getattr(world, who)
    where = as_(person)
    for call in (lambda: contract.set_section(where, "preamble", SectionInput(body="texte")),
                 lambda: contract.save_framework(where, {"kind": "cls", "name": "CLS"}),
                 lambda: contract.freeze(where, VersionInput(note="v1")),
                 lambda: territories.set_phase(where, PhaseInput(phase="drafting"))):
        with pytest.raises(Forbidden):
            call()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContractVersion)) == 0


def test_outsiders_do_not_reach_the_contract(world):
    with pytest.raises(NotFound):
        contract.assemble(as_(world.outsider, SLUG))


# --- versions ------------------------------------------------------------------------------

def test_versions_are_numbered_frozen_and_announced(world):
    where = as_(world.facilitator)
    first = contract.freeze(where, VersionInput(note="Première lecture en comité"))
    second = contract.freeze(where, VersionInput(note=""))
    assert (first.number, second.number) == (1, 2)
    assert contract.serialise_version(first)["author"]["name"] == "Fanny Animatrice"
    assert [v.number for v in contract.versions(as_(world.observer))] == [1, 2]
    other = contract.freeze(as_(world.outsider, "autre"), VersionInput(note=""))
    assert other.number == 1  # numbers are per territory
    announced = db.session.scalars(sa.select(Event).where(
        Event.type == "contract.version").order_by(Event.seq)).all()
    assert [(e.data["number"], e.data["note"]) for e in announced if e.territory_id ==
            where.territory.id] == [(1, "Première lecture en comité"), (2, "")]
    assert ["Version", "Version 1"] in contract.assemble(where, 1)["meta"]


def test_a_frozen_version_does_not_change_afterwards(world):
    where = as_(world.facilitator)
    commitment = validated(world, "Patrouilles mixtes", pilot="DDSP 13")
    contract.set_section(where, "preamble", SectionInput(body="Préambule d'origine"))
    contract.freeze(where, VersionInput(note="v1"))
    frozen = contract.assemble(where, 1)

    commitments.update(where, commitment.id, CommitmentInput(**{"title": "Patrouilles renforcées",
                                              "pilot": "Police municipale"}))
    contract.set_section(where, "preamble", SectionInput(body="Préambule réécrit"))
    commit_to(world, "Nouvel engagement", "partenaire")

    assert contract.assemble(where, 1) == frozen
    assert "Patrouilles mixtes" in text_of(frozen)
    assert "Patrouilles renforcées" not in text_of(frozen)
    assert "Patrouilles renforcées" in text_of(contract.assemble(where))


def test_unknown_versions_are_not_found(world):
    where = as_(world.actor)
    for number in (1, "7", 2**70):
        with pytest.raises((NotFound, Invalid)):
            contract.assemble(where, number)
    with pytest.raises(NotFound):
        contract.assemble(where, 1)


# --- diff ----------------------------------------------------------------------------------

def test_diff_lists_added_removed_and_changed_commitments_and_section_text(world):
    where = as_(world.facilitator)
    kept = commit_to(world, "Patrouilles mixtes", pilot="DDSP 13", due_date="2027-12-31")
    dropped = commit_to(world, "Engagement retiré", "partenaire")
    contract.set_section(where, "governance", SectionInput(
        body="Comité de pilotage annuel.\nSecrétariat : préfecture."))
    contract.freeze(where, VersionInput(note="v1"))

    commitments.update(where, kept.id, CommitmentInput(**{"pilot": "Police municipale", "due_date": "2028-06-30",
                                        "status": "validated"}))
    db.session.delete(db.session.get(Commitment, dropped.id))
    db.session.commit()
    added = commit_to(world, "Vidéoprotection", "collectivite")
    contract.set_section(where, "governance", SectionInput(
        body="Comité de pilotage trimestriel.\nSecrétariat : préfecture."))
    contract.freeze(where, VersionInput(note="v2"))

    for to in (2, "2", "draft"):
        result = contract.diff(as_(world.observer), 1, to)
        assert result["commitments"]["added"] == [
            {"id": added.id, "number": 3, "title": "Vidéoprotection"}]
        assert result["commitments"]["removed"] == [
            {"id": dropped.id, "number": 2, "title": "Engagement retiré"}]
        [changed] = result["commitments"]["changed"]
        assert changed["number"] == 1
        assert [(c["label"], c["before"], c["after"]) for c in changed["changes"]] == [
            ("Pilote", "DDSP 13", "Police municipale"),
            ("Statut", "Brouillon", "Validé"),
            ("Échéance", "2027-12-31", "2028-06-30")]
        [section] = result["sections"]
        assert section["title"] == "Gouvernance"
        assert "-Comité de pilotage annuel." in section["diff"]
        assert "+Comité de pilotage trimestriel." in section["diff"]
    assert contract.diff(where, 1, 1)["commitments"] == {"added": [], "removed": [],
                                                         "changed": []}
    assert contract.diff(where, 2, "draft")["sections"] == []


def test_diff_refuses_unknown_versions(world):
    where = as_(world.actor)
    with pytest.raises(NotFound):
        contract.diff(where, 1, "draft")
    with pytest.raises(Invalid) as error:
        contract.diff(where, "un", "draft")
    assert error.value.field == "from"


# --- phase ---------------------------------------------------------------------------------

def test_facilitators_change_the_phase(world):
    territory = territories.set_phase(as_(world.facilitator), PhaseInput(phase="drafting"))
    assert territory.phase == "drafting"
    assert ["Phase", "Rédaction"] in contract.assemble(as_(world.actor))["meta"]
    with pytest.raises(Invalid) as error:
        territories.set_phase(as_(world.facilitator), PhaseInput(phase="signature"))
    assert error.value.field == "phase"
    db.session.rollback()
    assert db.session.scalar(sa.select(Territory.phase).where(Territory.slug == SLUG)) \
        == "drafting"


def test_the_contract_is_written_in_french_whatever_the_facilitators_language(world):
    validated(world, "Patrouilles mixtes", "etat")
    with force_locale("en"):
        version = contract.freeze(as_(world.facilitator), VersionInput(note="Relecture"))
        draft = contract.assemble(as_(world.actor))
    for document in (version.document, draft):
        titles = [s["title"] for s in document["sections"]]
        assert "Objet" in titles and "Engagements des parties" in titles
        assert document["title"] == "Contrat de sécurité intégrée"
    assert ["Version", "Version 1"] in version.document["meta"]
    assert ["Version", "Projet de travail"] in draft["meta"]
