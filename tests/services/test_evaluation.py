"""After signature, on the services, on SQLite and PostgreSQL: the signed version, avenants
generated from the changes, governance bodies, the pilot's measurements, due measurements
and the yearly evaluation report."""
from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.documents.model import walk
from concert.models import AuditLog, Commitment
from concert.services import amendments, commitments, contract, evaluation, facilitation
from concert.services import governance, territories
from concert.services.errors import BadRequest, Conflict, Forbidden, NotFound
from concert.schemas.contract import SectionInput, VersionInput
from concert.schemas.evaluation import AmendmentInput, GovernanceInput, SynthesisInput
from concert.schemas.facilitation import CommitmentInput, MeasurementInput, PromotionInput
from concert.schemas.territories import PhaseInput
from tests.conftest import SLUG, as_
from tests.services.conftest import events_of

pytestmark = pytest.mark.usefixtures("french")

TODAY = date(2027, 3, 1)


def commit_to(world, title: str, status: str = "validated", **fields) -> Commitment:
    commitment = facilitation.promote(as_(world.facilitator), PromotionInput(
        **{"title": title, "party": "etat", **fields}))
    if status != "draft":
        commitments.update(as_(world.facilitator), commitment.id, CommitmentInput(status=status))
    return commitment


def sign(world) -> None:
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="signed"))


def text_of(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False)


# --- signature and avenants ----------------------------------------------------------------

def test_no_avenant_before_signature(world):
    commit_to(world, "Patrouilles mixtes")
    with pytest.raises(Conflict) as refused:
        amendments.freeze(as_(world.facilitator), AmendmentInput())
    assert "signé" in str(refused.value.message)
    with pytest.raises(Conflict):
        amendments.pending(as_(world.facilitator))


def test_signature_records_the_last_version_or_freezes_one(world):
    commit_to(world, "Patrouilles mixtes")
    contract.freeze(as_(world.facilitator), VersionInput(note="v1"))
    contract.freeze(as_(world.facilitator), VersionInput(note="v2"))
    sign(world)
    signature = amendments.signature_of(as_(world.facilitator).territory)
    assert signature.version.number == 2
    # Reopened then signed again: the signature stays the first one.
    territories.set_phase(as_(world.facilitator), PhaseInput(phase="drafting"))
    contract.freeze(as_(world.facilitator), VersionInput())
    sign(world)
    assert amendments.signature_of(as_(world.facilitator).territory).version.number == 2


def test_signature_without_a_version_freezes_one(world):
    commit_to(world, "Patrouilles mixtes")
    sign(world)
    signature = amendments.signature_of(as_(world.facilitator).territory)
    assert signature.version.number == 1 and signature.version.note == "Version signée"


def test_avenant_states_what_is_replaced_added_and_removed(world):
    patrols = commit_to(world, "Patrouilles mixtes", pilot="DDSP 13")
    cameras = commit_to(world, "Vidéoprotection des gares")
    commit_to(world, "Idée en cours", status="draft")
    sign(world)
    fac = as_(world.facilitator)
    assert amendments.is_empty(amendments.pending(fac))
    with pytest.raises(Conflict):
        amendments.freeze(fac, AmendmentInput())

    commitments.update(fac, patrols.id, CommitmentInput(pilot="DDPN 13"))
    commitments.update(fac, cameras.id, CommitmentInput(status="abandoned",
                                                        abandon_reason="Pas de crédits"))
    added = commit_to(world, "Cellule de veille", pilot="Mairie", actions=["Réunir la cellule"])
    contract.set_section(fac, "governance", SectionInput(body="Un COPIL par semestre."))

    amendment = amendments.freeze(fac, AmendmentInput(note="COPIL du 12 mars"))
    assert amendment.number == 1
    text = text_of(amendment.document)
    assert amendment.document["title"] == "Avenant n° 1 au contrat de sécurité intégrée"
    assert ("La rubrique « Pilote » de l'engagement n° 1 est remplacée par : « DDPN 13 »."
            in text)
    assert f"Il est ajouté un engagement n° {added.number}, « Cellule de veille »" in text
    assert "Réunir la cellule" in text
    assert "L'engagement n° 2, « Vidéoprotection des gares », est supprimé." in text
    assert "La section « Gouvernance » du contrat est remplacée" in text
    assert "Un COPIL par semestre." in text
    assert "Idée en cours" not in text  # a draft is not in the contract
    assert "Statut" not in text

    # The next avenant starts from the first one.
    assert amendments.is_empty(amendments.pending(fac))
    commitments.update(fac, patrols.id, CommitmentInput(title="Patrouilles mixtes de nuit"))
    second = amendments.freeze(fac, AmendmentInput())
    assert second.number == 2
    assert "l'avenant n° 1" in text_of(second.document)
    assert "remplacée par : « Patrouilles mixtes de nuit »" in text_of(second.document)
    assert "DDPN 13" not in text_of(second.document)

    assert [e.data["number"] for e in events_of("contract.amendment")] == [1, 2]
    audit = db.session.scalars(sa.select(AuditLog.action).where(
        AuditLog.action.in_(("contract.amendment", "contract.signature")))).all()
    assert sorted(audit) == ["contract.amendment", "contract.amendment", "contract.signature"]


