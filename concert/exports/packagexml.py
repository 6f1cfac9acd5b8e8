"""Large bodies written as XML text into a package that a library produced (ODT, ODS, DOCX).

odfdo builds each element by parsing a template, and lxml re-maps namespaces when a
parsed subtree moves into the document; python-docx validates and places each element
one call at a time: thousands of rows or paragraphs took minutes (ODF) or half a minute
(DOCX). The library writes the package (styles, settings, manifest, pictures, relations);
the bulk goes into one of its XML parts in place of a marker, as text."""
from __future__ import annotations

import io
import re
import zipfile

_XML_INVALID = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff\\ufffe\\uffff]")


def escape(text) -> str:
    """Text for XML content or a double-quoted attribute (characters XML refuses dropped)."""
    return (_XML_INVALID.sub("", str(text)).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def replace_in_content(package: bytes, marker: str, xml: str, part: str = "content.xml") -> bytes:
    return replace_parts(package, {part: (marker, xml)})


def replace_parts(package: bytes, replacements: dict[str, tuple[str, str]]) -> bytes:
    """The package with, in each named part, its marker replaced by the XML text."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in replacements:
                marker, xml = replacements[info.filename]
                text = data.decode("utf-8")
                if marker not in text:
                    raise ValueError(f"marker {marker!r} not in {info.filename}")
                data = text.replace(marker, xml, 1).encode("utf-8")
            # an ODF package's mimetype entry stays first and stored, as ODF requires
            target.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()
