"""The documents a page's form carries: those it names (kept, or uploaded already by the
page's script) and the files of its file input, stored here (services/files.py)."""
from __future__ import annotations

from flask import request

from ..services import files
from ..services.access import Access


def from_form(where: Access) -> list[str]:
    sent = [f for f in request.files.getlist("files") if f.filename]
    if sent:
        files.may_upload(where)
    return request.form.getlist("attachments") + [
        files.upload(where, f.stream, f.filename).id for f in sent]
