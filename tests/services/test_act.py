"""The act's parts on the services, on SQLite and PostgreSQL: signatories and the parties'
paragraph, visas and final provisions, the axes and the commitments' act fields."""
from __future__ import annotations

from datetime import date

import pytest

from concert.documents.model import walk
from concert.labels import day_text, period_text
from concert.services import act, channels, commitments, contract, facilitation
from concert.services.errors import Conflict, Forbidden, Invalid, NotFound
from concert.schemas.act import ActInput, AxesInput, SignatoryInput
from concert.schemas.contract import VersionInput
from concert.schemas.facilitation import CommitmentInput, PromotionInput
from tests.conftest import as_

pytestmark = pytest.mark.usefixtures("french")

PREFETE = {"role": "etat", "organisation": "l'État", "person": "Mme Hélène Marchetti",
           "quality": "préfète de la région Provence-Alpes-Côte d'Azur, préfète des "
                      "Bouches-du-Rhône"}
MAIRE = {"role": "collectivite", "organisation": "la commune de Marseille",
         "person": "M. Antoine Ferrand", "quality": "maire de Marseille",
         "deliberation_number": "26/0412/VAT", "deliberation_date": "2026-10-19"}
METROPOLE = {"role": "collectivite", "organisation": "la métropole Aix-Marseille-Provence",
             "person": "Mme Catherine Vidal",
             "quality": "présidente de la métropole Aix-Marseille-Provence",
             "deliberation_date": "2026-10-22"}
PROCUREURE = {"role": "justice", "organisation": "le parquet de Marseille",
              "person": "Mme Isabelle Fabre",
              "quality": "procureure de la République près le tribunal judiciaire de Marseille"}


def sections(document: dict) -> dict:
    return {s["key"]: s for s in walk(document["sections"])}


def texts(section: dict) -> list[str]:
    return [b.get("text") for b in section["blocks"] if b["type"] == "paragraph"]


def test_dates_as_acts_write_them():
    assert day_text(date(2026, 11, 26)) == "26 novembre 2026"
    assert day_text(date(2024, 1, 1)) == "1er janvier 2024"
    assert day_text(date(2024, 1, 1), "en") == "1 January 2024"
    assert period_text(date(2027, 1, 15), date(2027, 12, 31)) == \
        "du 15 janvier 2027 au 31 décembre 2027"
    assert period_text(date(2027, 1, 15), None) == "à compter du 15 janvier 2027"
    assert period_text(None, date(2027, 8, 1)) == "jusqu'au 1er août 2027"
    assert period_text(date(2027, 1, 15), date(2027, 12, 31), "en") == \
        "from 15 January 2027 to 31 December 2027"
    assert period_text(None, None) == "" and day_text(None) == ""


def test_the_parties_paragraph_and_signature_block_come_from_the_signatories(world):
    where = as_(world.facilitator)
    for fields in (PREFETE, PROCUREURE, MAIRE, METROPOLE):
        act.save_signatory(where, SignatoryInput(**fields))
    act.save_settings(where, ActInput(place="Marseille", signed_on="2027-01-08"))

    document = sections(contract.assemble(as_(world.observer)))
    assert texts(document["parties"]) == [
        "Entre :",
        "l'État, représenté par Mme Hélène Marchetti, préfète de la région Provence-Alpes-Côte "
        "d'Azur, préfète des Bouches-du-Rhône,",
        "et Mme Isabelle Fabre, procureure de la République près le tribunal judiciaire de "
        "Marseille,",
        "et la commune de Marseille, représentée par M. Antoine Ferrand, maire de Marseille, "
        "autorisé par délibération n° 26/0412/VAT du 19 octobre 2026,",
        "et la métropole Aix-Marseille-Provence, représentée par Mme Catherine Vidal, "
        "présidente de la métropole Aix-Marseille-Provence, autorisée par délibération du "
        "22 octobre 2026,",
        "ci-après dénommés ensemble « les parties »,"]
    signatures = document["signatures"]["blocks"]
    assert signatures[0]["text"] == ("Fait à Marseille, le 8 janvier 2027, en 4 exemplaires "
                                     "originaux.")
    tables = [b for b in signatures if b["type"] == "table"]
    assert [c for t in tables for c in t["columns"]] == [
        "Préfète de la région Provence-Alpes-Côte d'Azur, préfète des Bouches-du-Rhône",
        "Procureure de la République près le tribunal judiciaire de Marseille",
        "Maire de Marseille", "Présidente de la métropole Aix-Marseille-Provence"]
    assert [r for t in tables for r in t["rows"][0]] == [
        "Mme Hélène Marchetti", "Mme Isabelle Fabre", "M. Antoine Ferrand",
        "Mme Catherine Vidal"]


