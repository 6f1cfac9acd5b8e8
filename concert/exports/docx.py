"""Document → DOCX (python-docx): real heading styles, tables, charts as images with their
description, a table of contents, page numbers in the footer."""
from __future__ import annotations

import functools
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from flask_babel import gettext as _

from . import richtext
from .charts import svg_to_png
from .document import cell_text, language_tag

_TEXT_WIDTH = Cm(21 - 2 * 2.2)  # A4 less the margins set in _setup


def render(document: dict) -> bytes:
    doc = Document()
    _setup(doc, document)
    _title_page(doc, document)
    _contents(doc, document["sections"])
    for section in document["sections"]:
        _section(doc, section, 1)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _setup(doc, document: dict) -> None:
    doc.core_properties.title = document["title"]
    doc.core_properties.subject = document.get("subtitle", "")
    doc.core_properties.language = language_tag(document)
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    page = doc.sections[0]
    page.page_height, page.page_width = Cm(29.7), Cm(21)
    page.left_margin = page.right_margin = Cm(2.2)
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


@functools.cache
def _style_ids() -> dict[str, str]:
    """python-docx finds a style by name with a scan of every style, for each paragraph:
    the ids of the default template's styles, resolved once, make long documents fast."""
    return {style.name: style.style_id for style in Document().styles}


def _place(doc, element) -> None:
    """Appends a block to the body, before its closing section properties. python-docx
    looks for those with a scan of the whole body for each block: quadratic on long
    documents, whereas they are always the body's last child."""
    body = doc.element.body
    last = next(body.iterchildren(reversed=True), None)  # len(body) would count them all
    if last is not None and last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)


def _add(doc, text: str = "", style: str | None = None) -> Paragraph:
    """A paragraph with the named style of the default template."""
    element = OxmlElement("w:p")
    _place(doc, element)
    paragraph = Paragraph(element, doc._body)
    if text:
        paragraph.add_run(text)
    if style:
        paragraph._p.get_or_add_pPr().style = _style_ids()[style]
    return paragraph


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) computed by the word processor."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _title_page(doc, document: dict) -> None:
    for _i in range(6):
        _add(doc)
    _add(doc, document["title"], "Title")
    if document.get("subtitle"):
        _add(doc, document["subtitle"], "Subtitle")
    for label, value in document.get("meta", []):
        paragraph = _add(doc)
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(value)
    _add(doc).add_run().add_break(WD_BREAK.PAGE)


def _contents(doc, sections: list[dict]) -> None:
    """A table of contents the reader sees at once (section numbers and titles); page
    numbers are in every page's footer."""
    _add(doc, _("Sommaire"), "TOC Heading")

    def entries(items, depth):
        for item in items:
            paragraph = _add(doc, f"{item['number']} {item['title']}".strip())
            paragraph.paragraph_format.left_indent = Cm(0.8 * depth)
            paragraph.paragraph_format.space_after = Pt(2)
            entries(item["sections"], depth + 1)

    entries(sections, 0)
    _add(doc).add_run().add_break(WD_BREAK.PAGE)


def _section(doc, section: dict, depth: int) -> None:
    _add(doc, f"{section['number']} {section['title']}".strip(), f"Heading {min(depth, 9)}")
    for block in section["blocks"]:
        _block(doc, block)
    for child in section["sections"]:
        _section(doc, child, depth + 1)


def _block(doc, block: dict) -> None:
    kind = block["type"]
    if kind == "markdown":
        _markdown(doc, block["source"])
    elif kind == "paragraph":
        _add(doc, block["text"])
    elif kind == "list":
        for item in block["items"]:
            _add(doc, item, "List Bullet")
    elif kind == "fields":
        for label, value in block["items"]:
            paragraph = _add(doc)
            paragraph.paragraph_format.space_after = Pt(2)
            paragraph.add_run(f"{label} : ").bold = True
            _text_with_breaks(paragraph, value)
    elif kind == "table":
        _table(doc, block)
    elif kind == "chart":
        _chart(doc, block)


def _text_with_breaks(paragraph, text: str, **marks):
    for i, line in enumerate(str(text).split("\n")):
        run = paragraph.add_run(line)
        if i:
            run._r.insert(0, OxmlElement("w:br"))
        for name, value in marks.items():
            setattr(run, name, value)


def _markdown(doc, source: str) -> None:
    for para in richtext.paragraphs(source):
        if para.kind == "hr":
            _add(doc, "* * *").alignment = WD_ALIGN_PARAGRAPH.CENTER
            continue
        if para.kind == "li":
            style = "List Number" if para.ordered else "List Bullet"
            if para.level > 1:
                style += f" {min(para.level, 3)}"
        else:
            style = {"quote": "Quote", "pre": "Normal"}.get(para.kind, "Normal")
        paragraph = _add(doc, "", style)
        for run in para.runs:
            _run(paragraph, run)


def _run(paragraph, run: richtext.Run) -> None:
    if run.newline:
        paragraph.add_run().add_break()
    if run.href:
        _hyperlink(paragraph, run)
        return
    for i, line in enumerate(run.text.split("\n")):
        if i:
            paragraph.add_run().add_break()
        out = paragraph.add_run(line)
        out.bold, out.italic = run.bold or None, run.italic or None
        if run.code:
            out.font.name = "Liberation Mono"


def _hyperlink(paragraph, run: richtext.Run) -> None:
    rel = paragraph.part.relate_to(
        run.href, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    r = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    for tag, value in (("w:color", "1F3A93"), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        props.append(element)
    if run.bold:
        props.append(OxmlElement("w:b"))
    if run.italic:
        props.append(OxmlElement("w:i"))
    r.append(props)
    text = OxmlElement("w:t")
    text.text = run.text
    text.set(qn("xml:space"), "preserve")
    r.append(text)
    link.append(r)
    paragraph._p.append(link)


def _table(doc, block: dict) -> None:
    if block.get("caption"):
        _add(doc, block["caption"], "Caption")
    columns = block["columns"]
    element = CT_Tbl.new_tbl(1, max(len(columns), 1), _TEXT_WIDTH)
    _place(doc, element)
    table = Table(element, doc._body)
    table._tbl.tblPr.style = _style_ids()["Table Grid"]
    header = table.rows[0]
    # The header row repeats on every page the table spans.
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for cell, title in zip(header.cells, columns):
        run = cell.paragraphs[0].add_run(str(title))
        run.bold = True
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:fill"), "DCE3F0")
        cell._tc.get_or_add_tcPr().append(shading)
    for row in block["rows"]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            if value is not None:
                _text_with_breaks(cell.paragraphs[0], cell_text(value))
    _add(doc)


def _chart(doc, block: dict) -> None:
    png = svg_to_png(block["svg"])
    if png is not None:
        picture = _add(doc)
        picture.add_run().add_picture(io.BytesIO(png), width=Cm(16))
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for doc_pr in picture._p.iter(qn("wp:docPr")):
            doc_pr.set("descr", block["alt"])
            doc_pr.set("title", block["title"])
    caption = _add(doc, block["title"], "Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if png is None:
        _add(doc, block["alt"])