def test_only_facilitators_establish_avenants(world):
    commit_to(world, "Patrouilles mixtes")
    sign(world)
    commit_to(world, "Cellule de veille")
    with pytest.raises(Forbidden):
        amendments.freeze(as_(world.actor), AmendmentInput())
    with pytest.raises(NotFound):
        amendments.get(as_(world.actor), 1)


# --- governance ----------------------------------------------------------------------------

def test_governance_bodies_are_edited_by_facilitators_and_printed(world):
    fac = as_(world.facilitator)
    data = GovernanceInput(chair="Le préfet et le maire", frequency="deux fois par an",
                           clspd_link="Se réunit en formation plénière du CLSPD.",
                           composition=[{"organisation": "Parquet de Marseille",
                                         "quality": "procureur de la République"},
                                        {"organisation": "DDPN 13"}])
    governance.save(fac, "copil", data)
    with pytest.raises(Forbidden):
        governance.save(as_(world.actor), "copil", data)
    with pytest.raises(NotFound):
        governance.save(fac, "conseil", data)
    body = governance.serialise_body("copil", governance.bodies(fac)["copil"])
    assert body["composition"][1] == {"organisation": "DDPN 13", "quality": ""}
    blocks = text_of({"b": governance.governance_blocks(fac.territory)})
    assert "Comité de pilotage (COPIL)" in blocks and "procureur de la République" in blocks
    assert "Comité de suivi" not in blocks  # not described: not printed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "governance.update")) == 1


# --- measurements: the pilot, due dates ----------------------------------------------------

def test_the_pilot_records_measurements_another_actor_may_not(world):
    commitment = commit_to(world, "Patrouilles mixtes", pilot="DDSP 13", indicators=[
        {"name": "Soirées de patrouille", "unit": "par mois", "baseline": 0, "target": 8}])
    indicator = commitment.indicators[0].id
    pilot, other = as_(world.actors[0]), as_(world.actors[1])  # DDSP 13, Habitat 13
    measurement = commitments.add_measurement(pilot, commitment.id, indicator,
                                              MeasurementInput(date="2027-02-01", value=4))
    assert measurement.value == 4
    with pytest.raises(Forbidden):
        commitments.add_measurement(other, commitment.id, indicator,
                                    MeasurementInput(date="2027-02-01", value=5))
    with pytest.raises(Forbidden):
        commitments.add_measurement(as_(world.observer), commitment.id, indicator,
                                    MeasurementInput(date="2027-02-01", value=5))
    [event] = events_of("measurement.recorded")
    assert event.data["value"] == 4 and event.data["author"]["name"] == world.actors[0].name
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "measurement.create"))
    assert entry.actor_id == world.actors[0].id


def test_due_measurements_follow_each_indicator_frequency(world):
    quarterly = commit_to(world, "Patrouilles mixtes", start_date="2026-09-01", indicators=[
        {"name": "Soirées", "frequency": "quarterly"}, {"name": "Sans fréquence"}])
    yearly = commit_to(world, "Cellule de veille", start_date="2026-09-01", indicators=[
        {"name": "Réunions", "frequency": "annual"}])
    commit_to(world, "Brouillon", status="draft", start_date="2020-01-01",
              indicators=[{"name": "Jamais dû", "frequency": "monthly"}])
    territory = as_(world.facilitator).territory
    due = evaluation.due_measurements(territory, TODAY)
    assert [(d["name"], d["due_on"]) for d in due] == [("Soirées", date(2026, 12, 1))]
    commitments.add_measurement(as_(world.facilitator), quarterly.id,
                                quarterly.indicators[0].id,
                                MeasurementInput(date="2027-02-15", value=3))
    assert evaluation.due_measurements(territory, TODAY) == []
    assert [(d["name"], d["due_on"]) for d in evaluation.due_measurements(
        territory, date(2027, 9, 1))] == [("Soirées", date(2027, 5, 15)),
                                          ("Réunions", date(2027, 9, 1))]
    assert commitments.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert commitments.serialise(yearly)["indicators"][0]["due_on"] == "2027-09-01"


