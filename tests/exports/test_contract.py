"""The contract as files, through the real routes and the CLI: the current draft or a
frozen version, in every format, read back with the tools a user would use."""
from __future__ import annotations

import io
import re
from datetime import date

import docx
import pypdf
import pytest
from flask_babel import force_locale
from odfdo import Document as OdfDocument

from concert.db import db
from concert.schemas.contract import VersionInput
from concert.schemas.workspace import ChannelInput
from concert.services import channels, commitments, contract, diagnostic, facilitation
from concert.schemas.diagnostic import ObservationInput
from concert.schemas.facilitation import CommitmentInput, PromotionInput
from tests.conftest import SLUG, SSMSI, as_

TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


@pytest.fixture
def drafted(world):
    with force_locale("fr"):
        restricted = channels.create_channel(as_(world.facilitator), ChannelInput(
            name="Renseignement opérationnel", description="", restricted_to=["prefecture"])).id
        db.session.commit()
        first = facilitation.promote(as_(world.facilitator), PromotionInput(**{
            "title": "Vidéoprotection des abords de la gare Saint-Charles", "party": "etat",
            "pilot": "DDSP 13", "channel": restricted, "source_posts": [],
            "indicators": [{"name": "Caméras raccordées", "unit": "caméras", "baseline": 0,
                            "target": 24}]}))
        second = facilitation.promote(as_(world.facilitator), PromotionInput(**{
            "title": "Médiateurs de nuit", "party": "collectivite", "source_posts": []}))
        for commitment in (first, second):  # the contract states validated commitments
            commitments.update(as_(world.facilitator), commitment.id,
                               CommitmentInput(status="validated"))
        contract.freeze(as_(world.facilitator), VersionInput(note="Première lecture"))
        commitments.update(as_(world.facilitator), first.id,
                           CommitmentInput(**{"title": "Vidéoprotection élargie au pôle d'échanges"}))
        facilitation.promote(as_(world.outsider, "autre"), PromotionInput(**{
            "title": "Engagement lyonnais", "party": "etat", "source_posts": []}))
        db.session.commit()


def get(client, person, path, **kwargs):
    return client.get(f"/t/{SLUG}/export/{path}", headers=person.bearer(), **kwargs)


@pytest.mark.parametrize("fmt", sorted(TYPES))
def test_every_format_downloads(client, world, drafted, fmt):
    response = get(client, world.observer, f"contract.{fmt}")
    assert response.status_code == 200
    assert response.content_type == TYPES[fmt]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="contrat-metropole-{date.today().isoformat()}.{fmt}"')
    assert response.headers["Cache-Control"] == "no-store"
    assert b"lyonnais" not in response.data


def test_the_formats_tell_the_same_contract(client, world, drafted):
    markdown = get(client, world.actor, "contract.md").data.decode("utf-8")
    assert "Vidéoprotection élargie au pôle d'échanges" in markdown
    assert "Renseignement opérationnel" not in markdown  # a restricted domain is never named
    headings = [line.split(" ", 1)[1] for line in markdown.splitlines()
                if line.startswith("## ") and line != "## Sommaire"]

    document = docx.Document(io.BytesIO(get(client, world.actor, "contract.docx").data))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == headings
    assert any("Vidéoprotection élargie" in p.text for p in document.paragraphs
               if p.style.name == "Heading 2")
    assert any(t.rows[0].cells[0].text == "Indicateur" for t in document.tables)

    odt = OdfDocument(io.BytesIO(get(client, world.actor, "contract.odt").data))
    assert [str(h).strip() for h in odt.body.headers if int(h.level) == 1] == headings

    pdf = pypdf.PdfReader(io.BytesIO(get(client, world.actor, "contract.pdf").data))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Contrat de sécurité intégrée" in text and "Médiateurs de nuit" in text
    assert f"Page 3 / {len(pdf.pages)}" in text

    html = get(client, world.actor, "contract.html").data.decode("utf-8")
    assert '<html lang="fr">' in html and "Vidéoprotection élargie" in html


