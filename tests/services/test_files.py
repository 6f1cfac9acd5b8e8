"""Attached documents, through the services on both databases: what is accepted (read from
the content), what is refused (disguised types, oversize, empty), the names kept, the text
kept for search, thumbnails, who may download, attaching, and deletion of the bytes."""
from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from concert.db import db
from concert.models import File, utcnow
from concert.schemas.common import parse
from concert.schemas.facilitation import CommitmentInput, PromotionInput
from concert.schemas.workshops import WorkshopInput, WorkshopPatch
from concert.schemas.workspace import ChannelInput, PostChanges, PostInput
from concert.services import accounts, channels, facilitation, commitments, files, posts
from concert.services import workshops
from concert.services.errors import Forbidden, Invalid, NotFound
from concert.services.filetypes import UnsupportedType
from tests.conftest import DOCUMENT_KINDS, as_, document
from tests.services.conftest import contribute


def upload(person, kind: str = "pdf", *, name: str | None = None, data: bytes | None = None,
           **words) -> File:
    default_name, default_data, _type = document(kind, **words)
    return files.upload(as_(person), io.BytesIO(default_data if data is None else data),
                        default_name if name is None else name)


def stored_path(app, key: str) -> Path:
    return Path(app.instance_path) / "files" / key[:2] / key[2:4] / key


def user(person):
    return accounts.find_user(person.email)


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_each_accepted_family_is_stored_with_the_type_read_from_its_content(
        ctx, world, kind):
    name, data, content_type = document(kind)  # made once: a zip's entries carry the time
    file = upload(world.actor, kind, data=data)
    assert (file.name, file.size, file.content_type) == (name, len(data), content_type)
    assert len(file.id) == 32 and int(file.id, 16)  # 128 random bits, in hexadecimal
    assert stored_path(ctx, file.id).read_bytes() == data
    import hashlib
    assert file.sha256 == hashlib.sha256(data).hexdigest()
    assert file.has_thumbnail == content_type.startswith("image/")


@pytest.mark.parametrize("kind", ["pdf", "docx", "xlsx", "odt", "ods", "odp", "csv", "txt"])
def test_the_words_of_a_document_are_kept_for_search(world, kind):
    file = upload(world.actor, kind, words="Patrouilles pédestres quartier Belsunce")
    assert "Patrouilles pédestres quartier Belsunce" in file.text


def test_a_thumbnail_is_small_and_upright_as_the_photo_s_exif_says(ctx, world):
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90°, the camera held upright
    photo = io.BytesIO()
    Image.new("RGB", (1200, 600), "blue").save(photo, "JPEG", exif=exif)
    file = upload(world.actor, "jpeg", data=photo.getvalue())
    with files.open_thumbnail(file) as stream, Image.open(stream) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (160, 320)  # portrait once turned, within 320 × 320


def test_a_decompression_bomb_is_stored_without_a_thumbnail(world):
    from PIL import Image

    bomb = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(bomb, "PNG")  # 100 Mpixels in a few kB
    file = upload(world.actor, "png", data=bomb.getvalue())
    assert file.content_type == "image/png" and not file.has_thumbnail


def test_a_document_that_fails_extraction_is_still_stored(ctx, world):
    broken = b"%PDF-1.4\n" + b"\x00garbage" * 100
    file = upload(world.actor, "pdf", data=broken)
    assert file.content_type == "application/pdf" and file.text == ""
    assert stored_path(ctx, file.id).read_bytes() == broken


@pytest.mark.parametrize("name, data", [
    ("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4),  # a program
    ("plan.png", document("pdf")[1]),          # a PDF named as an image
    ("notes.txt", document("png")[1]),         # an image named as text
    ("page.pdf", b"<html><script>alert(1)</script></html>"),  # text named as a PDF
    ("archive.docx", None),                    # a zip that is no office document
    ("macro.xlsx", None),
])
def test_a_type_disguised_by_its_name_is_refused(world, name, data):
    if data is None:
        buffer = io.BytesIO()
        import zipfile
        with zipfile.ZipFile(buffer, "w") as package:
            package.writestr("[Content_Types].xml", '<Types><Override ContentType="application/'
                             'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
                             if name == "macro.xlsx" else "<Types/>")
            package.writestr("virus.exe", "MZ")
        data = buffer.getvalue()
    with pytest.raises(UnsupportedType) as refused:
        upload(world.actor, name=name, data=data)
    assert refused.value.status == 415 and refused.value.field == "file"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(File)) == 0


