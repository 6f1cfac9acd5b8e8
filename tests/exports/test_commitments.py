"""The commitment list exports, through the real routes (Bearer or session) and the CLI, read
back as a user's tool would: csv with the BOM, openpyxl, odfdo, json."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import openpyxl
import pytest
from flask_babel import force_locale
from odfdo import Document as OdfDocument

from concert.db import db
from concert.schemas.workspace import ChannelInput, PostInput
from concert.documents.model import walk
from concert.services import channels, commitment_list, commitments, contract, facilitation, posts
from concert.schemas.facilitation import CommitmentInput, PromotionInput
from tests.conftest import SLUG, as_



def channel_named(person, name, slug=SLUG):
    return next(c.id for c in channels.list_channels(as_(person, slug)) if c.name == name)


@pytest.fixture
def listed(world):
    """Two commitments in metropole (one fed by a need of a State-only channel), one in autre."""
    with force_locale("fr"):
        state_only = channels.create_channel(as_(world.facilitator), ChannelInput(
            name="Renseignement", description="Réservé à l'État", restricted_to=["prefecture", "police_nationale"])).id
        db.session.commit()
        open_need, _c = posts.create_post(as_(world.actors[1]), PostInput(channel=channel_named(
            world.actors[1], "Transports"), kind="need", body="Éclairer la gare routière"))
        secret_need, _c = posts.create_post(as_(world.actors[0]), PostInput(
            channel=state_only, kind="need", body="Surveiller le point de deal caché"))
        first = facilitation.promote(as_(world.facilitator), PromotionInput(**{
            "title": "=HYPERLINK(\"http://evil\") Patrouilles renforcées à la gare",
            "description": "Présence coordonnée;\nsoirées et week-ends « sensibles ».",
            "party": "etat", "pilot": "DDSP 13",
            "partners": ["Police municipale", "SNCF Sûreté"],
            "actions": ["Planning commun", "Point hebdomadaire"],
            "means": {"staff": "6 agents", "budget": "12 000 €", "equipment": "2 véhicules"},
            "start_date": "2027-01-15", "due_date": "2027-12-31",
            "indicators": [{"name": "Vols avec violence", "unit": "faits", "baseline": 120,
                            "target": 90}],
            "source_posts": [open_need.id, secret_need.id]}))
        commitments.update(as_(world.facilitator), first.id, CommitmentInput(**{"status": "validated"}))
        second = facilitation.promote(as_(world.facilitator), PromotionInput(**{
            "title": "Médiation dans les résidences", "party": "collectivite",
            "pilot": "Ville de Marseille", "source_posts": []}))
        other_need, _c = posts.create_post(as_(world.outsider, "autre"), PostInput(
            channel=channel_named(
            world.outsider, "Transports", "autre"), kind="need", body="Besoin ailleurs"))
        facilitation.promote(as_(world.outsider, "autre"), PromotionInput(**{
            "title": "Secret du Rhône", "party": "etat", "source_posts": [other_need.id]}))
        db.session.commit()
        return {"first": first.id, "second": second.id, "open_need": open_need.id,
                "secret_need": secret_need.id}


def get(client, person, path, **kwargs):
    return client.get(f"/t/{SLUG}/export/{path}", headers=person.bearer(), **kwargs)


def test_csv_opens_in_french_spreadsheets(client, world, listed):
    response = get(client, world.actors[0], "commitments.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="engagements-metropole-{today}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in response.data
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    header, first, second = rows
    assert header[:4] == ["N°", "Titre", "Description", "Partie"]
    assert {"Équipements", "Échéance", "Sources (nombre)", "Sources (liens)",
            "Dernière révision", "Créé le"} <= set(header)
    row = dict(zip(header, first))
    assert row["Titre"].startswith("'=HYPERLINK")  # never run as a formula
    assert row["Description"] == "Présence coordonnée;\nsoirées et week-ends « sensibles »."
    assert row["Partie"] == "État" and row["Statut"] == "Validé"
    assert row["Partenaires"] == "Police municipale\nSNCF Sûreté"
    assert row["Début"] == "15/01/2027" and row["Échéance"] == "31/12/2027"
    assert row["Budget"] == "12 000 €" and row["Domaine"] == "Transports"
    assert row["Indicateurs"] == "Vols avec violence (faits) : référence 120, cible 90"
    # the police (allowed in the State-only channel) sees both sources, with links
    assert row["Sources (nombre)"] == "2"
    links = row["Sources (liens)"].split("\n")
    assert links[0].startswith("http://localhost/t/metropole/?channel=")
    assert links[0].endswith(f"post={listed['open_need']}#post-{listed['open_need']}")
    assert len(row["Dernière révision"]) == 16 and row["Dernière révision"][2] == "/"
    assert dict(zip(header, second))["Partie"] == "Collectivités"
    assert "Secret du Rhône" not in response.data.decode("utf-8-sig")


def test_restricted_sources_are_neither_counted_nor_linked_for_others(client, world, listed):
    data = get(client, world.actors[1], "commitments.json").get_json()
    first = data["items"][0]
    assert first["source_posts"] == [listed["open_need"]]
    assert len(first["sources"]) == 1
    assert f"post={listed['secret_need']}" not in json.dumps(data)
    text = get(client, world.actors[1], "commitments.csv").data.decode("utf-8-sig")
    assert f"post={listed['secret_need']}" not in text
    police = get(client, world.actors[0], "commitments.json").get_json()
    assert police["items"][0]["source_posts"] == [listed["open_need"], listed["secret_need"]]


def test_json_has_the_documented_shape(client, world, listed):
    data = get(client, world.observer, "commitments.json").get_json()
    assert data["territory"]["slug"] == SLUG and data["filters"] == {}
    assert datetime.fromisoformat(data["generated_at"])
    item = data["items"][0]
    for key in ("id", "number", "title", "description", "party", "pilot", "partners", "channel",
                "actions", "means", "start_date", "due_date", "indicators", "status",
                "source_posts", "created_at", "updated_at", "sources", "last_revision_at"):
        assert key in item
    assert item["start_date"] == "2027-01-15" and item["means"]["staff"] == "6 agents"
    assert item["indicators"][0] == {"name": "Vols avec violence", "unit": "faits",
                                     "baseline": 120.0, "target": 90.0, "latest": None,
                                     "latest_date": None}
    assert [i["title"] for i in data["items"]][1] == "Médiation dans les résidences"
    assert item["last_revision_at"] is not None and data["items"][1]["last_revision_at"] is None


def test_filters_and_bad_filters(client, world, listed):
    data = get(client, world.actor, "commitments.json",
               query_string={"party": "collectivite"}).get_json()
    assert [i["title"] for i in data["items"]] == ["Médiation dans les résidences"]
    assert data["filters"] == {"party": "collectivite"}
    data = get(client, world.actor, "commitments.json",
               query_string={"status": "validated", "pilot": "DDSP 13"}).get_json()
    assert [i["number"] for i in data["items"]] == [1]
    assert get(client, world.actor, "commitments.csv",
               query_string={"status": "signé"}).status_code == 400
    assert get(client, world.actor, "commitments.xlsx",
               query_string={"channel": "transports"}).status_code == 400


def test_xlsx_sheets_header_and_real_dates(client, world, listed):
    response = get(client, world.actors[0], "commitments.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Tous", "État", "Collectivités", "Partenaires", "Indicateurs"]
    sheet = workbook["Tous"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["N°", "Titre", "Description"] and sheet["A1"].font.bold
    assert sheet.column_dimensions["B"].width >= 30
    row = dict(zip(header, [c.value for c in sheet[2]]))
    assert row["Titre"].startswith("=HYPERLINK") and sheet["B2"].data_type == "s"
    assert row["Début"] == datetime(2027, 1, 15) and row["Échéance"] == datetime(2027, 12, 31)
    assert isinstance(row["Créé le"], datetime)
    assert row["Description"] == "Présence coordonnée;\nsoirées et week-ends « sensibles »."
    assert row["Sources (nombre)"] == 2
    assert [r[1].value for r in workbook["Collectivités"].iter_rows(min_row=2)] == [
        "Médiation dans les résidences"]
    assert workbook["Partenaires"].max_row == 1
    indicators = [[c.value for c in r] for r in workbook["Indicateurs"].iter_rows()]
    assert indicators[0][3] == "Indicateur"
    assert indicators[1][3:7] == ["Vols avec violence", "faits", 120, 90]


def test_ods_sheets_and_cells(client, world, listed):
    response = get(client, world.actors[0], "commitments.ods")
    assert response.status_code == 200
    document = OdfDocument(io.BytesIO(response.data))
    tables = document.body.tables
    assert [t.name for t in tables] == ["Tous", "État", "Collectivités", "Partenaires",
                                        "Indicateurs"]
    values = tables[0].get_values()
    header = values[0]
    assert header[:3] == ["N°", "Titre", "Description"]
    row = dict(zip(header, values[1]))
    assert row["Titre"].startswith("=HYPERLINK")
    assert row["Début"] == date(2027, 1, 15)  # a date cell, not text
    assert row["Statut"] == "Validé" and row["Partie"] == "État"
    assert tables[2].get_values()[1][1] == "Médiation dans les résidences"
    assert tables[4].get_values()[1][3] == "Vols avec violence"
    settings = document.get_part("settings.xml").serialize()
    assert b"VerticalSplitMode" in settings  # the first row stays frozen


def test_markdown_list(client, world, listed):
    text = get(client, world.actors[0], "commitments.md").data.decode("utf-8")
    assert text.startswith("# Engagements\n")
    filtered = get(client, world.actors[0], "commitments.md",
                   query_string={"status": "validated"}).data.decode("utf-8")
    assert "- Filtre : Statut : Validé" in filtered and "Médiation" not in filtered
    # A commitment reads as in the contract (issue 13): "Engagement n° N — Titre", then
    # its fields as the act states them.
    assert "### 2.1 Engagement n° 2 — Médiation dans les résidences" in text
    assert "- **Calendrier** : du 15 janvier 2027 au 31 décembre 2027" in text
    assert "- **Pilote** : Ville de Marseille" in text
    assert "- **Partenaires** : Police municipale, SNCF Sûreté" in text
    assert "Secret du Rhône" not in text


def test_a_commitment_reads_the_same_in_the_contract_and_in_the_list(world, listed):
    """One section builder (services/commitment_section.py) for both documents: the same
    commitment has the same description, actions and indicators in each; the act states
    neither its status nor its channel (it prints its axis instead, and numbers it in its
    own order), and the list adds the links to its sources."""
    with force_locale("fr"):
        in_contract = {s["key"]: s for s in walk(contract.assemble(as_(world.actors[0]))[
            "sections"])}
        in_list = {s["key"]: s for s in walk(commitment_list.as_document(
            commitment_list.assemble(as_(world.actors[0]), {}))["sections"])}
    first, second = (f"commitment-{listed[name]}" for name in ("first", "second"))
    unfielded = lambda section: [b for b in section["blocks"] if b["type"] != "fields"]
    # The second is a draft: the working draft lists it apart, as a project.
    assert in_list[second]["title"] == "Engagement n° 2 — Médiation dans les résidences"
    assert in_contract[second]["title"] == (
        "Projet — Médiation dans les résidences (brouillon n° 2)")
    assert unfielded(in_list[second]) == unfielded(in_contract[second])
    list_fields = dict(next(b for b in in_list[second]["blocks"] if b["type"] == "fields")[
        "items"])
    act_fields = dict(next(b for b in in_contract[second]["blocks"] if b["type"] == "fields")[
        "items"])
    assert "Statut" in list_fields and "Statut" not in act_fields
    assert {k: v for k, v in list_fields.items() if k not in ("Statut", "Domaine")} == {
        k: v for k, v in act_fields.items() if k != "Axe"}
    # With sources, the act's section (but for its fields), then "Sources :" and the links
    # this reader sees.
    shared = unfielded(in_contract[first])
    assert in_list[first]["title"] == in_contract[first]["title"]
    assert unfielded(in_list[first])[:len(shared)] == shared
    paragraph, links = unfielded(in_list[first])[len(shared):]
    assert paragraph == {"type": "paragraph", "text": "Sources :"}
    assert [link.rpartition("#")[2] for link in links["items"]] == [
        f"post-{listed['open_need']}", f"post-{listed['secret_need']}"]


def test_who_may_export(client, world, listed, login):
    assert get(client, world.outsider, "commitments.csv").status_code == 404
    assert client.get("/t/nowhere/export/commitments.csv",
                      headers=world.actor.bearer()).status_code == 404
    assert get(client, world.actor, "commitments.xls").status_code == 404
    assert get(client, world.actor, "commitments.pdf").status_code == 404
    anonymous = client.get(f"/t/{SLUG}/export/commitments.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    # the other territory's export holds only its own commitment
    other = client.get("/t/autre/export/commitments.json", headers=world.outsider.bearer())
    assert [i["title"] for i in other.get_json()["items"]] == ["Secret du Rhône"]


def test_session_cookie_works(client, world, listed, csrf_from):
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                "email": world.observer.email, "password": world.observer.password})
    response = client.get(f"/t/{SLUG}/export/commitments.csv")
    assert response.status_code == 200 and "Patrouilles" in response.data.decode("utf-8-sig")
    page = client.get(f"/t/{SLUG}/commitments")
    assert f'href="/t/{SLUG}/export/commitments.xlsx' in page.get_data(as_text=True)
    page = client.get(f"/t/{SLUG}/commitments?party=etat&status=")
    assert f'href="/t/{SLUG}/export/commitments.csv?party=etat"' in page.get_data(as_text=True)


def test_cli_export(runner, world, listed, tmp_path):
    out = tmp_path / "liste.csv"
    result = runner("export", SLUG, "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert len(rows) == 3 and rows[1][3] == "État"
    row = dict(zip(rows[0], rows[1]))
    assert row["Sources (nombre)"] == "1"  # the command line sees what every member sees
    assert row["Sources (liens)"].startswith("/t/metropole/?channel=")
    result = runner("export", SLUG, "xlsx", "--out", str(tmp_path / "l.xlsx"), "--party", "etat")
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(tmp_path / "l.xlsx")["Tous"].max_row == 2
    assert runner("export", SLUG, "pdf", "--out", str(tmp_path / "x")).returncode != 0
    assert runner("export", "nowhere", "csv", "--out", str(tmp_path / "x")).returncode != 0


def test_the_json_export_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/t/{slug}/export/commitments.{format}"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/CommitmentExport"}
    exported = document["components"]["schemas"]["CommitmentExport"]
    assert {"territory", "generated_at", "filters", "items"} <= set(exported["properties"])
    assert "last_revision_at" in exported["properties"]["items"]["items"]["properties"]
    assert "/t/{slug}/export/contract.{format}" in document["paths"]
