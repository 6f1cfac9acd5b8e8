"""The composer without JavaScript: a multipart form with its files, on both databases."""
from __future__ import annotations

import io

from concert.db import db
from concert.models import File
from concert.services import channels
from tests.conftest import _csrf_from, as_, client_sign_in, document


def test_the_plain_form_posts_a_message_with_its_documents(client, world):
    client_sign_in(client, world.actor.email)
    page = client.get("/t/metropole/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    channel = channels.list_channels(as_(world.actor))[0].id
    name, data, _type = document("pdf")
    answer = client.post("/t/metropole/posts", data={
        "csrf_token": _csrf_from(page), "channel": channel, "kind": "message",
        "body": "Le rapport du CLSPD", "files": [(io.BytesIO(data), name),
                                                  (io.BytesIO(b""), "")]},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    file = db.session.query(File).one()
    assert file.post_id is not None and file.name == name
    assert f'href="/api/v1/files/{file.id}"' in shown and "PDF, 1 ko" in shown


def test_a_refused_document_is_said_on_the_page(client, world):
    client_sign_in(client, world.actor.email)
    page = client.get("/t/metropole/").get_data(as_text=True)
    channel = channels.list_channels(as_(world.actor))[0].id
    answer = client.post("/t/metropole/posts", data={
        "csrf_token": _csrf_from(page), "channel": channel, "kind": "message",
        "body": "Un programme", "files": [(io.BytesIO(b"MZ\x90\x00" * 400), "outil.pdf")]},
        content_type="multipart/form-data")
    assert answer.status_code == 415
    assert "Type de fichier non accepté" in answer.get_data(as_text=True)
    assert db.session.query(File).count() == 0


def test_a_facilitator_attaches_documents_to_a_commitment_and_a_workshop(client, world):
    client_sign_in(client, world.facilitator.email)
    page = client.get("/t/metropole/commitments/new").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "Ajouter des documents" in page
    name, data, _type = document("xlsx")
    answer = client.post("/t/metropole/commitments/new", data={
        "csrf_token": _csrf_from(page), "title": "Vidéoprotection des gares",
        "party": "etat", "files": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    file = db.session.query(File).one()
    assert file.commitment_id is not None
    assert f'href="/api/v1/files/{file.id}"' in shown and f"Garder « {name} »" in shown

    # Unticked, it is deleted when the form is saved.
    answer = client.post(answer.headers["Location"], data={
        "csrf_token": _csrf_from(shown), "title": "Vidéoprotection des gares",
        "party": "etat"}, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    db.session.rollback()
    assert db.session.query(File).count() == 0

    page = client.get("/t/metropole/workshops").get_data(as_text=True)
    name, data, _type = document("odt")
    answer = client.post("/t/metropole/workshops", data={
        "csrf_token": _csrf_from(page), "title": "Atelier gares",
        "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "item-0-title": "Tour de table", "item-0-minutes": "10",
        "files": [(io.BytesIO(data), name)]}, content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    file = db.session.query(File).one()
    assert file.workshop_id is not None and f'href="/api/v1/files/{file.id}"' in shown