def test_oversize_is_refused_while_reading_and_empty_is_invalid(ctx, world, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_FILE_SIZE", 1000)
    with pytest.raises(files.TooLarge) as refused:
        upload(world.actor, "txt", data=b"a" * 1001)
    assert refused.value.status == 413 and refused.value.code == "too_large"
    assert upload(world.actor, "txt", data=b"a" * 1000).size == 1000
    with pytest.raises(Invalid):
        upload(world.actor, "txt", data=b"")
    assert not list((Path(ctx.instance_path) / "files" / "incoming").iterdir())


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\win.ini.txt", "win.ini.txt"),
    ("con.txt", "_con.txt"),
    ("LPT1.csv", "_LPT1.csv"),
    ("facture\u202etxt.exe.txt", "facturetxt.exe.txt"),  # RTL override removed
    ("a\x00b\x1fc.txt", "abc.txt"),
    ("é" * 300 + ".txt", "é" * 196 + ".txt"),
    ("Réunion d’été : bilan?.txt", "Réunion d’été _ bilan_.txt"),
    ("  ..  ", "document.txt"),
    ("sans extension", "sans extension.txt"),
])
def test_hostile_names_are_made_safe_and_accents_kept(world, given, kept):
    assert upload(world.actor, "txt", name=given).name == kept


def test_only_contributors_upload(world):
    with pytest.raises(Forbidden):
        upload(world.observer)


def restricted(world) -> int:
    return channels.create_channel(as_(world.facilitator), ChannelInput(
        name="État seulement", restricted_to=["prefecture", "police_nationale"])).id


def test_an_unattached_file_is_its_uploader_s_only(world):
    file = upload(world.actor)
    assert files.downloadable(user(world.actor), file.id) is file
    for other in (world.facilitator, world.actors[1], world.outsider):
        with pytest.raises(NotFound):
            files.downloadable(user(other), file.id)


def test_a_post_s_files_reach_those_who_see_its_channel_only(world):
    police = world.actors[0]  # police_nationale: sees the restricted channel
    file = upload(police)
    post, _ = posts.create_post(as_(police), PostInput(
        channel=restricted(world), kind="message", body="Plan des caméras",
        attachments=[file.id]))
    assert [a["id"] for a in posts.serialise(post)["attachments"]] == [file.id]
    for reader in (world.facilitator, police):
        assert files.downloadable(user(reader), file.id).id == file.id
    for stranger in (world.actors[1], world.observer, world.outsider):  # bailleur, justice
        with pytest.raises(NotFound):
            files.downloadable(user(stranger), file.id)
    with pytest.raises(NotFound):
        files.downloadable(user(police), "0" * 32)
    with pytest.raises(NotFound):
        files.downloadable(user(police), "../" + file.id)


def test_a_file_is_attached_once_and_by_its_uploader_only(world):
    file = upload(world.actor)
    other_ = world.actors[1]
    with pytest.raises(NotFound) as refused:
        contribute(other_, body="Je joins le fichier d'un autre", attachments=[file.id])
    assert refused.value.field == "attachments"
    contribute(world.actor, body="Voici le plan", attachments=[file.id])
    with pytest.raises(NotFound):
        contribute(world.actor, body="Encore", attachments=[file.id])
    with pytest.raises(Invalid):
        contribute(world.actor, body="Trop", attachments=["x"])


