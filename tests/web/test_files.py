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