def test_an_english_reader_gets_the_contract_all_in_french(client, world, drafted):
    def english(fmt):
        return client.get(f"/t/{SLUG}/export/contract.{fmt}", headers={
            **world.actor.bearer(), "Accept-Language": "en"}).data

    document = docx.Document(io.BytesIO(english("docx")))
    assert document.core_properties.language == "fr-FR"
    assert "Sommaire" in [p.text for p in document.paragraphs]
    pdf = pypdf.PdfReader(io.BytesIO(english("pdf")))
    assert "Sommaire" in "\n".join(page.extract_text() for page in pdf.pages[:3])
    assert '<html lang="fr">' in english("html").decode("utf-8")
    odt = OdfDocument(io.BytesIO(english("odt")))
    assert odt.meta.language == "fr-FR"


def test_a_frozen_version(client, world, drafted):
    old = get(client, world.actor, "contract.md", query_string={"version": "1"})
    assert old.status_code == 200
    assert "contrat-v1-metropole-" in old.headers["Content-Disposition"]
    text = old.data.decode("utf-8")
    assert "Vidéoprotection des abords de la gare Saint-Charles" in text
    assert "élargie" not in text
    assert get(client, world.actor, "contract.pdf",
               query_string={"version": "7"}).status_code == 404
    assert get(client, world.actor, "contract.docx",
               query_string={"version": "v1"}).status_code == 400


def test_who_may_download_the_contract(client, world, drafted):
    assert get(client, world.outsider, "contract.pdf").status_code == 404
    assert get(client, world.actor, "contract.rtf").status_code == 404
    assert get(client, world.actor, "contract.csv").status_code == 404
    assert client.get(f"/t/{SLUG}/export/contract.md").status_code == 302


def test_cli_contract(runner, world, drafted, tmp_path):
    out = tmp_path / "contrat.docx"
    result = runner("contract", SLUG, "docx", "--out", str(out))
    assert result.returncode == 0, result.stderr
    headings = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Heading 2"]
    assert any("Vidéoprotection élargie" in h for h in headings)
    result = runner("contract", SLUG, "md", "--out", "-", "--version", "1")
    assert result.returncode == 0 and "gare Saint-Charles" in result.stdout
    assert runner("contract", SLUG, "md", "--out", "-", "--version", "4").returncode != 0
    assert runner("contract", SLUG, "xlsx", "--out", "-").returncode != 0


def test_the_pdf_from_the_real_server_while_it_keeps_serving(server, world, drafted):
    """`concert run` lays the PDF out in a child process: meanwhile the same process still
    answers, and the file that comes back is the contract."""
    import threading

    import requests

    url = f"{server.url}/t/{SLUG}/export/contract.pdf"
    answers = {}
    fetch = threading.Thread(target=lambda: answers.setdefault(
        "pdf", requests.get(url, headers=world.actor.bearer(), timeout=300)))
    fetch.start()
    assert requests.get(f"{server.url}/healthz", timeout=60).json() == {"status": "ok"}
    fetch.join()
    response = answers["pdf"]
    assert response.status_code == 200 and response.headers["Content-Type"] == TYPES["pdf"]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(
        io.BytesIO(response.content)).pages)
    assert "Médiateurs de nuit" in text and "Engagement lyonnais" not in text


# --- a frozen version's files, rendered once -------------------------------------------------

