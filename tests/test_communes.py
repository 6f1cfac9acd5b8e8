"""Commune names by INSEE code: the file `make setup` derives from Etalab's découpage
administratif, and the lookup that never fails on a code it does not know."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from concert import communes
from tests.conftest import ROOT


@pytest.fixture
def reload_names():
    communes._names.cache_clear()
    yield
    communes._names.cache_clear()


def test_names_and_labels_of_communes_and_municipal_arrondissements():
    assert communes.name("13055") == "Marseille"
    assert communes.label("13055") == "Marseille (13055)"
    assert communes.label("13201") == "Marseille 1er Arrondissement (13201)"
    assert communes.label("69123") == "Lyon (69123)"
    assert communes.label("2A004") == "Ajaccio (2A004)"


def test_an_unknown_code_is_shown_as_it_is():
    assert communes.name("99999") is None
    assert communes.label("99999") == "99999"


def test_without_the_generated_file_every_commune_is_shown_by_its_code(
        reload_names, monkeypatch, tmp_path):
    monkeypatch.setattr(communes.resources, "files", lambda package: tmp_path)
    assert communes.label("13055") == "13055"


def test_the_set_up_script_keeps_one_line_per_code_the_current_commune_first(tmp_path):
    source = tmp_path / "communes.json"
    source.write_text(json.dumps([
        {"code": "49018", "nom": "Chemillé", "departement": "49", "type": "commune-deleguee"},
        {"code": "13201", "nom": "Marseille 1er Arrondissement", "departement": "13",
         "type": "arrondissement-municipal"},
        {"code": "49092", "nom": "Chemillé-en-Anjou", "departement": "49",
         "type": "commune-actuelle"},
        {"code": "49092", "nom": "Chemillé-Melay", "departement": "49",
         "type": "commune-deleguee"},
        {"code": "13055", "nom": "Marseille", "departement": "13", "type": "commune-actuelle"},
    ]), encoding="utf-8")
    target = tmp_path / "data" / "communes.tsv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "communes.py"), str(source),
                    str(target)], check=True, timeout=60)
    assert target.read_text(encoding="utf-8").splitlines() == [
        "13055\tMarseille\t13",
        "13201\tMarseille 1er Arrondissement\t13",
        "49018\tChemillé\t49",
        "49092\tChemillé-en-Anjou\t49",
    ]


def test_departements_by_name_and_code_and_the_communes_departement():
    assert communes.departement_label("13") == "Bouches-du-Rhône (13)"
    assert communes.departement_label("2A") == "Corse-du-Sud (2A)"
    assert communes.departement_label("971") == "Guadeloupe (971)"
    assert communes.departement_label("99") == "99"  # unknown: the bare code
    assert communes.departement_of("13055") == "13" and communes.departement_of("99999") is None


def test_the_set_up_script_writes_one_line_per_departement(tmp_path):
    source = tmp_path / "departements.json"
    source.write_text(json.dumps([
        {"code": "2A", "nom": "Corse-du-Sud", "region": "94"},
        {"code": "13", "nom": "Bouches-du-Rhône", "region": "93"},
    ]), encoding="utf-8")
    target = tmp_path / "data" / "departements.tsv"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "departements.py"), str(source),
                    str(target)], check=True, timeout=60)
    assert target.read_text(encoding="utf-8").splitlines() == [
        "13\tBouches-du-Rhône", "2A\tCorse-du-Sud"]