def test_signatories_are_ordered_edited_and_removed(world):
    where = as_(world.facilitator)
    first = act.save_signatory(where, SignatoryInput(**MAIRE))
    second = act.save_signatory(where, SignatoryInput(**PREFETE))
    assert [s.id for s in act.signatories(where)] == [first.id, second.id]
    act.save_signatory(where, SignatoryInput(position=-1), second.id)
    assert [s.id for s in act.signatories(where)] == [second.id, first.id]
    act.save_signatory(where, SignatoryInput(person="Mme Anne Petit",
                                             deliberation_number=None), first.id)
    edited = act.get_signatory(where, first.id)
    assert (edited.person, edited.deliberation_number, edited.quality) == (
        "Mme Anne Petit", "", "maire de Marseille")
    act.delete_signatory(where, first.id)
    assert [s.id for s in act.signatories(where)] == [second.id]
    with pytest.raises(NotFound):
        act.get_signatory(as_(world.outsider, "autre"), second.id)


@pytest.mark.parametrize("fields, field", [
    ({"organisation": "l'État"}, "role"),
    ({"role": "etat"}, "organisation"),
    ({"role": "roi", "organisation": "x"}, "role"),
    ({"role": "etat", "organisation": "  "}, "organisation"),
    ({"role": "etat", "organisation": "x", "deliberation_date": "19/10/2026"},
     "deliberation_date"),
    ({"role": "etat", "organisation": "x" * 201}, "organisation"),
    ({"role": "etat", "organisation": "x", "rang": 1}, "rang"),
])
def test_signatories_are_validated(world, fields, field):
    with pytest.raises(Invalid) as refused:
        act.save_signatory(as_(world.facilitator), SignatoryInput(**fields))
    assert refused.value.field == field


def test_only_facilitators_change_the_act(world):
    for change in (lambda w: act.save_signatory(w, SignatoryInput(**PREFETE)),
                   lambda w: act.save_settings(w, ActInput(place="Aix")),
                   lambda w: act.save_axes(w, AxesInput(axes=None))):
        with pytest.raises(Forbidden):
            change(as_(world.actor))


def test_visas_default_editable_and_the_frameworks_are_added(world):
    where = as_(world.facilitator)
    contract.save_framework(where, {"kind": "clspd", "name": "CLSPD de Marseille",
                                    "start_date": "2024-01-01"})
    visas = texts(sections(contract.assemble(where))["visas"])
    assert visas[0].startswith("Vu le code de la sécurité intérieure, notamment ses articles "
                               "L. 132-1 et suivants et L. 512-4 et suivants")
    assert any("L. 2211-1 et L. 2212-2" in v for v in visas)
    assert any("loi n° 2021-646 du 25 mai 2021" in v for v in visas)
    assert any("n° 6258-SG du 16 avril 2021" in v for v in visas)
    assert visas[-2] == ("Vu « CLSPD de Marseille » (Conseil local ou intercommunal de "
                         "sécurité et de prévention de la délinquance (CLSPD / CISPD)), à "
                         "compter du 1er janvier 2024 ;")
    assert visas[-1] == "Il est convenu ce qui suit :"

    act.save_settings(where, ActInput(visas=["Vu le code pénal ;"]))
    assert texts(sections(contract.assemble(where))["visas"])[0] == "Vu le code pénal ;"
    assert act.serialise_settings(where)["visas_default"] is False
    act.save_settings(where, ActInput(visas=None))
    assert act.serialise_settings(where)["visas_default"] is True


def test_final_provisions_default_and_settings(world):
    where = as_(world.facilitator)
    document = sections(contract.assemble(where))
    assert "mars 2032" in texts(document["duration"])[0]
    assert "signature par la dernière des parties" in texts(document["effect"])[0]
    assert "préavis de 3 mois" in texts(document["termination"])[0]
    assert "tribunal administratif de Marseille" in texts(document["court"])[0]  # the 13
    assert "sous réserve du vote des crédits" in texts(document["credits"])[0]
    assert "avenant" in texts(document["revision"])[0]

    act.save_settings(where, ActInput(effective_on="2027-01-01", ends_on="2031-12-31",
                                      notice_months=6, originals=2,
                                      court="tribunal administratif de Toulon"))
    document = sections(contract.assemble(where))
    assert texts(document["duration"]) == ["Le présent contrat est conclu jusqu'au "
                                           "31 décembre 2031."]
    assert texts(document["effect"]) == ["Le présent contrat prend effet le 1er janvier 2027."]
    assert "préavis de 6 mois" in texts(document["termination"])[0]
    assert "tribunal administratif de Toulon" in texts(document["court"])[0]
    assert "en 2 exemplaires originaux" in texts(document["signatures"])[0]
    assert "tribunal administratif de Lyon" in act.court_text(as_(world.outsider, "autre"))


