"""Document → DOCX: real heading styles, tables, charts as images with their description, a
table of contents, page numbers in the footer.

python-docx makes the package (styles of its default template, page set-up, footer,
properties, the pictures' parts and the links' relations); the body is written as
WordprocessingML text into its document.xml (see packagexml): python-docx places and
validates each element one call at a time, and 2,000 commitments took half a minute."""
from __future__ import annotations

import functools
import io
import itertools

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Cm, Pt
from flask_babel import gettext as _
from lxml import etree

from . import packagexml, richtext
from .charts import svg_to_png
from ..documents.model import cell_text, language_tag

_MARGIN = Cm(2.2)
_TEXT_WIDTH = Cm(21 - 2 * 2.2)
_MARKER = "concert-body-marker"
_TWIPS_PER_CM = 567
_escape = packagexml.escape


def render(document: dict) -> bytes:
    doc = Document()
    _setup(doc, document)
    doc.add_paragraph(_MARKER)
    body = _Body(doc)
    body.title_page(document)
    body.contents(document["sections"])
    for section in document["sections"]:
        body.section(section, 1)
    buffer = io.BytesIO()
    doc.save(buffer)
    return packagexml.replace_in_content(buffer.getvalue(), f"<w:p><w:r><w:t>{_MARKER}</w:t></w:r></w:p>",
                                         "".join(body.parts), part="word/document.xml")


def _setup(doc, document: dict) -> None:
    properties = doc.core_properties
    properties.title = document["title"]
    properties.subject = document.get("subtitle", "")
    properties.author = document.get("subtitle") or document["title"]  # the territory
    properties.language = language_tag(document)
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    page = doc.sections[0]
    page.page_height, page.page_width = Cm(29.7), Cm(21)
    page.left_margin = page.right_margin = _MARGIN
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")


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


@functools.cache
def _style_ids() -> dict[str, str]:
    """Paragraph styles are named in the body by id: those of the default template."""
    return {style.name: style.style_id for style in Document().styles}


# --- WordprocessingML as text ---------------------------------------------------------------

def _run(text: str, *, bold: bool = False, italic: bool = False, mono: bool = False,
         link: bool = False) -> str:
    """A run; newlines in the text become line breaks."""
    if not text:
        return ""
    props = ('<w:rFonts w:ascii="Liberation Mono" w:hAnsi="Liberation Mono"/>' if mono else "")
    props += ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    if link:
        props += '<w:color w:val="1F3A93"/><w:u w:val="single"/>'
    content = "<w:br/>".join(f'<w:t xml:space="preserve">{_escape(line)}</w:t>'
                             for line in str(text).split("\n"))
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{content}</w:r>"


def _p(content: str = "", style: str | None = None, *, indent_cm: float = 0,
       space_after_pt: float | None = None, center: bool = False) -> str:
    props = f'<w:pStyle w:val="{_style_ids()[style]}"/>' if style else ""
    if space_after_pt is not None:
        props += f'<w:spacing w:after="{int(space_after_pt * 20)}"/>'
    if indent_cm:
        props += f'<w:ind w:left="{round(indent_cm * _TWIPS_PER_CM)}"/>'
    if center:
        props += '<w:jc w:val="center"/>'
    return f"<w:p>{f'<w:pPr>{props}</w:pPr>' if props else ''}{content}</w:p>"


_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