@pytest.fixture
def stored(app, tmp_path, monkeypatch):
    """The folder where this test's frozen-version files go (a fresh instance folder), and
    a count of the renderer's calls, which still do the real work."""
    from concert.exports import cache

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    calls = []

    def counted(document, fmt):
        calls.append(fmt)
        return real(document, fmt)

    real = cache.render_document
    monkeypatch.setattr(cache, "render_document", counted)
    return type("Stored", (), {"folder": tmp_path / "documents" / "contract", "calls": calls})


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def v(number):
    return {"query_string": {"version": str(number)}}


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_version_is_rendered_once_then_served_from_its_file(client, world, drafted, stored,
                                                                  fmt):
    first = get(client, world.actor, f"contract.{fmt}", **v(1))
    assert first.status_code == 200 and stored.calls == [fmt]
    [name] = files(stored.folder)
    territory = as_(world.actor).territory.id
    assert re.fullmatch(rf"{territory}/v1-[0-9a-f]{{20}}\.{fmt}", name)
    assert (stored.folder / name).read_bytes() == first.data

    again = get(client, world.observer, f"contract.{fmt}", **v(1))
    assert again.status_code == 200 and stored.calls == [fmt]  # not rendered again
    assert again.data == first.data
    assert again.content_type == TYPES[fmt]
    assert again.headers["Content-Disposition"] == (
        f'attachment; filename="contrat-v1-metropole-{date.today().isoformat()}.{fmt}"')
    assert again.headers["Cache-Control"] == "no-store"
    assert again.headers["Content-Length"] == str(len(first.data))
    if fmt == "pdf":
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(
            io.BytesIO(again.data)).pages)
    else:
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(again.data)).paragraphs)
    assert "gare Saint-Charles" in text and "élargie" not in text and "Version 1" in text


def test_the_draft_is_never_stored(client, world, drafted, stored):
    for fmt in ("pdf", "docx", "md"):
        assert get(client, world.actor, f"contract.{fmt}").status_code == 200
    assert stored.calls == [] and files(stored.folder) == []


def test_a_failed_rendering_stores_nothing(client, world, drafted, stored, monkeypatch):
    from concert.exports import cache
    from concert.exports.pdf import PdfError

    def fails(document, fmt):
        raise PdfError("out of memory")

    monkeypatch.setattr(cache, "render_document", fails)
    assert get(client, world.actor, "contract.pdf", **v(1)).status_code == 500
    assert files(stored.folder) == []


def test_a_stored_version_is_still_refused_to_whoever_may_not_read_it(client, world, drafted,
                                                                       stored):
    assert get(client, world.actor, "contract.pdf", **v(1)).status_code == 200
    assert get(client, world.outsider, "contract.pdf", **v(1)).status_code == 404
    assert client.get(f"/t/{SLUG}/export/contract.pdf", **v(1)).status_code == 302
    assert get(client, world.actor, "contract.pdf", **v(2)).status_code == 404
    assert len(files(stored.folder)) == 1


def test_each_version_has_its_own_file_the_same_for_every_reader(client, world, drafted,
                                                                  stored):
    contract.freeze(as_(world.facilitator), VersionInput(note="Deuxième lecture"))
    old = get(client, world.actor, "contract.md", **v(1)).data.decode("utf-8")
    new = get(client, world.actor, "contract.md", **v(2)).data.decode("utf-8")
    assert "élargie" not in old and "Vidéoprotection élargie" in new
    # The document is French for everyone, the renderer's own words included.
    english = client.get(f"/t/{SLUG}/export/contract.md", headers={
        **world.actor.bearer(), "Accept-Language": "en"}, **v(1)).data.decode("utf-8")
    assert "## Sommaire" in old and english == old
    territory = as_(world.actor).territory.id
    assert [name.split("-")[0] for name in files(stored.folder)] == [
        f"{territory}/v1", f"{territory}/v2"]
    assert get(client, world.actor, "contract.md", **v(2)).data.decode("utf-8") == new
    assert stored.calls == ["md", "md"]


def test_cli_contract_version_shares_the_stored_file(runner, client, world, drafted, tmp_path,
                                                     monkeypatch):
    from concert.exports import cache

    out = tmp_path / "v1.docx"
    result = runner("contract", SLUG, "docx", "--out", str(out), "--version", "1")
    assert result.returncode == 0, result.stderr
    monkeypatch.setattr(cache, "render_document", lambda *_: pytest.fail("rendered again"))
    served = get(client, world.actor, "contract.docx", **v(1))
    assert served.status_code == 200 and served.data == out.read_bytes()