# --- the yearly evaluation -----------------------------------------------------------------

def test_years_and_their_errors(world):
    fac = as_(world.facilitator)
    assert evaluation.years(fac, TODAY) == [2027]
    with pytest.raises(BadRequest):
        evaluation.year_of(fac, "deux-mille", TODAY)
    with pytest.raises(BadRequest):
        evaluation.year_of(fac, None, TODAY)
    with pytest.raises(NotFound):
        evaluation.year_of(fac, "2019", TODAY)
    commitment = commit_to(world, "Patrouilles", indicators=[{"name": "Soirées"}])
    commitments.add_measurement(fac, commitment.id, commitment.indicators[0].id,
                                MeasurementInput(date="2025-06-01", value=1))
    assert evaluation.years(fac, TODAY) == [2025, 2027]
    with pytest.raises(Forbidden):
        evaluation.set_synthesis(as_(world.actor), 2027, SynthesisInput(body="Non"), TODAY)


def test_report_states_status_indicators_abandons_and_synthesis(world):
    fac = as_(world.facilitator)
    patrols = commit_to(world, "Patrouilles mixtes", pilot="DDSP 13", indicators=[
        {"name": "Soirées de patrouille", "unit": "par mois", "baseline": 2, "target": 10,
         "frequency": "quarterly"}])
    dropped = commit_to(world, "Vidéoprotection des gares")
    commitments.update(fac, dropped.id, CommitmentInput(status="abandoned",
                                                        abandon_reason="Crédits non votés"))
    commit_to(world, "Idée en cours", status="draft")
    indicator = patrols.indicators[0].id
    for day, value in (("2026-11-02", 3), ("2027-01-10", 4), ("2027-02-20", 6)):
        commitments.add_measurement(fac, patrols.id, indicator,
                                    MeasurementInput(date=day, value=value, comment="relevé"))
    evaluation.set_synthesis(fac, 2027, SynthesisInput(body="Une **bonne** année."), TODAY)

    document = evaluation.assemble(as_(world.observer), 2027)
    text = text_of(document)
    assert document["kind"] == "evaluation"
    assert document["title"] == "Bilan annuel 2027 du contrat de sécurité intégrée"
    keys = [s["key"] for s in document["sections"]]
    assert keys == ["synthesis", "commitments", "indicators", "abandoned", "diagnostic",
                    "governance"]
    assert "Une **bonne** année." in text
    assert "Idée en cours" not in text
    assert "Crédits non votés" in text
    indicators = next(s for s in walk(document["sections"]) if s["key"] == f"indicators-{patrols.id}")
    fields = dict(next(b for b in indicators["blocks"] if b["type"] == "fields")["items"])
    assert fields["Référence"] == "2" and fields["Cible"] == "10"
    assert fields["Progression vers la cible"] == "50 %"
    table = next(b for b in indicators["blocks"] if b["type"] == "table")
    assert [row[1] for row in table["rows"]] == ["4", "6"]  # 2027's measurements only
    chart = next(b for b in indicators["blocks"] if b["type"] == "chart")
    assert chart["svg"].startswith("<svg") and "Cible : 10" in chart["alt"]

    earlier = evaluation.assemble(fac, 2026)
    assert "Synthèse à rédiger." in text_of(earlier)
    fields_2026 = dict(next(b for b in next(
        s for s in walk(earlier["sections"]) if s["key"] == f"indicators-{patrols.id}"
    )["blocks"] if b["type"] == "fields")["items"])
    assert fields_2026["Progression vers la cible"] == "12 %"


def test_the_report_numbers_the_commitments_as_the_act_does(world):
    """The act numbers its commitments in its own order (by axis, then party), not by
    creation: the bilan names each with the number the signed act gives it."""
    first = commit_to(world, "Maraudes de nuit", axis="habitat")  # n° 1 by creation
    second = commit_to(world, "Caméras du parvis", axis="videoprotection")
    numbers = contract.act_numbers(as_(world.facilitator).territory)
    assert numbers[second.id] == 1 and numbers[first.id] == 2  # vidéoprotection comes first
    document = evaluation.assemble(as_(world.facilitator), 2027)
    status = next(s for s in document["sections"] if s["key"] == "commitments")
    table = next(b for b in status["blocks"] if b["type"] == "table")
    assert [row[:2] for row in table["rows"]] == [["1", "Caméras du parvis"],
                                                 ["2", "Maraudes de nuit"]]
