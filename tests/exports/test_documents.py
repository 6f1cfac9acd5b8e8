"""Document renderers (exports/): each file read back with the library a user's tool would
use — Markdown and HTML as text, pypdf, python-docx, odfdo."""
from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest
from odfdo import Document as OdfDocument

from concert.documents import model as d
from concert.exports import pdf
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


def pdf_pages(document: dict) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(render_document(document, "pdf")))
    return [page.extract_text() for page in reader.pages]


def test_pdf_has_title_page_contents_and_page_numbers(french):
    pages = pdf_pages(rich_document())
    assert len(pages) >= 4
    assert "Contrat de sécurité intégrée" in pages[0] and "Métropole d\u2019Aix-Marseille" in pages[0]
    assert "Phase\u00a0: Rédaction" in pages[0]
    assert "Page" not in pages[0]  # no header or footer on the title page
    # the table of contents gives each section's page
    assert "Sommaire" in pages[1]
    contents = [line for line in pages[1].splitlines()][2:-1]
    assert contents == ["1 Préambule 3", "2 Diagnostic partagé 3", "3 Engagements de l\u2019État 4",
                        "3.1 Engagement n° 1 — Vidéoprotection des gares 4"]
    assert pages[2].splitlines()[1] == "1 Préambule"
    assert any(line == "3.1 Engagement n° 1 — Vidéoprotection des gares"
               for line in pages[3].splitlines())
    assert pages[1].splitlines()[0] == "Contrat de sécurité intégrée"  # the running header
    assert pages[1].endswith(f"Page 2 / {len(pages)}")
    everything = "\n".join(pages)
    assert "Cambriolages de logements" in everything and "1\u202f500,5" in everything
    assert "Un texte très important et nuancé, voir la circulaire." in everything
    assert "• première priorité" in everything and "2. étape deux" in everything
    assert "Pilote\u00a0: DDSP 13" in everything
    assert "Évolution des cambriolages" in everything  # the chart's caption
    assert "<script>alert(\u2019x\u2019)</script>" in everything  # sanitised: shown as text


def test_pdf_contents_of_a_long_document_list_the_top_level_sections(french, monkeypatch):
    """Past CONTENTS_ENTRIES entries (a 2,000-commitment contract has 2,010), the contents
    list the top-level sections with their pages; the bookmarks still list every section."""
    monkeypatch.setattr(pdf, "CONTENTS_ENTRIES", 3)  # the rich document has 4 entries
    reader = pypdf.PdfReader(io.BytesIO(render_document(rich_document(), "pdf")))
    pages = [page.extract_text() for page in reader.pages]
    assert pages[1].splitlines()[2:-1] == ["1 Préambule 3", "2 Diagnostic partagé 3",
                                           "3 Engagements de l\u2019État 4"]
    assert any(line == "3.1 Engagement n° 1 — Vidéoprotection des gares"
               for line in pages[3].splitlines())
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    children = [item.title for group in reader.outline if isinstance(group, list)
                for item in group]
    assert "3 Engagements de l\u2019État" in bookmarks
    assert "3.1 Engagement n° 1 — Vidéoprotection des gares" in children


def test_contents_depth_counts_entries_level_by_level():
    def tree(*counts):  # one section per top-level entry, each with the next level's count
        return [{"sections": tree(*counts[1:]) if len(counts) > 1 else []}
                for _ in range(counts[0])]

    assert pdf._contents_depth([]) == 0
    assert pdf._contents_depth(tree(10, 3)) == 2  # 40 entries
    assert pdf._contents_depth(tree(10, 200)) == 1  # 2,010 entries: the top level only
    assert pdf._contents_depth(tree(600)) == 1  # the top level is always listed
    assert pdf._contents_depth(tree(4, 10, 100)) == 2  # 44 entries, then 4,044


def test_pdf_is_tagged_pdf_a_with_its_metadata(french):
    reader = pypdf.PdfReader(io.BytesIO(render_document(rich_document(), "pdf")))
    assert reader.metadata.title == "Contrat de sécurité intégrée"
    assert reader.metadata.author == "Métropole d\u2019Aix-Marseille"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root  # tagged
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2<" in xmp and "<pdfaid:conformance>A<" in xmp  # PDF/A-2a
    assert "<pdfuaid:part>1<" in xmp  # PDF/UA-1
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "1 Préambule" in bookmarks
    assert all(font.endswith(("LiberationSans", "LiberationSans-Bold", "LiberationSans-Italic"))
               for font in _fonts(reader))


def _fonts(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_pdf_french_typography(french):
    document = d.document("contract", "Titre", "", [], [d.section("s", "1", "Section", [
        d.paragraph("Il a dit \"bonjour\" : oui ; non ! quoi ? l'ami « ok » et «serré»"),
        d.markdown("Du code : `print(\"x\" , 'y')`"),
    ])], lang="fr")
    text = "\n".join(pdf_pages(document))
    assert ("Il a dit «\u202fbonjour\u202f»\u00a0: oui\u202f; non\u202f! quoi\u202f? "
            "l\u2019ami «\u202fok\u202f» et «\u202fserré\u202f»") in text
    assert "Du code\u00a0: print(\"x\" , 'y')" in text  # code keeps its characters


# Strings that would be markup or code if they were pasted into Typst source.
HOSTILE = [
    "#import @preview/cetz:0.3.0: *",
    "#set page(width: 1cm) #pagebreak() #pagebreak()",
    "$x^2$ @fig <label> ] [ *gras* _penché_ `code`",
    "\\ \\\\ \\u{41} #{panic()} )} /* // <!--",
    "= Titre == #heading[x] - - + 1.",
]


def test_pdf_shows_hostile_text_as_text(french):
    """Every user string is data for the Typst template, never Typst source: each shows as
    written, and none changes the layout, reads a file or stops the compilation."""
    document = d.document("contract", HOSTILE[0], HOSTILE[1], [(HOSTILE[2], HOSTILE[3])], [
        d.section("a", "1", HOSTILE[4], [d.paragraph(text) for text in HOSTILE] + [
            d.paragraph('#read("/etc/passwd")'),
            d.fields([(HOSTILE[0], HOSTILE[2])]),
            d.bullet_list(HOSTILE[3:]),
            d.table(HOSTILE[2], [HOSTILE[0]], [[HOSTILE[3]], [HOSTILE[4]]]),
            d.markdown('Un `#read("/etc/passwd")` et \\#import <b> $y$ @z'),
        ]),
        d.section("b", "2", '#include "/etc/passwd"', [d.chart(HOSTILE[0], SVG, HOSTILE[2])]),
    ], lang="fr")
    reader = pypdf.PdfReader(io.BytesIO(render_document(document, "pdf")))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 3  # title page, contents, body: no page break was obeyed
    assert all(page.mediabox.width > 590 for page in reader.pages)  # A4, not 1 cm wide
    assert reader.metadata.title == HOSTILE[0]
    text = " ".join(" ".join(pages).split())
    for hostile in HOSTILE:
        assert text.count(hostile) >= 2, hostile  # the title page or a title, and the body
    assert "#read(« /etc/passwd »)" in text  # prose: French quotes
    assert 'Un #read("/etc/passwd") et #import <b> $y$ @z' in text  # code: as typed
    assert "#include « /etc/passwd »" in " ".join(pages[1].split())
    assert "root:" not in "".join(pages)


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
