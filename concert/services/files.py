"""Attached documents: upload (type read from the content, size limited while reading,
name sanitised), attachment to a post, a commitment or a workshop, the rule of who may
download, and deletion (rows now, bytes once the deletion is committed).

Who may download a file: its uploader while it is attached to nothing; once attached,
every member who sees what it is attached to (a post: its channel, services/audience.py;
a commitment or a workshop: every member). Anyone else is answered 404, as for a file that
does not exist."""
from __future__ import annotations

import hashlib
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event

from ..db import db
from ..models import Commitment, Post, Territory, User, utcnow
from ..models.files import File
from ..models.workshops import Workshop
from ..schemas.files import MAX_ATTACHMENTS, is_file_id
from . import audience, extraction, filetypes, search, storage
from .access import Access, access
from .errors import Invalid, NotFound, ServiceError

UPLOADER_ROLES = ("facilitator", "actor")
UNATTACHED_DAYS = 1
_CHUNK = 64 * 1024
_NOT_FOUND = _l("Fichier introuvable.")


class TooLarge(ServiceError):
    status, code = 413, "too_large"


def may_upload(access: Access) -> None:
    access.require(*UPLOADER_ROLES)


def max_size() -> int:
    return current_app.config["MAX_FILE_SIZE"]


def upload(access: Access, stream: BinaryIO, filename: str | None) -> File:
    """Stores one uploaded file for its uploader, attached to nothing yet."""
    may_upload(access)
    name = filetypes.clean_name(filename)
    with tempfile.TemporaryDirectory(dir=storage.scratch()) as folder:
        received = Path(folder) / "file"
        size, digest = _receive(stream, received)
        content_type = filetypes.detect(received, name)
        file = File(id=secrets.token_hex(16), territory_id=access.territory.id,
                    uploader_id=access.user.id, size=size, sha256=digest,
                    name=filetypes.with_extension(name, content_type),
                    content_type=content_type)
        analysed = extraction.bounded(received, content_type, Path(folder) / "thumbnail")
        file.text = analysed["text"].replace("\x00", "")
        file.has_thumbnail = analysed["thumbnail"]
        store = storage.store()
        store.put(file.id, received)
        if file.has_thumbnail:
            store.put(_thumbnail_key(file.id), Path(folder) / "thumbnail")
    db.session.add(file)
    try:
        db.session.commit()
    except Exception:  # no row: its bytes go now (a rollback would keep a scheduled delete)
        for key in (file.id, _thumbnail_key(file.id)):
            store.delete(key)
        raise
    return file