@pytest.mark.parametrize("fields, field", [
    ({"originals": 0}, "originals"), ({"originals": "deux"}, "originals"),
    ({"notice_months": 25}, "notice_months"), ({"ends_on": "demain"}, "ends_on"),
    ({"effective_on": "2027-06-01", "ends_on": "2027-01-01"}, "ends_on"),
    ({"visas": "Vu le code"}, "visas"), ({"visas": [""]}, "visas"), ({"lieu": "x"}, "lieu"),
])
def test_act_settings_are_validated(world, fields, field):
    with pytest.raises(Invalid) as refused:
        act.save_settings(as_(world.facilitator), ActInput(**fields))
    assert refused.value.field == field


def test_axes_are_editable_and_commitments_keep_theirs(world):
    where = as_(world.facilitator)
    assert [a["key"] for a in act.axes(where)][:3] == ["tranquillite", "mineurs", "vif"]
    assert len(act.axes(where)) == 15
    commitment = facilitation.promote(where, PromotionInput(
        title="Patrouilles", party="etat", axis="tranquillite"))
    renamed = [{"key": a["key"], "label": a["label"]} for a in act.axes(where)][:1]
    renamed[0]["label"] = "Tranquillité publique et incivilités"
    renamed.append({"label": "Sécurité des grands événements"})
    assert act.save_axes(where, AxesInput(axes=renamed)) == [
        {"key": "tranquillite", "label": "Tranquillité publique et incivilités"},
        {"key": "securite_des_grands_evenements", "label": "Sécurité des grands événements"}]
    assert commitments.get(where, commitment.id).axis == "tranquillite"
    with pytest.raises(Conflict):  # it still carries a commitment
        act.save_axes(where, AxesInput(axes=renamed[1:]))
    with pytest.raises(Invalid):
        act.save_axes(where, AxesInput(axes=[{"label": "A"}, {"label": "a"}]))
    with pytest.raises(Invalid):
        act.save_axes(where, AxesInput(axes=[{"key": "inconnu", "label": "A"}]))
    with pytest.raises(Invalid):
        AxesInput(axes="tranquillité")
    act.save_axes(where, AxesInput(axes=None))
    assert len(act.axes(where)) == 15


def test_a_commitment_gets_its_channels_axis_and_act_fields(world):
    where = as_(world.facilitator)
    channel = next(c for c in channels.list_channels(where) if c.name == "Habitat social")
    framework = contract.save_framework(where, {"kind": "qrr", "name": "QRR Marseille nord"})
    commitment = facilitation.promote(where, PromotionInput(
        title="Halls", party="partenaire", channel=channel.id, financing="FIPD",
        target_area="QPV Les Lauriers", framework=framework.id,
        indicators=[{"name": "Signalements", "baseline": 30, "target": 10,
                     "reference_year": 2025, "source": "Bailleur"}]))
    stored = commitments.stored(commitment)
    assert (stored["axis"], stored["financing"], stored["target_area"], stored["framework"]) \
        == ("habitat", "FIPD", "QPV Les Lauriers", framework.id)
    assert (stored["indicators"][0]["reference_year"], stored["indicators"][0]["source"]) == (
        2025, "Bailleur")
    updated = commitments.update(where, commitment.id, CommitmentInput(axis="stupefiants"))
    assert updated.axis == "stupefiants"
    for fields, field in (({"axis": "inconnu"}, "axis"),
                          ({"indicators": [{"name": "x", "reference_year": 1789}]},
                           "indicators")):
        with pytest.raises(Invalid) as refused:
            commitments.update(where, commitment.id, CommitmentInput(**fields))
        assert refused.value.field == field
    with pytest.raises(NotFound):
        commitments.update(where, commitment.id, CommitmentInput(framework=10_000))


def test_the_version_diff_shows_the_act_fields(world):
    where = as_(world.facilitator)
    commitment = facilitation.promote(where, PromotionInput(title="Halls", party="etat"))
    contract.freeze(where, VersionInput(note="v1"))
    commitments.update(where, commitment.id, CommitmentInput(
        axis="habitat", financing="DETR", target_area="QPV Les Lauriers"))
    act.save_signatory(where, SignatoryInput(**PREFETE))
    changes = contract.diff(where, 1, "draft")
    fields = {c["field"]: c["after"] for c in changes["commitments"]["changed"][0]["changes"]}
    assert fields == {"axis": "Habitat social", "financing": "DETR",
                      "target_area": "QPV Les Lauriers"}
    assert [s["key"] for s in changes["sections"]] == ["parties"]
