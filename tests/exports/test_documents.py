"""Document renderers (exports/): each file read back with the library a user's tool would
use — Markdown and HTML as text, pypdf, python-docx, odfdo."""
from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest
from flask_babel import force_locale
from odfdo import Document as OdfDocument

from concert.exports import document as d
from concert.exports import render_document
from concert.services.errors import NotFound

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200" viewBox="0 0 400 200">'
       '<rect x="10" y="50" width="80" height="150" fill="#1f3a93"/>'
       '<rect x="110" y="90" width="80" height="110" fill="#c0392b"/>'
       '<image href="http://127.0.0.1:9/tracker.png" width="1" height="1"/></svg>')
LONG = "Les signataires s'engagent à coopérer étroitement. " * 60


def rich_document() -> dict:
    return d.document(
        "contract", "Contrat de sécurité intégrée", "Métropole d'Aix-Marseille",
        [("Phase", "Rédaction"), ("Version", "v2 — 26/11/2026")],
        [
            d.section("preamble", "1", "Préambule", [
                d.markdown("## Contexte général\n\nUn texte **très important** et *nuancé*, "
                           "voir [la circulaire](https://www.legifrance.gouv.fr/).\n\n"
                           "- première priorité\n- seconde priorité\n\n1. étape un\n2. étape deux"
                           "\n\n<script>alert('x')</script>"),
                d.paragraph(LONG),
            ]),
            d.section("diagnostic", "2", "Diagnostic partagé", [
                d.table("Faits constatés", ["Indicateur", "2023", "2024"],
                        [["Cambriolages de logements", 1234, 1500.5], ["Vols à la tire", None, 12]]),
                d.chart("Évolution des cambriolages", SVG, "Barres : 1 234 faits en 2023, 1 500 en 2024"),
            ]),
            d.section("commitments-etat", "3", "Engagements de l'État", [], [
                d.section("commitment-1", "3.1", "Engagement n° 1 — Vidéoprotection des gares", [
                    d.fields([("Pilote", "DDSP 13"), ("Échéance", "31/12/2027")]),
                    d.bullet_list(["Installer 12 caméras", "Raccorder au CSU"]),
                    d.paragraph(LONG),
                ]),
            ]),
        ], lang="fr")


@pytest.fixture
def french(ctx):
    with force_locale("fr"):
        yield


def test_markdown_keeps_the_structure(french):
    text = render_document(rich_document(), "md").decode("utf-8")
    assert text.startswith("# Contrat de sécurité intégrée\n")
    assert "## Sommaire" in text and "  - 3.1 Engagement n° 1 — Vidéoprotection des gares" in text
    assert "## 1 Préambule" in text and "### 3.1 Engagement n° 1" in text
    assert "| Indicateur | 2023 | 2024 |" in text
    assert "| Cambriolages de logements | 1\u202f234 | 1\u202f500,5 |" in text
    assert "| Vols à la tire |  | 12 |" in text
    assert "- **Pilote** : DDSP 13" in text
    assert "Barres : 1 234 faits en 2023" in text


def test_html_is_a_standalone_accessible_page(french):
    page = render_document(rich_document(), "html").decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "<title>Contrat de sécurité intégrée — Métropole d&#39;Aix-Marseille</title>" in page
    assert "<script" not in page and "&lt;script&gt;" in page  # the Markdown is sanitised
    assert not re.search(r'(src|href)="(?!#|data:|https://www\.legifrance)', page)
    assert re.search(r'<h2 id="[^"]+">.*1</span> Préambule</h2>', page)
    assert '<h3 id="' in page and "Engagement n° 1 — Vidéoprotection des gares</h3>" in page
    assert '<th scope="col">Indicateur</th>' in page and "<caption>Faits constatés</caption>" in page
    assert '<img src="data:image/svg+xml;base64,' in page
    assert 'alt="Barres : 1 234 faits en 2023, 1 500 en 2024"' in page
    assert '<strong>très important</strong>' in page and 'rel="nofollow noopener noreferrer"' in page
    assert page.count('href="#s-') == 4  # the table of contents links every section


def test_pdf_has_title_page_contents_and_page_numbers(french):
    reader = pypdf.PdfReader(io.BytesIO(render_document(rich_document(), "pdf")))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 4
    assert "Contrat de sécurité intégrée" in pages[0] and "Métropole d'Aix-Marseille" in pages[0]
    assert "Sommaire" in pages[1] and "Diagnostic partagé" in pages[1]
    # the table of contents gives each section's page
    assert re.search(r"Préambule \.+ ?3", pages[1])
    assert f"Page 2 / {len(pages)}" in pages[1]
    everything = "\n".join(pages)
    assert "Cambriolages de logements" in everything and "Vidéoprotection des gares" in everything
    assert "très important" in everything


def test_docx_has_real_headings_tables_images_and_page_numbers(french):
    document = docx.Document(io.BytesIO(render_document(rich_document(), "docx")))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "Contrat de sécurité intégrée") in styled
    assert ("Heading 1", "1 Préambule") in styled
    assert ("Heading 1", "2 Diagnostic partagé") in styled
    assert ("Heading 2", "3.1 Engagement n° 1 — Vidéoprotection des gares") in styled
    assert ("List Bullet", "première priorité") in styled
    assert ("List Number", "étape deux") in styled
    assert any(text.startswith("Un texte très important et nuancé") for _s, text in styled)
    assert "legifrance.gouv.fr" in str([r.target_ref for r in document.part.rels.values()])
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Indicateur", "2023", "2024"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert [c.text for c in table.rows[2].cells] == ["Vols à la tire", "", "12"]
    assert len(document.inline_shapes) == 1
    assert 'descr="Barres : 1 234 faits en 2023' in document.inline_shapes[0]._inline.xml
    footer = document.sections[0].footer._element.xml
    assert 'w:instr="PAGE"' in footer


def test_odt_has_outline_headings_contents_tables_images_and_page_numbers(french):
    document = OdfDocument(io.BytesIO(render_document(rich_document(), "odt")))
    headers = [(int(h.level), str(h).strip()) for h in document.body.headers]
    assert headers == [(1, "1 Préambule"), (1, "2 Diagnostic partagé"),
                       (1, "3 Engagements de l'État"),
                       (2, "3.1 Engagement n° 1 — Vidéoprotection des gares")]
    assert document.body.headers[0].style == "Heading_20_1"
    lists = [[str(p).strip() for p in item.get_elements("descendant::text:p")]
             for item in document.body.get_elements("text:list")][:2]
    assert lists == [["première priorité", "seconde priorité"], ["étape un", "étape deux"]]
    toc = document.body.get_toc()
    assert "3.1 Engagement n° 1 — Vidéoprotection des gares" in toc.get_formatted_text()
    table = document.body.tables[0]
    header_rows = table.get_elements("table:table-header-rows")
    assert header_rows and "Indicateur" in str(header_rows[0].get_elements("table:table-row")[0])
    text = document.get_formatted_text()
    assert "Cambriolages de logements" in text and "1\u202f500,5" in text
    assert "très important" in text and "Métropole d'Aix-Marseille" in text
    frame = document.body.get_frames()[0]
    assert frame.svg_description == "Barres : 1 234 faits en 2023, 1 500 en 2024"
    assert any(name.startswith("Pictures/") for name in document.parts)
    footer = document.get_style("master-page", "Standard").serialize()
    assert "text:page-number" in footer


def test_an_unknown_format_is_not_found(french):
    with pytest.raises(NotFound):
        render_document(rich_document(), "rtf")
