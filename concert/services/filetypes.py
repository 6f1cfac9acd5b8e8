"""What an uploaded file is, read from its bytes (never from its name), and the name it is
kept under. Allowed: PDF, office documents (ODF, OOXML), images (PNG, JPEG, WebP, GIF),
CSV and plain text. A name's extension must agree with the content: a program renamed
`rapport.pdf` is refused, not stored as something else."""
from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import puremagic
from flask_babel import lazy_gettext as _l

from ..models.files import MAX_NAME
from .errors import ServiceError

ODF = {
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
}
# The content type of an OOXML package's main part ([Content_Types].xml) → the file's.
_OOXML_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OOXML = dict(zip(_OOXML_PARTS.values(), (("docx",), ("xlsx",), ("pptx",))))
IMAGES = {"image/png": ("png",), "image/jpeg": ("jpg", "jpeg"), "image/webp": ("webp",),
          "image/gif": ("gif",)}
# The file's type → the extensions its name may have (the first is added to a name
# without one).
EXTENSIONS = {"application/pdf": ("pdf",), **ODF, **OOXML, **IMAGES,
              "text/csv": ("csv",), "text/plain": ("txt", "md", "text")}
# A package is read only this far (a small zip can claim gigabytes once inflated).
_MAX_PACKAGE = 512 * 1024 * 1024
_HEAD = 8192


class UnsupportedType(ServiceError):
    status, code = 415, "unsupported_media_type"


def detect(path: Path, name: str) -> str:
    """The content type of the file at `path`, uploaded as `name` (already sanitised):
    one of EXTENSIONS, whose extensions include the name's. Raises UnsupportedType."""
    with open(path, "rb") as handle:
        head = handle.read(_HEAD)
    content_type = _from_bytes(path, head, name)
    if content_type is None:
        raise UnsupportedType(_l("Type de fichier non accepté : PDF, documents bureautiques "
                                 "(ODF, Office), images (PNG, JPEG, WebP, GIF), CSV ou texte."),
                              field="file")
    extension = Path(name).suffix.lower().lstrip(".")
    if extension and extension not in EXTENSIONS[content_type]:
        raise UnsupportedType(_l("Le contenu de ce fichier (%(kind)s) ne correspond pas à son "
                                 "extension (.%(extension)s).",
                                 kind=EXTENSIONS[content_type][0].upper(),
                                 extension=extension), field="file")
    return content_type


def with_extension(name: str, content_type: str) -> str:
    """The name, given the type's extension if it has none."""
    if Path(name).suffix:
        return name
    return _fit(name, "." + EXTENSIONS[content_type][0])


def _from_bytes(path: Path, head: bytes, name: str) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return _package(path)
    if head:
        for match in _magic(head):
            mime = "application/pdf" if match.extension == ".pdf" else match.mime_type
            if match.offset == 0 and mime in EXTENSIONS and mime not in ("text/plain",
                                                                        "text/csv"):
                return mime
    if _is_text(path):
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    return None


def _magic(head: bytes) -> list:
    try:
        return puremagic.magic_string(head)
    except puremagic.PureError:  # nothing it knows
        return []


def _package(path: Path) -> str | None:
    """ODF names its type in its first entry, `mimetype`; OOXML in [Content_Types].xml's
    main part. Any other zip (or a macro-enabled document) is not a document we take."""
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if sum(entry.file_size for entry in entries) > _MAX_PACKAGE:
                return None
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                declared = package.read("mimetype")[:100].decode("ascii", "replace").strip()
                return declared if declared in ODF else None
            if "[Content_Types].xml" in names:
                types = package.read("[Content_Types].xml")[:1_000_000].decode("utf-8",
                                                                              "replace")
                found = {main for part, main in _OOXML_PARTS.items()
                         if f'ContentType="{part}"' in types}
                return found.pop() if len(found) == 1 else None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return None
    return None


def _is_text(path: Path) -> bool:
    """UTF-8 (with or without BOM) or Windows-1252 text, no NUL, few control characters."""
    with open(path, "rb") as handle:
        sample = handle.read(64 * 1024)
    if not sample or b"\x00" in sample:
        return False
    try:
        decoded = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:  # a character cut by the sample's end
            decoded = sample[:exc.start].decode("utf-8")
        else:
            try:
                decoded = sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    controls = sum(1 for c in decoded if unicodedata.category(c) == "Cc" and c not in "\t\r\n\f")
    return controls <= len(decoded) // 100


# --- names ------------------------------------------------------------------------------------

_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')


def clean_name(raw: str | None) -> str:
    """A name safe to show and to offer for download on any system: no folder, no control
    or invisible character (RTL overrides included), none Windows forbids, not a reserved
    device name, at most MAX_NAME characters with its extension kept; accents kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.partition(".")
    if _RESERVED.match(stem.strip()):
        name = "_" + name
    if not stem:
        name = "document" + (dot + extension if extension else "")
    suffix = Path(name).suffix
    if len(suffix) > 16:
        suffix = ""
    return _fit(name[:len(name) - len(suffix)] if suffix else name, suffix)


def _fit(stem: str, suffix: str) -> str:
    return stem[:MAX_NAME - len(suffix)].rstrip(" .") + suffix
