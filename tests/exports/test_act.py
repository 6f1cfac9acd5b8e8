"""The contract as a signable act, read back from every format (Markdown, DOCX, ODT, PDF,
HTML): parties, visas, numbered articles, only validated commitments numbered in the
printed order and grouped by axis, no empty field, the signature block."""
from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest
from flask_babel import force_locale
from odfdo import Document as OdfDocument

from concert.db import db
from concert.schemas.act import ActInput, SignatoryInput
from concert.schemas.contract import VersionInput
from concert.schemas.facilitation import CommitmentInput, PromotionInput
from concert.services import act, commitments, contract, facilitation
from tests.conftest import SLUG, as_

ARTICLES = ["Objet", "Périmètre", "Diagnostic partagé", "Dispositifs intégrés",
            "Engagements des parties", "Gouvernance", "Évaluation", "Durée", "Date d'effet",
            "Révision", "Résiliation", "Engagements financiers", "Juridiction compétente",
            "Annexes"]
PARTIES = [
    "l'État, représenté par Mme Hélène Marchetti, préfète des Bouches-du-Rhône,",
    "et Mme Isabelle Fabre, procureure de la République près le tribunal judiciaire de "
    "Marseille,",
    "et la commune de Marseille, représentée par M. Antoine Ferrand, maire de Marseille, "
    "autorisé par délibération n° 26/0412/VAT du 19 octobre 2026,",
    "et la métropole Aix-Marseille-Provence, représentée par Mme Catherine Vidal, présidente "
    "de la métropole, autorisée par délibération du 22 octobre 2026,",
]
MADE = "Fait à Marseille, le 8 janvier 2027, en 4 exemplaires originaux."


@pytest.fixture
def signable(world):
    """Four parties; commitments created in an order the act does not print them in (the
    axes' order does), a draft and an abandoned one."""
    where = as_(world.facilitator)
    with force_locale("fr"):
        for fields in (
            {"role": "etat", "organisation": "l'État", "person": "Mme Hélène Marchetti",
             "quality": "préfète des Bouches-du-Rhône"},
            {"role": "justice", "organisation": "le parquet", "person": "Mme Isabelle Fabre",
             "quality": "procureure de la République près le tribunal judiciaire de Marseille"},
            {"role": "collectivite", "organisation": "la commune de Marseille",
             "person": "M. Antoine Ferrand", "quality": "maire de Marseille",
             "deliberation_number": "26/0412/VAT", "deliberation_date": "2026-10-19"},
            {"role": "collectivite", "organisation": "la métropole Aix-Marseille-Provence",
             "person": "Mme Catherine Vidal", "quality": "présidente de la métropole",
             "deliberation_date": "2026-10-22"}):
            act.save_signatory(where, SignatoryInput(**fields))
        act.save_settings(where, ActInput(place="Marseille", signed_on="2027-01-08"))
        for title, party, axis, extra in (
            ("Vidéoprotection des collèges", "collectivite", "videoprotection",
             {"financing": "FIPD", "target_area": "QRR Marseille nord"}),
            ("Halls sécurisés", "partenaire", "habitat", {}),
            ("Patrouilles mixtes", "etat", "tranquillite",
             {"pilot": "DDPN 13", "start_date": "2027-01-15", "due_date": "2027-12-31",
              "indicators": [{"name": "Soirées de patrouille", "unit": "par mois",
                              "baseline": 0, "target": 8, "reference_year": 2026,
                              "source": "Main courante"}]}),
            ("Médiation de soirée", "collectivite", "tranquillite", {})):
            made = facilitation.promote(where, PromotionInput(
                title=title, party=party, axis=axis, **extra))
            commitments.update(where, made.id, CommitmentInput(status="validated"))
        facilitation.promote(where, PromotionInput(title="Cellule de veille", party="etat"))
        dropped = facilitation.promote(where, PromotionInput(title="Fourrière", party="etat"))
        commitments.update(where, dropped.id, CommitmentInput(status="abandoned",
                                                              abandon_reason="Doublon"))
        db.session.commit()


def get(client, world, fmt: str, **query) -> bytes:
    response = client.get(f"/t/{SLUG}/export/contract.{fmt}", headers=world.actor.bearer(),
                          query_string=query)
    assert response.status_code == 200
    return response.data


