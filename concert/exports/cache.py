"""A frozen contract version's files: rendered once, then served from the instance folder.

A frozen version never changes, so each of its files is rendered the first time someone
asks for it and kept as `<instance>/documents/contract/<territory id>/v<N>-<key>.<ext>`.
The file is the same for every reader (the document and the renderers' own words are in
French). `key` is a digest of what else the bytes depend on: the version's row (id and
creation time: a territory id or version number reused after a deletion never finds another
contract's file) and the rendering code and libraries (an upgrade renders again).
Deleting the folder is safe: files are rendered again on demand. The draft is never stored."""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from datetime import timezone
from importlib import metadata
from pathlib import Path

from flask import current_app

from ..models.contract import ContractVersion
from . import DOCUMENT_FORMATS, render_document

# What the output of render_document depends on besides the document.
_LIBRARIES = ("typst", "python-docx", "odfdo", "markdown", "bleach", "cairosvg")
_HERE = Path(__file__).resolve().parent
_SOURCES = (*sorted(_HERE.glob("*.py")), _HERE / "print.css", _HERE / "document.typ",
            _HERE.parent / "services" / "security.py")  # render_markdown sanitises

_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def frozen_contract(version: ContractVersion, fmt: str) -> Path:
    """The file of frozen `version` in format `fmt`, rendered if it is not stored yet."""
    path = _path(version, fmt)
    # Within a process, a second request for the same file waits for the first and is
    # then served its file (a large PDF takes seconds); across processes both render and
    # the last rename wins, with the same content.
    with _lock(path):
        if not path.is_file():
            _write(path, render_document(version.document, fmt))
    return path


def _path(version: ContractVersion, fmt: str) -> Path:
    # In UTC: the same instant reads the same whatever the database session's time zone.
    created = version.created_at.astimezone(timezone.utc).isoformat()
    key = f"{version.id}|{created}|{_renderer_key(_template())}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    folder = Path(current_app.instance_path) / "documents" / "contract" / str(version.territory_id)
    return folder / f"v{version.number}-{digest}.{DOCUMENT_FORMATS[fmt].ext}"


def _template() -> Path:
    return Path(current_app.root_path, current_app.template_folder, "export_document.html")


@functools.cache
def _renderer_key(template: Path) -> str:
    """Changes when the rendering code, its template or a rendering library changes."""
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        digest.update(f"{name}={metadata.version(name)}\n".encode())
    for source in (*_SOURCES, template):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _write(path: Path, data: bytes) -> None:
    """Atomically: a reader finds the whole file or none, even after a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
