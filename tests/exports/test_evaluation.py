"""An avenant and the yearly evaluation report as files, through the real routes, in every
format, read back with the tools a user would use (python-docx, odfdo, pypdf, Markdown)."""
from __future__ import annotations

import io
from datetime import date

import docx
import pypdf
import pytest
from flask_babel import force_locale
from odfdo import Document as OdfDocument

from concert.db import db
from concert.schemas.evaluation import AmendmentInput, GovernanceInput, SynthesisInput
from concert.schemas.facilitation import CommitmentInput, MeasurementInput, PromotionInput
from concert.schemas.territories import PhaseInput
from concert.schemas.workspace import ChannelInput
from concert.services import (
    amendments, channels, commitments, evaluation, facilitation, governance, territories,
)
from tests.conftest import SLUG, as_

YEAR = date.today().year


@pytest.fixture
def signed(world):
    """A signed contract, an avenant, measurements, an abandon, governance, a synthesis."""
    with force_locale("fr"):
        fac = as_(world.facilitator)
        restricted = channels.create_channel(fac, ChannelInput(
            name="Renseignement opérationnel", description="", restricted_to=["prefecture"])).id
        db.session.commit()
        patrols = facilitation.promote(fac, PromotionInput(
            title="Patrouilles mixtes de soirée", party="etat", pilot="DDSP 13",
            channel=restricted, indicators=[{"name": "Soirées de patrouille",
                                             "unit": "par mois", "baseline": 2, "target": 10}]))
        cameras = facilitation.promote(fac, PromotionInput(
            title="Vidéoprotection des gares", party="collectivite"))
        for item in (patrols, cameras):
            commitments.update(fac, item.id, CommitmentInput(status="validated"))
        territories.set_phase(fac, PhaseInput(phase="signed"))
        commitments.update(fac, patrols.id, CommitmentInput(pilot="DDPN 13"))
        commitments.update(fac, cameras.id, CommitmentInput(
            status="abandoned", abandon_reason="Crédits d'investissement non votés"))
        amendments.freeze(fac, AmendmentInput(note="COPIL"))
        commitments.add_measurement(fac, patrols.id, patrols.indicators[0].id,
                                    MeasurementInput(date=f"{YEAR}-01-15", value=6))
        governance.save(fac, "copil", GovernanceInput(
            chair="Le préfet et le maire", frequency="deux fois par an",
            composition=[{"organisation": "Parquet de Marseille",
                          "quality": "procureur de la République"}]))
        evaluation.set_synthesis(fac, YEAR, SynthesisInput(body="Année de mise en place."),
                                 date.today())


def get(client, person, path, **query):
    return client.get(f"/t/{SLUG}/export/{path}", headers=person.bearer(), query_string=query)


def pdf_text(data: bytes) -> str:
    """Typst sets typographic apostrophes."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text() for page in pages).replace("’", "'")


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def odt_text(data: bytes) -> str:
    return OdfDocument(io.BytesIO(data)).get_formatted_text()


READERS = {"md": lambda data: data.decode("utf-8"), "pdf": pdf_text, "docx": docx_text,
           "odt": odt_text}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_the_avenant_in_every_format(client, world, signed, fmt):
    response = get(client, world.observer, f"amendment.{fmt}", number=1)
    assert response.status_code == 200, response.data[:300]
    assert f'filename="avenant-1-{SLUG}-' in response.headers["Content-Disposition"]
    text = " ".join(READERS[fmt](response.data).split())
    assert "Avenant n° 1 au contrat de sécurité intégrée" in text
    assert "est remplacée par : « DDPN 13 »" in text
    assert "« Vidéoprotection des gares », est supprimé." in text
    assert "Les autres stipulations du contrat demeurent inchangées." in text
    assert "Renseignement opérationnel" not in text


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_the_yearly_evaluation_in_every_format(client, world, signed, fmt):
    response = get(client, world.actor, f"evaluation.{fmt}", year=YEAR)
    assert response.status_code == 200, response.data[:300]
    assert f'filename="bilan-{YEAR}-{SLUG}-' in response.headers["Content-Disposition"]
    text = " ".join(READERS[fmt](response.data).split())
    assert f"Bilan annuel {YEAR} du contrat de sécurité intégrée" in text
    assert "Année de mise en place." in text
    assert "Patrouilles mixtes de soirée" in text
    assert "Soirées de patrouille" in text and "50 %" in text
    assert "Crédits d'investissement non votés" in text
    assert "Comité de pilotage (COPIL)" in text and "procureur de la République" in text
    assert "Renseignement opérationnel" not in text  # a restricted domain is never named


def test_the_chart_is_in_the_word_processors_files(client, world, signed):
    document = docx.Document(io.BytesIO(get(client, world.actor, "evaluation.docx",
                                            year=YEAR).data))
    assert document.inline_shapes, "the indicator's chart is an image"


def test_bad_years_numbers_and_readers(client, world, signed):
    assert get(client, world.actor, "evaluation.pdf").status_code == 400
    assert get(client, world.actor, "evaluation.pdf", year="l'an dernier").status_code == 400
    missing = get(client, world.actor, "evaluation.md", year=1999)
    assert missing.status_code == 404 and b"1999" in missing.data
    assert get(client, world.actor, "amendment.md").status_code == 400
    assert get(client, world.actor, "amendment.md", number="un").status_code == 400
    assert get(client, world.actor, "amendment.md", number=2).status_code == 404
    assert get(client, world.actor, "evaluation.html", year=YEAR).status_code == 404
    assert get(client, world.outsider, "evaluation.md", year=YEAR).status_code == 404
    assert get(client, world.outsider, "amendment.md", number=1).status_code == 404
    assert client.get(f"/t/{SLUG}/export/evaluation.md?year={YEAR}").status_code == 302