def _receive(stream: BinaryIO, target: Path) -> tuple[int, str]:
    """Copies the upload, counting: past the limit, 413 without reading further."""
    limit, size, digest = max_size(), 0, hashlib.sha256()
    with open(target, "wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(_l("Fichier trop volumineux : %(max)d Mo au plus.",
                                  max=limit // (1024 * 1024)), field="file")
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise Invalid(_l("Le fichier est vide."), field="file")
    return size, digest.hexdigest()


# --- attaching ------------------------------------------------------------------------------

def attach(access: Access, ids: list[str], target: Post | Commitment | Workshop) -> bool:
    """Makes `ids` the attachments of `target`, in that order: files its caller uploaded
    and has not attached elsewhere, or already its own. Those it had and `ids` leaves out
    are deleted. Returns whether anything changed."""
    column = _column(target)
    current = list(db.session.scalars(sa.select(File).where(column == target.id)
                                      .order_by(File.position)))
    if [f.id for f in current] == ids:
        return False
    if len(ids) > MAX_ATTACHMENTS:
        raise Invalid(_l("%(max)d pièces jointes au plus.", max=MAX_ATTACHMENTS),
                      field="attachments")
    mine = {f.id: f for f in current}
    attached = []
    for position, file_id in enumerate(ids):
        file = mine.get(file_id) or _attachable(access, file_id)
        setattr(file, column.key, target.id)
        file.position, file.attached_at = position, file.attached_at or utcnow()
        attached.append(file)
    discard([f for f in current if f.id not in ids])
    db.session.flush()
    for file in attached:
        if file.id not in mine:
            search.index_file(file)
    db.session.expire(target, ["attachments"])
    return True


def _attachable(access: Access, file_id: str) -> File:
    """Locked until commit: the same file named by two posts at once goes to one only."""
    file = db.session.scalar(sa.select(File).where(File.id == file_id).with_for_update()
                             .execution_options(populate_existing=True)
                             ) if is_file_id(file_id) else None
    if (file is None or file.territory_id != access.territory.id or access.user is None
            or file.uploader_id != access.user.id or file.attached_at is not None):
        raise NotFound(_l("Pièce jointe introuvable."), field="attachments")
    return file


def _column(target) -> sa.Column:
    if isinstance(target, Post):
        return File.post_id
    if isinstance(target, Commitment):
        return File.commitment_id
    return File.workshop_id


def serialise(file: File) -> dict:
    url = f"/api/v1/files/{file.id}"
    return {"id": file.id, "name": file.name, "size": file.size,
            "content_type": file.content_type, "thumbnail": file.has_thumbnail, "url": url,
            "thumbnail_url": f"{url}/thumbnail" if file.has_thumbnail else None}


def serialise_all(target) -> list[dict]:
    return [serialise(f) for f in target.attachments]


# --- reading ----------------------------------------------------------------------------------

def downloadable(user: User | None, file_id: str) -> File:
    """The file, if `user` may download it; otherwise NotFound, whatever the reason."""
    file = db.session.get(File, file_id) if is_file_id(file_id) else None
    if file is None or user is None:
        raise NotFound(_NOT_FOUND)
    try:
        reader = access(user, db.session.scalar(
            sa.select(Territory.slug).where(Territory.id == file.territory_id)))
    except NotFound:
        raise NotFound(_NOT_FOUND) from None
    if not readable(reader, file):
        raise NotFound(_NOT_FOUND)
    return file


def readable(reader: Access, file: File) -> bool:
    """Whether this reader may see the file (and its words: search uses it too)."""
    if file.territory_id != reader.territory.id:
        return False
    if file.post_id is not None:
        post = db.session.get(Post, file.post_id)
        return post.deleted_at is None and audience.can_see_channel(reader, post.channel)
    if file.commitment_id is not None or file.workshop_id is not None:
        return reader.membership is not None or reader.system
    return reader.user is not None and file.uploader_id == reader.user.id


def open_file(file: File) -> BinaryIO:
    return storage.store().open(file.id)


def open_thumbnail(file: File) -> BinaryIO:
    if not file.has_thumbnail:
        raise NotFound(_NOT_FOUND)
    return storage.store().open(_thumbnail_key(file.id))


def _thumbnail_key(file_id: str) -> str:
    return f"{file_id}.thumb"


# --- deleting ---------------------------------------------------------------------------------

def discard(files: list[File]) -> None:
    """Deletes these files' rows now and their bytes once the transaction commits (a
    rollback keeps both)."""
    keys = db.session.info.setdefault("discarded_files", [])
    for file in files:
        keys.extend([file.id, _thumbnail_key(file.id)])
        search.remove("file", file.id)
        if sa.inspect(file).persistent:
            db.session.delete(file)


def discard_attachments(target) -> None:
    discard(list(db.session.scalars(sa.select(File).where(_column(target) == target.id))))
    db.session.expire(target, ["attachments"])


@event.listens_for(db.session, "after_commit")
def _delete_bytes(session) -> None:
    keys = session.info.pop("discarded_files", [])
    if keys:
        store = storage.store()
        for key in keys:
            store.delete(key)


@event.listens_for(db.session, "after_rollback")
def _keep_bytes(session) -> None:
    session.info.pop("discarded_files", None)


def purge_unattached(older_than: timedelta = timedelta(days=UNATTACHED_DAYS)) -> int:
    """Deletes the files uploaded more than a day ago and attached to nothing (a composer
    abandoned, a form never sent). Returns how many."""
    stale = list(db.session.scalars(sa.select(File).where(
        File.attached_at.is_(None), File.created_at < utcnow() - older_than)))
    discard(stale)
    db.session.commit()
    return len(stale)
