"""Attached documents: the file resource, and the `attachments` a post, commitment or
workshop is given (file ids, as the upload answered them)."""
from __future__ import annotations

import re
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field

from ..services.errors import Invalid
from .common import Input, Output

MAX_ATTACHMENTS = 10
_FILE_ID = re.compile(r"[0-9a-f]{32}")


def is_file_id(value: Any) -> bool:
    return isinstance(value, str) and _FILE_ID.fullmatch(value) is not None


def _ids(value: Any) -> list[str]:
    """Distinct file ids, in the order given; a form sends blanks for empty slots."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ATTACHMENTS or not all(
            isinstance(v, str) for v in value):
        raise Invalid(_l("Liste d'identifiants de fichiers attendue (%(max)d au plus).",
                         max=MAX_ATTACHMENTS), field="attachments")
    ids = [v for v in value if v]
    if not all(is_file_id(v) for v in ids):
        raise Invalid(_l("Pièce jointe introuvable."), field="attachments")
    return list(dict.fromkeys(ids))


AttachmentIds = Annotated[list[str] | None, BeforeValidator(_ids), Field(
    max_length=MAX_ATTACHMENTS, description=(
        "Ids of files uploaded to the territory (POST …/files); on an edit, the whole "
        "list: a file left out is deleted"))]


class FileUpload(Input):
    """multipart/form-data"""

    file: bytes = Field(description="The document")


class Attachment(Output):
    id: str = Field(description="Random, unguessable")
    name: str
    size: int
    content_type: str = Field(description="Detected from the content")
    thumbnail: bool = Field(description="An image's thumbnail at `thumbnail_url`")
    url: str = Field(description="The download (members who see what it is attached to)")
    thumbnail_url: str | None