class _Body:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.parts: list[str] = []
        self.shape_ids = itertools.count(1000)

    def title_page(self, document: dict) -> None:
        self.parts += [_p()] * 6
        self.parts.append(_p(_run(document["title"]), "Title"))
        if document.get("subtitle"):
            self.parts.append(_p(_run(document["subtitle"]), "Subtitle"))
        self.parts += [_p(_run(f"{label} : ", bold=True) + _run(value))
                       for label, value in document.get("meta", [])]
        self.parts.append(_PAGE_BREAK)

    def contents(self, sections: list[dict]) -> None:
        """A table of contents the reader sees at once (section numbers and titles); page
        numbers are in every page's footer."""
        self.parts.append(_p(_run(_("Sommaire")), "TOC Heading"))

        def entries(items: list[dict], depth: int) -> None:
            for item in items:
                self.parts.append(_p(_run(f"{item['number']} {item['title']}".strip()),
                                     indent_cm=0.8 * depth, space_after_pt=2))
                entries(item["sections"], depth + 1)

        entries(sections, 0)
        self.parts.append(_PAGE_BREAK)

    def section(self, section: dict, depth: int) -> None:
        self.parts.append(_p(_run(f"{section['number']} {section['title']}".strip()),
                             f"Heading {min(depth, 9)}"))
        for block in section["blocks"]:
            self.block(block)
        for child in section["sections"]:
            self.section(child, depth + 1)

    def block(self, block: dict) -> None:
        kind = block["type"]
        if kind == "markdown":
            self.markdown(block["source"])
        elif kind == "paragraph":
            self.parts.append(_p(_run(block["text"])))
        elif kind == "list":
            self.parts += [_p(_run(item), "List Bullet") for item in block["items"]]
        elif kind == "fields":
            self.parts += [_p(_run(f"{label} : ", bold=True) + _run(value), space_after_pt=2)
                           for label, value in block["items"]]
        elif kind == "table":
            self.table(block)
        elif kind == "chart":
            self.chart(block)

    def markdown(self, source: str) -> None:
        for para in richtext.paragraphs(source):
            if para.kind == "hr":
                self.parts.append(_p(_run("* * *"), center=True))
                continue
            if para.kind == "li":
                style = "List Number" if para.ordered else "List Bullet"
                if para.level > 1:
                    style += f" {min(para.level, 3)}"
            else:
                style = {"quote": "Quote"}.get(para.kind)
            self.parts.append(_p("".join(self.rich_run(run) for run in para.runs), style))

    def rich_run(self, run: richtext.Run) -> str:
        out = "<w:r><w:br/></w:r>" if run.newline else ""
        if run.href:
            rel = self.doc.part.relate_to(run.href, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            return (f'{out}<w:hyperlink r:id="{rel}">'
                    f"{_run(run.text, bold=run.bold, italic=run.italic, link=True)}</w:hyperlink>")
        return out + _run(run.text, bold=run.bold, italic=run.italic, mono=run.code)

    def table(self, block: dict) -> None:
        if block.get("caption"):
            self.parts.append(_p(_run(block["caption"]), "Caption"))
        columns = block["columns"] or [""]
        width = _TEXT_WIDTH.twips // len(columns)
        cell_width = f'<w:tcW w:type="dxa" w:w="{width}"/>'

        def cell(text: str, header: bool = False) -> str:
            shading = '<w:shd w:val="clear" w:color="auto" w:fill="DCE3F0"/>' if header else ""
            return (f"<w:tc><w:tcPr>{cell_width}{shading}</w:tcPr>"
                    f"{_p(_run(text, bold=header))}</w:tc>")

        self.parts.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{_style_ids()["Table Grid"]}"/>'
            '<w:tblW w:type="auto" w:w="0"/><w:tblLook w:firstColumn="1" w:firstRow="1" '
            'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>'
            "<w:tblGrid>" + f'<w:gridCol w:w="{width}"/>' * len(columns) + "</w:tblGrid>"
            # The header row repeats on every page the table spans.
            '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>'
            + "".join(cell(str(title), header=True) for title in columns) + "</w:tr>")
        self.parts += ["<w:tr>" + "".join(cell(cell_text(value)) for value in
                                          (list(row) + [None] * len(columns))[:len(columns)])
                       + "</w:tr>" for row in block["rows"]]
        self.parts.append("</w:tbl>")
        self.parts.append(_p())

    def chart(self, block: dict) -> None:
        png = svg_to_png(block["svg"])
        if png is not None:
            rel, image = self.doc.part.get_or_add_image(io.BytesIO(png))
            width = Cm(16)
            height = int(width * image.px_height / max(image.px_width, 1))
            inline = CT_Inline.new_pic_inline(next(self.shape_ids), rel, image.filename,
                                              width, height)
            doc_pr = inline.find(qn("wp:docPr"))
            doc_pr.set("descr", block["alt"])
            doc_pr.set("title", block["title"])
            drawing = etree.tostring(inline, encoding="unicode")
            self.parts.append(_p(f"<w:r><w:drawing>{drawing}</w:drawing></w:r>", center=True))
        self.parts.append(_p(_run(block["title"]), "Caption", center=True))
        if png is None:
            self.parts.append(_p(_run(block["alt"])))