def test_the_diagnostic_tables_name_the_communes(client, world):
    sample = SSMSI / "base_communale_2024.csv"
    with sample.open("rb") as stream:
        diagnostic.import_ssmsi(as_(world.facilitator), stream, sample.name)
    markdown = get(client, world.actor, "contract.md").data.decode("utf-8")
    assert "| Marseille (13055) |" in markdown
    document = docx.Document(io.BytesIO(get(client, world.actor, "contract.docx").data))
    assert "Aix-en-Provence (13001)" in {row.cells[0].text for table in document.tables
                                         for row in table.rows}


def test_the_diagnostic_in_the_contract_is_honest(client, world):
    """Read back from the DOCX and the PDF: rates per 1,000 beside the counts, named by
    their unit, compared with the département and France, evolutions with their years, the
    caveat of an indicator of police activity, and the facilitators' observations."""
    where = as_(world.facilitator)
    for sample in ("base_communale_2024.csv", "base_departementale_2024.csv"):
        with (SSMSI / sample).open("rb") as stream:
            diagnostic.import_ssmsi(where, stream, sample)
    diagnostic.import_ssmsi(where, io.BytesIO(
        '"CODGEO_2024";"annee";"classe";"unité.de.compte";"valeur.publiée";"faits";'
        '"tauxpourmille";"complementinfoval";"complementinfotaux";"POP";"millPOP";"LOG";'
        '"millLOG"\n"13055";"19";"Usage de stupéfiants";"Mis en cause";"diff";2100;2,45;NA;NA;'
        '"856700,5";"2019";"433000,5";"2019"\n'.encode()), "stup.csv")
    diagnostic.add_observation(where, ObservationInput(
        body="Les violences progressent en soirée autour des gares."))

    document = docx.Document(io.BytesIO(get(client, world.actor, "contract.docx").data))
    cells = [[cell.text for cell in row.cells] for table in document.tables
             for row in table.rows]
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    # this file replaced the communal figures: nothing the departmental base compares
    assert ["Usage de stupéfiants †", "mis en cause", "2019", "2\u202f100", "2,45 ‰",
            ""] in cells
    assert "Usage de stupéfiants : Indicateur d'activité des services" in paragraphs
    assert ("Observations de l'animation :\nLes violences progressent en soirée autour des "
            "gares.") in paragraphs

    with (SSMSI / "base_communale_2024.csv").open("rb") as stream:
        diagnostic.import_ssmsi(where, stream, "base_communale_2024.csv")
    document = docx.Document(io.BytesIO(get(client, world.actor, "contract.docx").data))
    cells = [[cell.text for cell in row.cells] for table in document.tables
             for row in table.rows]
    assert ["Coups et blessures volontaires", "victimes", "2019", "5\u202f005", "5,02 ‰",
            "5,45 ‰", "4,91 ‰", "+10,7 % de 2016 à 2019"] in cells
    header = next(row for row in cells if row[0] == "Indicateur")
    assert header[4:7] == ["Taux du territoire", "Taux : Bouches-du-Rhône (13)", "Taux : France"]
    assert ["— taux pour 1 000 habitants", "2,21 ‰", "2,12 ‰", "", "2,50 ‰", ""] in cells
    assert ["France — taux pour 1 000 logements"] == [row[0] for row in cells
                                                      if row[0].startswith("France — taux pour "
                                                                           "1 000 logements")]
    assert any(row[0] == "Aix-en-Provence (13001)" and row[-1] == "+14,5 % de 2016 à 2019"
               for row in cells)

    pdf = pypdf.PdfReader(io.BytesIO(get(client, world.actor, "contract.pdf").data))
    text = re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in pdf.pages))
    assert "Coups et blessures volontaires — nombre de victimes et taux pour 1 000 habitants" in text
    assert "Cambriolages de logement — nombre d'infractions et taux pour 1 000 logements" in (
        text.replace("’", "'"))
    assert "victimes 2019 5 005 5,02 ‰ 5,45 ‰ 4,91 ‰ +10,7 % de 2016 à 2019" in text
