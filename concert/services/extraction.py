"""A stored file's words (for search) and, for an image, its thumbnail. Parsers of
untrusted documents run in a child process (`bounded`), with a time and memory limit: a
pathological PDF or a decompression bomb costs that process, not the server. This module
imports nothing of concert's, so that the child starts quickly (`python -I this_file`)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

MAX_TEXT = 200_000  # characters kept for search
MAX_PAGES = 500  # of a PDF
MAX_CELLS = 200_000  # of a spreadsheet
MAX_PIXELS = 40_000_000  # an image larger than this gets no thumbnail
THUMBNAIL = (320, 320)
TIMEOUT = 30  # seconds of the child process
MEMORY = 1024 * 1024 * 1024  # bytes of address space of the child process


def bounded(path: Path, content_type: str, thumbnail: Path) -> dict:
    """`analyse` in a child process: {"text": str, "thumbnail": bool}; whatever fails or
    takes too long gives no text and no thumbnail (the file is stored all the same)."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", __file__, str(path), content_type, str(thumbnail)],
            capture_output=True, timeout=TIMEOUT, preexec_fn=_limits, check=True)
        result = json.loads(done.stdout)
        return {"text": str(result["text"])[:MAX_TEXT], "thumbnail": bool(result["thumbnail"])}
    except (subprocess.SubprocessError, OSError, ValueError, KeyError, TypeError):
        thumbnail.unlink(missing_ok=True)
        return {"text": "", "thumbnail": False}


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (TIMEOUT, TIMEOUT))


def analyse(path: Path, content_type: str, thumbnail: Path) -> dict:
    text = ""
    try:
        text = _text(path, content_type)
    except Exception:  # noqa: BLE001 (any parser failure: a file without words)
        text = ""
    made = False
    if content_type.startswith("image/"):
        try:
            made = make_thumbnail(path, thumbnail)
        except Exception:  # noqa: BLE001
            made = False
    return {"text": " ".join(text.split())[:MAX_TEXT], "thumbnail": made}


def _text(path: Path, content_type: str) -> str:
    if content_type == "application/pdf":
        return _pdf(path)
    if content_type.endswith("wordprocessingml.document"):
        return _docx(path)
    if content_type.endswith("spreadsheetml.sheet"):
        return _xlsx(path)
    if content_type.startswith("application/vnd.oasis.opendocument."):
        import odfdo
        return odfdo.Document(str(path)).get_formatted_text()[:MAX_TEXT]
    if content_type.startswith("text/"):
        raw = path.open("rb").read(MAX_TEXT * 4)
        try:
            return raw.decode("utf-8-sig", errors="strict")
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace")
    return ""


def _pdf(path: Path) -> str:
    from pypdf import PdfReader
    parts, length = [], 0
    for page in PdfReader(str(path)).pages[:MAX_PAGES]:
        parts.append(page.extract_text() or "")
        length += len(parts[-1])
        if length >= MAX_TEXT:
            break
    return "\n".join(parts)


def _docx(path: Path) -> str:
    import docx
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def _xlsx(path: Path) -> str:
    from openpyxl import load_workbook
    # A file object: openpyxl would refuse a path for its (absent) extension.
    workbook = load_workbook(path.open("rb"), read_only=True, data_only=True)
    parts: list[str] = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
            if len(parts) >= MAX_CELLS:
                return "\n".join(parts)
    return "\n".join(parts)


def make_thumbnail(path: Path, target: Path) -> bool:
    """A small JPEG (PNG if the image has transparency), upright as its EXIF says."""
    from PIL import Image, ImageOps
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # larger: DecompressionBombError, no thumbnail
    with Image.open(path) as image:
        if image.width * image.height > MAX_PIXELS:
            return False
        image.seek(0)
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL)
        if image.mode in ("RGBA", "LA") or "transparency" in image.info:
            image.convert("RGBA").save(target, "PNG", optimize=True)
        else:
            image.convert("RGB").save(target, "JPEG", quality=80)
    return True


if __name__ == "__main__":
    print(json.dumps(analyse(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))))