def lines_of(fmt: str, data: bytes) -> list[str]:
    """The document's paragraphs and table cells as a reader sees them, in order."""
    if fmt == "md":
        return [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    if fmt == "docx":
        document = docx.Document(io.BytesIO(data))
        return [p.text for p in document.paragraphs] + [
            cell.text for table in document.tables for row in table.rows for cell in row.cells]
    if fmt == "odt":
        body = OdfDocument(io.BytesIO(data)).body
        return [str(p).strip() for p in body.get_elements("//text:p|//text:h")]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def squash(text: str) -> str:
    """Without spaces, hyphens and typographic apostrophes: the PDF's line breaks may
    hyphenate a word, and its typesetter curls apostrophes."""
    return re.sub(r"[\s\-\u00ad]", "", text.replace("\u2019", "'"))


def in_order(text: str, *pieces: str) -> bool:
    return re.search(".*?".join(re.escape(squash(p)) for p in pieces), text) is not None


@pytest.mark.parametrize("fmt", ["md", "docx", "odt", "pdf"])
def test_the_act_reads_back_from_every_format(client, world, signable, fmt):
    lines = lines_of(fmt, get(client, world, fmt))
    text = squash("\n".join(lines))
    has = lambda piece: squash(piece) in text
    # The parties, the visas, then the numbered articles.
    assert has("Entre :")
    for party in PARTIES:
        assert has(party), party
    assert has("Vu le code de la sécurité intérieure, notamment ses articles L. 132-1 et "
               "suivants et L. 512-4 et suivants ;")
    assert has("Vu la circulaire du Premier ministre n° 6258-SG du 16 avril 2021")
    assert has("Il est convenu ce qui suit :")
    found = [(int(m[1]), m[2].strip().replace("\u2019", "'")) for m in
             (re.search(r"Article (\d+) — (.+)$", line) for line in lines) if m]
    body = found[len(found) - len(ARTICLES):]  # after the table of contents, if any
    assert body == list(enumerate(ARTICLES, start=1))
    # Commitments: grouped by axis with the paired form, numbered in the printed order.
    assert in_order(text, "Tranquillité publique", "L'État s'engage à :",
                    "Patrouilles mixtes (engagement n° 1)",
                    "Les collectivités signataires s'engagent à :",
                    "Médiation de soirée (engagement n° 2)", "Vidéoprotection",
                    "Vidéoprotection des collèges (engagement n° 3)", "Habitat social",
                    "Les partenaires s'engagent à :", "Halls sécurisés (engagement n° 4)")
    assert in_order(text, "Engagement n° 1 — Patrouilles mixtes",
                    "Engagement n° 2 — Médiation de soirée",
                    "Engagement n° 3 — Vidéoprotection des collèges",
                    "Engagement n° 4 — Halls sécurisés")
    assert has("du 15 janvier 2027 au 31 décembre 2027")
    assert has("0 (2026)") and has("Main courante")
    assert has("Zone ciblée") and has("QRR Marseille nord")
    # Only validated commitments in the act; the draft apart, after it, marked as a project.
    assert not has("Fourrière") and not has("Abandonné")
    assert in_order(text, MADE, "Projet — Cellule de veille (brouillon n° 5)")
    # No empty field is printed.
    assert not re.search(r":—|:aucun|nonprécisé|nondésigné|Statut", text)
    # The signature block: place, date, originals, one column per signatory's quality.
    assert has(MADE)
    for quality, person in (("Préfète des Bouches-du-Rhône", "Mme Hélène Marchetti"),
                            ("Maire de Marseille", "M. Antoine Ferrand"),
                            ("Présidente de la métropole", "Mme Catherine Vidal")):
        assert in_order(text, MADE, quality) and has(person)


def test_a_frozen_version_holds_the_act_without_drafts(client, world, signable):
    contract.freeze(as_(world.facilitator), VersionInput(note="Pour signature"))
    db.session.commit()
    text = get(client, world, "md", version="1").decode("utf-8")
    assert "## Article 5 — Engagements des parties" in text
    assert "Cellule de veille" not in text and "Fourrière" not in text
    assert "Engagement n° 4 — Halls sécurisés" in text
    html = get(client, world, "html").decode("utf-8")
    assert "Article 14 — Annexes" in html and MADE in html
