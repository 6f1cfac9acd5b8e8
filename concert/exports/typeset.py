"""The PDF child process: the prepared document (JSON, standard input) → PDF (standard output).

Run by path, `python -P typeset.py`, by exports/pdf.py: it imports typst and nothing of the
application, so it starts in a fraction of a second. Typst compiles document.typ with the
document in `sys.inputs`, inside an empty project folder: the template could read no file
even if it tried, and it fetches no package. Fonts: Debian's Liberation 2 and DejaVu (the
Makefile installs them), then those embedded in typst; nothing else of the machine's, so
the same document gives the same file everywhere. Liberation 2, not 1: version 1 draws the
space and the no-break spaces with one glyph, so a PDF reader's search and copy found
U+202F where the text has plain spaces."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import typst

TEMPLATE = Path(__file__).with_name("document.typ")
# PDF/A-2a and PDF/UA-1, checked by Typst as it writes the file: an archive's PDF (fonts
# embedded, metadata) that is also tagged for screen readers (headings, lists, tables with
# their header row, figures with their description, the document's language and title).
STANDARDS = ["a-2a", "ua-1"]
FONTS = [folder for folder in ("/usr/share/fonts/truetype/liberation2",
                               "/usr/share/fonts/truetype/dejavu") if Path(folder).is_dir()]


def typeset(document_json: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="concert-typst-") as root:
        return typst.compile(TEMPLATE.read_bytes(), root=root, format="pdf",
                             font_paths=FONTS, ignore_system_fonts=True,
                             sys_inputs={"document": document_json},
                             pdf_standards=STANDARDS, pdf_tags=True)


if __name__ == "__main__":
    sys.stdout.buffer.write(typeset(sys.stdin.buffer.read().decode("utf-8")))