def test_editing_a_post_s_attachments_deletes_those_left_out(ctx, world):
    first, second = upload(world.actor), upload(world.actor, "png")
    post = contribute(world.actor, body="Deux pièces", attachments=[first.id, second.id])
    posts.edit_post(as_(world.actor), post.id, PostChanges(body=post.body,
                                                           attachments=[second.id]))
    assert [a["name"] for a in posts.serialise(post)["attachments"]] == ["plan.png"]
    assert db.session.get(File, first.id) is None
    assert not stored_path(ctx, first.id).exists()
    assert stored_path(ctx, second.id).exists()


def test_a_deleted_post_s_files_go_with_it_bytes_included(ctx, world):
    image = upload(world.actor, "png")
    post = contribute(world.actor, body="Photo du hall", attachments=[image.id])
    posts.delete_post(as_(world.actor), post.id)
    assert db.session.get(File, image.id) is None
    assert not stored_path(ctx, image.id).exists()
    assert not stored_path(ctx, image.id + ".thumb").exists()
    assert posts.serialise(post)["attachments"] == []


def test_commitments_and_workshops_take_attachments_every_member_downloads(world):
    anim = as_(world.facilitator)
    report, plan = upload(world.facilitator, "pdf"), upload(world.facilitator, "odt")
    commitment = facilitation.promote(anim, PromotionInput(
        title="Vidéoprotection des gares", party="etat", attachments=[report.id]))
    assert [a["name"] for a in commitments.serialise(commitment)["attachments"]] == [
        "rapport CLSPD.pdf"]
    commitments.update(anim, commitment.id, CommitmentInput(attachments=[]))
    assert db.session.get(File, report.id) is None
    workshop = workshops.create(anim, parse(WorkshopInput, {
        "title": "Atelier gares", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Tour de table", "minutes": 10}]}))
    workshops.update(anim, workshop.id, WorkshopPatch(attachments=[plan.id]))
    assert [a["id"] for a in workshops.serialise(workshop)["attachments"]] == [plan.id]
    assert files.downloadable(user(world.observer), plan.id).id == plan.id
    with pytest.raises(NotFound):
        files.downloadable(user(world.outsider), plan.id)


def test_unattached_files_older_than_a_day_are_purged(ctx, world):
    old, recent = upload(world.actor), upload(world.actor, "png")
    kept = upload(world.actor, "odt")
    contribute(world.actor, body="Attaché", attachments=[kept.id])
    for file in (old, kept):
        file.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert files.purge_unattached() == 1
    assert db.session.get(File, old.id) is None and not stored_path(ctx, old.id).exists()
    assert db.session.get(File, recent.id) and db.session.get(File, kept.id)


def test_the_contract_and_the_minutes_list_the_annexes(world):
    from concert.exports import render_document
    from concert.services import contract
    from concert.services.access import system_access

    anim = as_(world.facilitator)
    report = upload(world.facilitator, "pdf")
    draft = upload(world.facilitator, "docx")
    made = facilitation.promote(anim, PromotionInput(title="Vidéoprotection des gares",
                                                     party="etat", attachments=[report.id]))
    facilitation.promote(anim, PromotionInput(title="Médiation de nuit", party="partenaire",
                                              attachments=[draft.id]))
    commitments.update(anim, made.id, CommitmentInput(status="validated"))
    markdown = render_document(contract.assemble(system_access("metropole")), "md").decode()
    # The act's commitments' documents are an annex; a draft's are not part of the act.
    assert "Annexe 2 — Documents joints" in markdown
    assert "rapport CLSPD.pdf (engagement n° 1)" in markdown
    assert "Plan de sécurité.docx" not in markdown

    plan = upload(world.facilitator, "odt")
    workshop = workshops.create(anim, parse(WorkshopInput, {
        "title": "Atelier gares", "starts_at": "2026-12-03T14:00", "place": "Préfecture",
        "agenda": [{"title": "Tour de table", "minutes": 10}], "attachments": [plan.id]}))
    workshops.start(anim, workshop.id)
    workshops.close(anim, workshop.id)
    minutes = render_document(workshops.minutes(anim, workshop.id), "md").decode()
    assert "Annexe 1 — compte rendu.odt" in minutes
