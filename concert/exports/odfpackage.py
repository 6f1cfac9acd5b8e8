"""Large ODF content written as XML text into a package odfdo produced.

odfdo builds each element by parsing a template, and lxml re-maps namespaces when a
parsed subtree moves into the document: thousands of rows or paragraphs took minutes.
odfdo writes the package (styles, settings, manifest, pictures); the bulk goes into its
content.xml in place of a marker, as text."""
from __future__ import annotations

import io
import re
import zipfile

_XML_INVALID = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")


def escape(text) -> str:
    """Text for XML content or a double-quoted attribute (characters XML refuses dropped)."""
    return (_XML_INVALID.sub("", str(text)).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def replace_in_content(package: bytes, marker: str, xml: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content.xml":
                text = data.decode("utf-8")
                if marker not in text:
                    raise ValueError(f"marker {marker!r} not in content.xml")
                data = text.replace(marker, xml, 1).encode("utf-8")
            # the mimetype entry stays first and stored, as ODF requires
            target.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()
