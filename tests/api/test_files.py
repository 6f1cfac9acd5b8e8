"""Attached documents through a real server process, on both databases: upload, the
`attachments` of posts, commitments and workshops, and the download's rule and headers."""
from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from tests.api.conftest import error
from tests.conftest import document

SLUG = "metropole"
FILES = f"/territories/{SLUG}/files"


def send(client, kind: str = "pdf", *, name: str | None = None, data: bytes | None = None):
    default_name, default_data, content_type = document(kind)
    return client.post(FILES, files={"file": (default_name if name is None else name,
                                              default_data if data is None else data,
                                              "application/octet-stream")})


def uploaded(client, kind: str = "pdf", **given) -> dict:
    response = send(client, kind, **given)
    assert response.status_code == 201, response.text
    return response.json()


def channel(client, name: str = "Habitat social") -> int:
    return next(c["id"] for c in client.get(f"/territories/{SLUG}/channels").json()["items"]
                if c["name"] == name)


def post_with(client, ids: list[str], channel_id: int | None = None) -> dict:
    response = client.post(f"/territories/{SLUG}/posts", json={
        "channel": channel_id or channel(client), "kind": "message", "body": "En pièce jointe",
        "client_id": uuid.uuid4().hex, "attachments": ids})
    assert response.status_code == 201, response.text
    return response.json()


def test_upload_attach_and_download_with_its_headers(api, world):
    police = api(world.actor)
    image = uploaded(police, "png", name="Plan des caméras — gare Saint-Charles.png")
    assert set(image) >= {"id", "name", "size", "content_type"}
    assert image["content_type"] == "image/png" and image["thumbnail"] is True
    post = post_with(police, [image["id"]])
    assert [a["id"] for a in post["attachments"]] == [image["id"]]
    listed = police.get(f"/territories/{SLUG}/posts", params={"channel": post["channel"]})
    assert listed.json()["items"][-1]["attachments"] == post["attachments"]

    reader = api(world.actors[1])
    download = reader.get(f"/files/{image['id']}")
    assert download.status_code == 200
    assert download.content == document("png")[1]
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Plan des caméras — gare Saint-Charles.png") in disposition

    thumbnail = reader.get(f"/files/{image['id']}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8\xff")
    assert thumbnail.headers["Content-Disposition"].startswith("attachment;")
    pdf = uploaded(police)
    post_with(police, [pdf["id"]])
    error(reader.get(f"/files/{pdf['id']}/thumbnail"), 404)


def test_a_restricted_channel_s_file_is_404_to_those_who_do_not_see_it(api, world):
    anim = api(world.facilitator)
    state_only = anim.post(f"/territories/{SLUG}/channels", json={
        "name": "État seulement", "restricted_to": ["prefecture", "police_nationale"]}).json()
    police = api(world.actor)
    secret = uploaded(police, "docx")
    post_with(police, [secret["id"]], state_only["id"])
    assert anim.get(f"/files/{secret['id']}").status_code == 200
    for person in (world.actors[1], world.observer, world.outsider):
        answer = api(person).get(f"/files/{secret['id']}")
        error(answer, 404, "not_found")
        assert b"PK" not in answer.content
    error(api().get(f"/files/{secret['id']}"), 401)
    error(police.get(f"/files/{uuid.uuid4().hex}"), 404)
    error(police.get("/files/1"), 404)


@pytest.mark.parametrize("name, kind", [("rapport.pdf", "png"), ("notes.txt", "gif"),
                                        ("virus.pdf", None)])
def test_a_disguised_type_is_415(api, world, name, kind):
    data = b"MZ\x90\x00" + bytes(range(256)) * 8 if kind is None else document(kind)[1]
    error(send(api(world.actor), name=name, data=data), 415, "unsupported_media_type",
          field="file")


def test_oversize_is_413_with_the_error_shape(server, api, world):
    limit = 20 * 1024 * 1024
    error(send(api(world.actor), "txt", data=b"a" * (limit + 1)), 413, "too_large")
    error(send(api(world.actor), "txt", data=b"a" * (limit + 2 * 1024 * 1024)), 413,
          "too_large")


def test_hostile_names_come_back_safe(api, world):
    police = api(world.actor)
    for given, kept in [("../../etc/passwd", "passwd.txt"), ("con.txt", "_con.txt"),
                        # shown as "facturetxt.pdf" with the override
                        ("facture\u202efdp.txt", "facturefdp.txt"),
                        ("x" * 300 + ".txt", "x" * 196 + ".txt")]:
        assert uploaded(police, "txt", name=given)["name"] == kept


def test_observers_cannot_upload_and_a_missing_file_is_400(api, world):
    error(send(api(world.observer)), 403)
    error(api(world.actor).post(FILES, data={"other": "x"}), 400, "missing_file")


def test_deleting_a_post_removes_its_files(api, world):
    police = api(world.actor)
    file = uploaded(police, "odt")
    post = post_with(police, [file["id"]])
    assert police.get(f"/files/{file['id']}").status_code == 200
    deleted = police.delete(f"/posts/{post['id']}")
    assert deleted.status_code == 200 and deleted.json()["attachments"] == []
    error(police.get(f"/files/{file['id']}"), 404)


def test_edit_commitment_and_workshop_attachments(api, world):
    police, anim = api(world.actor), api(world.facilitator)
    own = uploaded(police)
    post = post_with(police, [own["id"]])
    edited = police.patch(f"/posts/{post['id']}", json={"body": "Sans pièce", "attachments": []})
    assert edited.status_code == 200 and edited.json()["attachments"] == []
    error(police.get(f"/files/{own['id']}"), 404)

    annex = uploaded(anim, "xlsx")
    created = anim.post(f"/territories/{SLUG}/commitments", json={
        "title": "Vidéoprotection", "party": "etat", "attachments": [annex["id"]]})
    assert created.status_code == 201, created.text
    assert [a["name"] for a in created.json()["attachments"]] == ["effectifs.xlsx"]
    assert api(world.observer).get(f"/files/{annex['id']}").status_code == 200
    error(anim.patch(f"/commitments/{created.json()['id']}",
                     json={"attachments": [uuid.uuid4().hex]}), 404, field="attachments")

    minutes = uploaded(anim, "odt")
    workshop = anim.post(f"/territories/{SLUG}/workshops", json={
        "title": "Atelier", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Tour de table", "minutes": 10}],
        "attachments": [minutes["id"]]})
    assert workshop.status_code == 201, workshop.text
    assert [a["id"] for a in workshop.json()["attachments"]] == [minutes["id"]]
