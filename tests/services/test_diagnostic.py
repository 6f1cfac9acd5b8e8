"""The shared diagnostic's rules, at the service level, on both databases: the SSMSI
importer with real-format files (both column sets, both encodings, non-published rows,
foreign communes, malformed lines), indicators, contract blocks, qualitative entries,
observations and the needs raised."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import AuditLog
from concert.models.diagnostic import DelinquencyFigure, QualitativeEntry, ReferenceFigure
from concert.services import channels, diagnostic, posts, ssmsi, territories
from concert.services.errors import Forbidden, Invalid, NotFound
from concert.schemas.diagnostic import EntryInput, ObservationInput
from concert.schemas.workspace import ChannelInput, PostInput
from tests.conftest import SSMSI, as_

DATA = SSMSI
BASE_2024 = DATA / "base_communale_2024.csv"
BASE_2025 = DATA / "base_communale_2025_latin1.csv"


def imported(where, path: Path):
    with path.open("rb") as stream:
        return diagnostic.import_ssmsi(where, stream, path.name)


def figures(slug="metropole") -> list[tuple]:
    db.session.rollback()
    rows = db.session.scalars(sa.select(DelinquencyFigure).order_by(
        DelinquencyFigure.commune, DelinquencyFigure.indicator, DelinquencyFigure.year))
    return [(f.id, f.commune, f.year, f.indicator, f.unit, f.published, f.facts, f.rate,
             f.population) for f in rows]


def csv_bytes(*lines: str, encoding="utf-8") -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode(encoding))


HEADER_2024 = ('"CODGEO_2024";"annee";"classe";"unité.de.compte";"valeur.publiée";"faits";'
               '"tauxpourmille";"complementinfoval";"complementinfotaux";"POP";"millPOP";'
               '"LOG";"millLOG"')


# --- importer ---------------------------------------------------------------------------

def test_the_parser_reports_its_progress_every_few_thousand_lines():
    foreign = ('"69123";"19";"Vols";"véhicule";"diff";3;0,5;NA;NA;520000;"2019";290000;'
               '"2019"\n').encode()
    data = BASE_2024.read_bytes() + foreign * (2 * ssmsi.YIELD_EVERY)
    steps: list[ssmsi.Progress] = []
    parsed = ssmsi.parse(io.BytesIO(data), {"13055", "13001"}, steps.append)
    assert len(parsed.rows) == 16 and parsed.skipped == 2 + 2 * ssmsi.YIELD_EVERY
    assert [s.lines for s in steps] == [ssmsi.YIELD_EVERY, 2 * ssmsi.YIELD_EVERY,
                                        parsed.lines]
    assert steps[-1] == ssmsi.Progress(len(data), parsed.lines, 16, parsed.skipped)
    assert steps[0].kept == 16 and 0 < steps[0].bytes_read < steps[1].bytes_read


def test_an_import_job_stores_its_result_or_its_error(world):
    where = as_(world.facilitator)
    job = diagnostic.start_import_job(where, BASE_2024.name, BASE_2024.stat().st_size)
    with BASE_2024.open("rb") as stream:
        diagnostic.run_import_job(job.id, stream)
    done = diagnostic.serialise_job(diagnostic.import_job(where, job.id))
    assert (done["status"], done["lines"], done["kept"], done["skipped"]) == ("done", 19, 16, 2)
    assert done["bytes_read"] == done["size"] and done["import"]["rows"] == 16
    bad = diagnostic.start_import_job(where, "bad.csv", 1)
    diagnostic.run_import_job(bad.id, io.BytesIO(b"a;b\n1;2\n"))
    failed = diagnostic.serialise_job(diagnostic.import_job(where, bad.id))
    assert failed["status"] == "failed" and "colonnes manquantes" in failed["error"]
    assert len(figures()) == 16  # the failed job changed nothing
    with pytest.raises(Forbidden):
        diagnostic.import_job(as_(world.actor), job.id)
    with pytest.raises(NotFound):
        diagnostic.import_job(where, 999)


def test_a_job_whose_process_died_reads_as_interrupted(world):
    where = as_(world.facilitator)
    job = diagnostic.start_import_job(where, "nationale.csv", 1000)
    assert diagnostic.serialise_job(job)["status"] == "running"
    diagnostic._save_job(job.id, updated_at=job.updated_at - diagnostic.STALE_AFTER * 2)
    stale = diagnostic.serialise_job(diagnostic.import_job(where, job.id))
    assert stale["status"] == "failed" and "interrompu" in stale["error"]

def test_2024_file_with_bom_keeps_the_territory_communes_only(world):
    record = imported(as_(world.facilitator), BASE_2024)
    assert (record.rows, record.skipped) == (16, 2)  # two rows of Lyon (69123) left out
    assert (record.edition, record.encoding) == ("2024", "utf-8")
    rows = figures()
    assert {r[1] for r in rows} == {"13001", "13055"}
    assert {r[2] for r in rows} == {2016, 2017, 2018, 2019}  # two-digit years
    marseille_2016 = next(r for r in rows if r[1] == "13055" and r[2] == 2016
                          and r[3] == "Coups et blessures volontaires")
    assert marseille_2016[4:] == ("victime", True, 4210, pytest.approx(4.9137), 856700)


def test_non_published_values_are_kept_as_not_published_never_zero(world):
    imported(as_(world.facilitator), BASE_2024)
    row = next(r for r in figures() if r[1] == "13001" and r[2] == 2018
               and r[3] == "Coups et blessures volontaires")
    assert row[5:8] == (False, None, None)
    item = next(i for i in diagnostic.indicators(world_territory())
                if i["indicator"] == "Coups et blessures volontaires")
    total_2018 = next(t for t in item["totals"] if t["year"] == 2018)
    assert total_2018 == {"year": 2018, "facts": 4502, "rate": pytest.approx(5.26, abs=0.01),
                          "partial": True}
    aubagne = next(c for c in item["communes"] if c["commune"] == "13001")
    assert aubagne["series"][2] == {"facts": None, "rate": None, "published": False}
    # 2016 → 2019 for the commune; the territory's total over complete years only
    assert aubagne["evolution"] == pytest.approx((355 - 310) / 310 * 100, abs=0.1)
    assert item["evolution_years"] == [2016, 2019]
    assert item["evolution"] == pytest.approx((4650 + 355 - 4210 - 310) / 4520 * 100, abs=0.1)


def test_2025_column_set_in_latin1(world):
    record = imported(as_(world.facilitator), BASE_2025)
    assert (record.rows, record.skipped, record.edition, record.encoding) == (
        7, 2, "2025", "latin-1")
    names = {r[3] for r in figures()}
    assert names == {"Vols violents sans arme", "Dégradations et destructions volontaires"}
    ndiff = next(r for r in figures() if r[1] == "13001" and r[2] == 2021)
    assert ndiff[5:7] == (False, None)


def test_importing_the_same_file_again_changes_nothing(world):
    where = as_(world.facilitator)
    imported(where, BASE_2024)
    before = figures()
    again = imported(as_(world.facilitator), BASE_2024)
    assert (again.rows, again.skipped) == (16, 2)
    assert figures() == before  # same rows, same ids


def test_a_new_file_replaces_the_previous_figures(world):
    imported(as_(world.facilitator), BASE_2024)
    imported(as_(world.facilitator), BASE_2025)
    assert {r[2] for r in figures()} == {2021, 2022, 2023}


@pytest.mark.parametrize("name, line, reason", [
    ("malformed_year.csv", 5, "année « dix-neuf » invalide"),
    ("malformed_fields.csv", 7, "11 champs au lieu de 13"),
])
def test_a_malformed_file_is_refused_with_its_line_and_leaves_the_data_intact(
        world, name, line, reason):
    imported(as_(world.facilitator), BASE_2025)
    before = figures()
    with pytest.raises(Invalid) as refused:
        imported(as_(world.facilitator), DATA / name)
    assert str(refused.value.message) == f"Ligne {line} : {reason}."
    assert figures() == before


@pytest.mark.parametrize("line, reason", [
    ('"13055";"16";"Vols";"victime";"peut-être";1;1;NA;NA;1;"2016";1;"2016"',
     "valeur publiée « peut-être » inconnue"),
    ('"13055";"16";"Vols";"victime";"diff";douze;1;NA;NA;1;"2016";1;"2016"',
     "nombre « douze » invalide (colonne faits)"),
    ('"13055";"16";"Vols";"victime";"diff";NA;NA;NA;NA;1;"2016";1;"2016"',
     "nombre de faits manquant pour une donnée diffusée"),
    ('"13O55";"2016";"Vols";"victime";"diff";1;1;NA;NA;1;"2016";1;"2016"',
     "code commune"),
    ('"13055";"1916";"Vols";"victime";"diff";1;1;NA;NA;1;"2016";1;"2016"',
     "année « 1916 » invalide"),
    ('"13055";"2016";"Vols";"victime";"diff";1;1;NA;NA;1;"2016";1;"2016"', None),
    ('"13055";"16";"";"victime";"diff";1;1;NA;NA;1;"2016";1;"2016"', "indicateur manquant"),
    ('"13055";"16";"Vols";"victime";"diff";1;inf;NA;NA;1;"2016";1;"2016"', "nombre « inf »"),
])
def test_every_line_is_checked_even_a_foreign_communes(world, line, reason):
    where = as_(world.facilitator)
    good = '"69123";"16";"Vols";"victime";"diff";3;0,5;NA;NA;6000;"2016";2000;"2016"'
    stream = csv_bytes(HEADER_2024, good, line)
    if reason is None:  # the same line, well formed: accepted
        assert diagnostic.import_ssmsi(where, stream, "x.csv").rows == 1
        return
    with pytest.raises(Invalid) as refused:
        diagnostic.import_ssmsi(where, stream, "x.csv")
    assert str(refused.value.message).startswith("Ligne 3 : ")
    assert reason in str(refused.value.message)


def test_a_latin1_accent_deep_in_the_file_switches_encoding_without_failing(world):
    lines = [HEADER_2024.replace("é", "e")] + [
        f'"13055";"{16 + i % 8}";"Vols {i}";"victime";"diff";{i};0,1;NA;NA;1;"2016";1;"2016"'
        for i in range(500)] + [
        '"13001";"16";"Dégradations";"infraction";"ndiff";NA;NA;NA;NA;1;"2016";1;"2016"']
    record = diagnostic.import_ssmsi(as_(world.facilitator),
                                     csv_bytes(*lines, encoding="latin-1"), "x.csv")
    assert (record.rows, record.encoding) == (501, "latin-1")
    assert "Dégradations" in {r[3] for r in figures()}


def test_loose_column_names_and_four_digit_commune_codes(world):
    header = ("codgeo;Année;CLASSE;Unite de compte;valeur_publiee;Faits;Taux pour mille;"
              "POP")
    record = diagnostic.import_ssmsi(as_(world.facilitator), csv_bytes(
        header, "13055;2020;Vols;victime;diff;12;0,01;856700",
        "1001;2020;Vols;victime;diff;5;0,5;10000"), "x.csv")
    # 1001 → 01001 (a spreadsheet's lost zero), not a commune of the territory
    assert (record.rows, record.skipped) == (1, 1)


def test_a_file_missing_columns_is_refused_listing_them(world):
    with pytest.raises(Invalid) as refused:
        imported(as_(world.facilitator), DATA / "missing_column.csv")
    assert "classe" in str(refused.value.message)
    assert "tauxpourmille" in str(refused.value.message)
    with pytest.raises(Invalid):
        diagnostic.import_ssmsi(as_(world.facilitator), io.BytesIO(b""), "empty.csv")
    with pytest.raises(Invalid):
        diagnostic.import_ssmsi(as_(world.facilitator), io.BytesIO(b"\x00\x01" * 10), "b.csv")


def test_a_territory_without_communes_cannot_import(world):
    territories.create_territory(None, "vide", "Sans communes", "13", [])
    from tests.conftest import join
    anim = join("vide", "anim2@example.org", "Anne Anim", "facilitator", "Préfecture",
                "prefecture")
    with pytest.raises(Invalid) as refused:
        imported(as_(anim, "vide"), BASE_2024)
    assert "aucune commune" in str(refused.value.message)


def test_a_commune_newer_than_the_names_dataset_is_imported_and_shown_by_its_code(world):
    territories.create_territory(None, "nouvelle", "Commune nouvelle", "13", ["13055", "13999"])
    from tests.conftest import join
    anim = join("nouvelle", "anim3@example.org", "Alix Anim", "facilitator", "Préfecture",
                "prefecture")
    record = diagnostic.import_ssmsi(as_(anim, "nouvelle"), csv_bytes(
        HEADER_2024,
        '"13055";"16";"Vols";"victime";"diff";12;1;NA;NA;1;"2016";1;"2016"',
        '"13999";"16";"Vols";"victime";"diff";3;1;NA;NA;1;"2016";1;"2016"'), "x.csv")
    assert record.rows == 2
    [item] = diagnostic.indicators(as_member_territory("nouvelle"))
    assert [(c["commune"], c["name"]) for c in item["communes"]] == [
        ("13055", "Marseille"), ("13999", None)]
    [table] = [b for b in diagnostic.table_blocks(as_member_territory("nouvelle"))
               if b["type"] == "table"]
    assert [row[0] for row in table["rows"] if not row[0].startswith("—")] == [
        "Marseille (13055)", "13999", "Total du territoire"]


def test_only_facilitators_import_and_it_is_audited(world):
    for person in (world.actor, world.observer):
        with pytest.raises(Forbidden):
            imported(as_(person), BASE_2024)
    with pytest.raises(NotFound):
        as_(world.outsider)
    imported(as_(world.facilitator), BASE_2024)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "diagnostic.import"))
    assert entry.after == {"kind": "communal", "filename": BASE_2024.name, "rows": 16,
                           "skipped": 2, "edition": "2024"}


# --- views ------------------------------------------------------------------------------

def world_territory():
    return as_member_territory("metropole")


def as_member_territory(slug):
    """What every member of the territory reads (the diagnostic is the same for all)."""
    from concert.services.access import system_access
    return system_access(slug)


def test_chart_is_accessible_svg_without_style_attributes(world):
    imported(as_(world.facilitator), BASE_2024)
    item = diagnostic.indicators(world_territory())[0]
    svg = diagnostic.chart(item)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg and "style=" not in svg
    assert "Année" in svg and "2016" in svg


def test_contract_blocks_tables_charts_and_entries(world):
    imported(as_(world.facilitator), BASE_2024)
    diagnostic.save_entry(as_(world.actor), EntryInput(
        **{"staff": "120 policiers", "hours": "24 h/24"}))
    blocks = diagnostic.contract_blocks(world_territory())
    kinds = [b["type"] for b in blocks]
    assert kinds.count("table") == 3 and kinds.count("chart") == 2  # synthesis + 2 indicators
    table = next(b for b in blocks if b["type"] == "table"
                 and b["caption"].startswith("Coups et blessures"))
    assert table["caption"] == ("Coups et blessures volontaires — nombre de victimes et taux "
                                "pour 1 000 habitants")
    assert table["columns"] == ["Commune", "2016", "2017", "2018", "2019", "Évolution"]
    assert table["rows"][0] == ["Aix-en-Provence (13001)", "310", "298", "non diffusé", "355",
                                "+14,5 % de 2016 à 2019"]
    assert table["rows"][1] == ["— taux pour 1 000 habitants", "2,21 ‰", "2,12 ‰", "",
                                "2,50 ‰", ""]
    assert table["rows"][2][0] == "Marseille (13055)"
    total = next(row for row in table["rows"] if row[0] == "Total du territoire")
    assert total[-1] == "+10,7 % de 2016 à 2019" and total[3] == "4\u202f502 *"
    fields = next(b for b in blocks if b["type"] == "fields")
    assert ["Effectifs", "120 policiers"] in fields["items"]


def test_every_evolution_states_its_years_and_a_commune_whose_data_stop_says_so(world):
    diagnostic.import_ssmsi(as_(world.facilitator), csv_bytes(
        HEADER_2024,
        '"13055";"16";"Vols";"victime";"diff";100;1;NA;NA;1000;"2016";1;"2016"',
        '"13055";"19";"Vols";"victime";"diff";110;1;NA;NA;1000;"2019";1;"2019"',
        '"13055";"23";"Vols";"victime";"diff";121;1;NA;NA;1000;"2023";1;"2023"',
        '"13001";"16";"Vols";"victime";"diff";50;1;NA;NA;1000;"2016";1;"2016"',
        '"13001";"19";"Vols";"victime";"diff";40;1;NA;NA;1000;"2019";1;"2019"',
        '"13001";"23";"Vols";"victime";"ndiff";NA;NA;NA;NA;1000;"2023";1;"2023"'), "v.csv")
    [item] = diagnostic.indicators(world_territory())
    # 2023's total is partial: the territory's evolution stops at 2019, and says so
    assert (item["evolution"], item["evolution_years"]) == (0.0, [2016, 2019])
    aix, marseille = item["communes"]
    assert (aix["evolution_years"], aix["last_year"]) == ([2016, 2019], 2019)
    assert diagnostic.commune_evolution_text(aix, item["years"]) == (
        "-20,0 % de 2016 à 2019 (données diffusées jusqu'en 2019)")
    assert diagnostic.commune_evolution_text(marseille, item["years"]) == "+21,0 % de 2016 à 2023"
    [synthesis] = [b for b in diagnostic.synthesis_blocks(world_territory())
                   if b["type"] == "table"]
    assert synthesis["rows"][0][2:] == ["2023", "121 *", "121,00 ‰ *", "+0,0 % de 2016 à 2019"]
    assert "Évolution : +0,0 % de 2016 à 2019." in diagnostic.chart(item)


@pytest.mark.parametrize("unit, label", [
    ("victime", "victimes"), ("Victime entendue", "victimes entendues"),
    ("infraction", "infractions"), ("Mis en cause", "mis en cause"), ("véhicule", "véhicules"),
    ("", "faits"), ("Plaignant", "plaignant")])
def test_counts_are_labelled_by_their_unit(unit, label):
    assert diagnostic.unit_label(unit) == label


def test_indicators_measuring_police_activity_carry_their_caveat_beside_them(world):
    diagnostic.import_ssmsi(as_(world.facilitator), csv_bytes(
        HEADER_2024,
        '"13055";"16";"Usage de stupéfiants";"Mis en cause";"diff";900;1;NA;NA;856700;"2016";1;'
        '"2016"',
        '"13055";"16";"Vols de véhicules";"véhicule";"diff";700;1;NA;NA;856700;"2016";1;'
        '"2016"'), "s.csv")
    drugs, cars = diagnostic.indicators(world_territory())
    assert drugs["unit_label"] == "mis en cause" and "activité des services" in drugs["caveat"]
    assert cars["unit_label"] == "véhicules" and cars["caveat"] is None
    blocks = diagnostic.contract_blocks(world_territory())
    synthesis = blocks[[b["type"] for b in blocks].index("table")]
    assert [row[:2] for row in synthesis["rows"]] == [
        ["Usage de stupéfiants †", "mis en cause"], ["Vols de véhicules", "véhicules"]]
    table = next(i for i, b in enumerate(blocks) if b["type"] == "table"
                 and b["caption"].startswith("Usage de stupéfiants — nombre de mis en cause"))
    assert blocks[table + 1]["text"].startswith("Précaution de lecture : Indicateur "
                                                "d'activité des services")
    assert not any(b["type"] == "paragraph" and b["text"].startswith("Précaution") and
                   "véhicule" in b["text"] for b in blocks)


BASE_DEPARTMENTAL = DATA / "base_departementale_2024.csv"


def test_the_departmental_base_is_recognised_and_compares_the_territory(world):
    where = as_(world.facilitator)
    imported(where, BASE_2024)
    record = imported(where, BASE_DEPARTMENTAL)
    # The Bouches-du-Rhône's rows and France's (sum of every département), 2 × 2 years each
    assert (record.kind, record.rows, record.skipped) == ("departmental", 8, 8)
    assert diagnostic.last_import(where).kind == "communal"  # kept beside it
    item = next(i for i in diagnostic.indicators(world_territory())
                if i["indicator"] == "Coups et blessures volontaires")
    department, france = item["comparisons"]
    assert (department["area"], department["label"]) == ("13", "Bouches-du-Rhône (13)")
    assert department["rates"] == [4.8, None, None, 5.45]
    assert department["evolution"] == pytest.approx(14.3, abs=0.05)
    assert (france["area"], france["label"]) == ("FR", "France")
    # France: (9800 + 7900 + 300) victims per (2041700 + 1855000 + 154000) inhabitants
    assert france["rates"][0] == pytest.approx(18000 / 4050700 * 1000, abs=0.01)
    burglaries = next(i for i in diagnostic.indicators(world_territory())
                      if i["indicator"] == "Cambriolages de logement")
    assert burglaries["rate_base"] == "dwellings"  # France per 1,000 dwellings
    assert burglaries["comparisons"][1]["rates"][0] == pytest.approx(
        21400 / (1092301 + 912000 + 120000) * 1000, abs=0.01)
    synthesis = next(b for b in diagnostic.synthesis_blocks(world_territory())
                     if b["type"] == "table")
    assert synthesis["columns"][4:7] == ["Taux du territoire", "Taux : Bouches-du-Rhône (13)",
                                         "Taux : France"]
    row = next(r for r in synthesis["rows"] if r[0] == "Coups et blessures volontaires")
    assert row[2:] == ["2019", "5\u202f005", "5,02 ‰", "5,45 ‰", "4,91 ‰", "+10,7 % de 2016 à 2019"]
    again = imported(where, BASE_DEPARTMENTAL)
    assert again.rows == 8 and db.session.scalar(sa.select(sa.func.count()).select_from(
        ReferenceFigure)) == 8


def test_an_import_of_the_wrong_kind_names_the_missing_columns(world):
    with pytest.raises(Invalid) as refused, BASE_2024.open("rb") as stream:
        diagnostic.import_ssmsi(as_(world.facilitator), stream, "x.csv", kind="departmental")
    assert "base départementale" in str(refused.value.message)
    assert "Code_departement" in str(refused.value.message)
    with pytest.raises(Invalid) as refused:
        diagnostic.import_ssmsi(as_(world.facilitator), io.BytesIO(b""), "x.csv", kind="x")
    assert refused.value.field == "kind"


@pytest.mark.parametrize("population, dwellings", [("856700,6", "433000,4"),
                                                   ("856700.6", "433000.4")])
def test_census_counts_with_decimals_are_accepted(world, population, dwellings):
    record = diagnostic.import_ssmsi(as_(world.facilitator), csv_bytes(
        HEADER_2024, f'"13055";"16";"Vols";"victime";"diff";12;1;NA;NA;"{population}";"2016";'
        f'"{dwellings}";"2016"'), "d.csv")
    assert record.rows == 1
    figure = db.session.scalar(sa.select(DelinquencyFigure))
    assert (figure.population, figure.dwellings) == (856701, 433000)


def test_the_facilitators_observations_reach_the_contract(world):
    imported(as_(world.facilitator), BASE_2024)
    entry = diagnostic.save_entry(as_(world.actor), EntryInput(staff="120 policiers"))
    diagnostic.add_observation(as_(world.facilitator), ObservationInput(
        body="Les **violences** progressent en soirée."))
    diagnostic.add_observation(as_(world.facilitator), ObservationInput(
        body="Effectifs de nuit insuffisants.", entry=entry.id))
    blocks = diagnostic.contract_blocks(world_territory())
    texts = [b.get("text") or b.get("source") for b in blocks]
    general = texts.index("Observations de l'animation :")
    assert texts[general + 1] == "Les **violences** progressent en soirée."
    on_entry = texts.index("Effectifs de nuit insuffisants.")
    assert texts[on_entry - 1] == "Observation de l'animation :"
    assert blocks[on_entry - 2]["type"] == "fields"


def test_summary_for_members(world):
    imported(as_(world.facilitator), BASE_2025)
    data = diagnostic.summary(as_(world.observer))
    assert data["import"]["rows"] == 7 and data["communes"] == ["13055", "13001"]
    item = next(i for i in data["indicators"] if i["indicator"] == "Vols violents sans arme")
    assert [(c["commune"], c["name"]) for c in item["communes"]] == [
        ("13001", "Aix-en-Provence"), ("13055", "Marseille")]
    assert item["years"] == [2021, 2022, 2023]
    assert item["totals"][0]["partial"] is True


# --- qualitative part -------------------------------------------------------------------

def test_members_of_an_organisation_share_and_edit_its_entry(world):
    from tests.conftest import join
    colleague = join("metropole", "police2@example.org", "Pia Police", "actor", "DDSP 13",
                     "police_nationale")
    diagnostic.save_entry(as_(world.actor), EntryInput(
        **{"staff": "120 agents", "equipment": "12 véhicules"}))
    entry = diagnostic.save_entry(as_(colleague), EntryInput(**{"staff": "125 agents"}))
    assert (entry.organisation, entry.staff, entry.equipment) == ("DDSP 13", "125 agents",
                                                                   "12 véhicules")
    assert entry.updated_by_id == colleague.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QualitativeEntry)) == 1
    # another organisation writes its own entry, never this one
    other = diagnostic.save_entry(as_(world.actors[1]), EntryInput(**{"staff": "8 gardiens"}))
    assert other.id != entry.id and other.organisation == "Habitat 13"
    db.session.rollback()
    assert db.session.get(QualitativeEntry, entry.id).staff == "125 agents"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "diagnostic.entry")) == 3


def test_observers_cannot_write_entries_and_fields_are_checked(world):
    with pytest.raises(Forbidden):
        diagnostic.save_entry(as_(world.observer), EntryInput(**{"staff": "2 magistrats"}))
    with pytest.raises(Invalid):
        diagnostic.save_entry(as_(world.actor), EntryInput(**{"salary": "secret"}))
    with pytest.raises(Invalid):
        diagnostic.save_entry(as_(world.actor), EntryInput(**{"staff": "x" * 5001}))


def test_observations_are_facilitators_only_and_sanitised(world):
    entry = diagnostic.save_entry(as_(world.actor), EntryInput(**{"staff": "120 agents"}))
    with pytest.raises(Forbidden):
        diagnostic.add_observation(as_(world.actor), ObservationInput(body="Je m'observe"))
    note = diagnostic.add_observation(as_(world.facilitator), ObservationInput(
        body="**Effectifs** tendus <script>alert(1)</script>", entry=str(entry.id)))
    assert note.entry_id == entry.id
    assert "<strong>Effectifs</strong>" in note.html and "<script>" not in note.html
    with pytest.raises(NotFound):
        diagnostic.add_observation(as_(world.facilitator), ObservationInput(
            body="x", entry=999_999))


def test_needs_raised_are_grouped_by_channel_and_hide_restricted_channels(world):
    fac = as_(world.facilitator)
    public = channels.list_channels(fac)[0]
    state_only = channels.create_channel(fac, ChannelInput(
        name="Services de l'État", description="", restricted_to=["police_nationale",
                                                                          "prefecture"]))
    posts.create_post(as_(world.actor), PostInput(
        channel=public.id, kind="need", body="Plus d'éclairage"))
    posts.create_post(as_(world.actor), PostInput(
        channel=state_only.id, kind="need", body="Renfort BAC confidentiel"))
    posts.create_post(as_(world.actor), PostInput(
        channel=public.id, kind="message", body="Bonjour"))
    seen_by_landlord = diagnostic.needs_by_channel(as_(world.actors[1]))
    assert [g["channel"]["name"] for g in seen_by_landlord] == [public.name]
    assert [n["body"] for n in seen_by_landlord[0]["needs"]] == ["Plus d'éclairage"]
    assert seen_by_landlord[0]["needs"][0]["status"] == "open"
    seen_by_police = diagnostic.needs_by_channel(as_(world.actor))
    assert {g["channel"]["name"] for g in seen_by_police} == {public.name, state_only.name}
    assert "confidentiel" not in str(diagnostic.summary(as_(world.observer)))
    assert "confidentiel" not in str(diagnostic.contract_blocks(world_territory()))


def test_needs_raised_are_counted_and_only_the_latest_listed(world, monkeypatch):
    monkeypatch.setattr(diagnostic, "NEEDS_SHOWN", 2)
    monkeypatch.setattr(diagnostic, "NEEDS_COUNTED", 3)
    fac = as_(world.facilitator)
    first, second = channels.list_channels(fac)[:2]
    made = [posts.create_post(as_(world.actor), PostInput(
        channel=first.id, kind="need", body=f"Besoin {n}"))[0] for n in range(3)]
    posts.create_post(as_(world.actor), PostInput(channel=second.id, kind="need",
                                                  body="Un seul besoin ici"))
    posts.create_post(as_(world.actor), PostInput(channel=first.id, kind="proposal",
                                                  body="Pas un besoin"))
    posts.delete_post(as_(world.actor), made[1].id)
    [one, two] = diagnostic.needs_by_channel(fac)
    assert (one["channel"]["id"], one["count"], one["count_capped"]) == (first.id, 2, False)
    assert [n["id"] for n in one["needs"]] == [made[2].id, made[0].id]
    assert (two["count"], [n["body"] for n in two["needs"]]) == (1, ["Un seul besoin ici"])
    for n in range(3, 6):
        posts.create_post(as_(world.actor), PostInput(
            channel=first.id, kind="need", body=f"Besoin {n}"))
    [one, _two] = diagnostic.needs_by_channel(fac)
    assert (one["count"], one["count_capped"], len(one["needs"])) == (3, True, 2)
    assert [n["body"] for n in one["needs"]] == ["Besoin 5", "Besoin 4"]
