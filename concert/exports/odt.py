"""Document → ODT (odfdo): outline headings with the Heading styles, a table of contents,
tables with a header row, charts as PNG frames with their description, page numbers."""
from __future__ import annotations

import io
import itertools

from flask_babel import gettext as _
from odfdo import (
    TOC, Cell, Column, Document, Frame, Header, HeaderRows, LineBreak, Link, List, ListItem, Paragraph, Row, Span,
    Style, Table, VarPageCount, VarPageNumber,
)

from . import richtext
from .charts import svg_to_png
from .document import cell_text

_TEXT_STYLES = {
    "bold": {"fo:font-weight": "bold"},
    "italic": {"fo:font-style": "italic"},
    "bold-italic": {"fo:font-weight": "bold", "fo:font-style": "italic"},
    "code": {"style:font-name": "Liberation Mono"},
}
_PARAGRAPH_STYLES = {
    # name: (parent, text properties, paragraph properties)
    "Title": ("Heading", {"fo:font-size": "26pt", "fo:font-weight": "bold", "fo:color": "#1f3a93"},
              {"fo:margin-top": "6cm"}),
    "Subtitle": ("Heading", {"fo:font-size": "16pt"}, {}),
    "Meta": ("Text_20_body", {}, {"fo:margin-bottom": "0.1cm"}),
    "Quotations": ("Text_20_body", {"fo:font-style": "italic"},
                   {"fo:margin-left": "1cm", "fo:margin-right": "1cm"}),
    "Table_20_Contents": ("Standard", {"fo:font-size": "10pt"}, {}),
    "Table_20_Heading": ("Standard", {"fo:font-size": "10pt", "fo:font-weight": "bold"}, {}),
    "Footer": ("Standard", {"fo:font-size": "9pt"}, {"fo:text-align": "center"}),
    "Page_20_Break": ("Standard", {}, {"fo:break-after": "page"}),
}


def render(document: dict) -> bytes:
    doc = Document("text")
    _styles(doc)
    meta = doc.meta
    meta.title = document["title"]
    meta.subject = document.get("subtitle", "")
    meta.language = "fr-FR"
    body = doc.body
    body.clear()
    _title_page(body, document)
    toc = TOC(_("Sommaire"))
    body.append(toc)
    body.append(Paragraph("", style="Page_20_Break"))
    tables = itertools.count(1)  # every table needs its own name
    for section in document["sections"]:
        _section(doc, body, section, 1, tables)
    _fill_contents(toc, doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _fill_contents(toc: TOC, doc) -> None:
    """odfdo's fill numbers the entries itself; ours already carry the section numbers."""
    toc.fill(doc)
    entries = [p for p in toc.body.get_elements("text:p")
               if (p.style or "").startswith("odfto_toc_level_")]
    for entry, header in zip(entries, doc.body.headers):
        style = entry.style
        entry.clear()
        entry.style = style
        entry.append_plain_text(str(header).strip())


def _styles(doc) -> None:
    for name, properties in _TEXT_STYLES.items():
        style = Style("text", name=name)
        style.set_properties(properties, area="text")
        doc.insert_style(style, automatic=True)
    for name, (parent, text, paragraph) in _PARAGRAPH_STYLES.items():
        style = Style("paragraph", name=name, display_name=name.replace("_20_", " "),
                      parent_style=parent)
        if text:
            style.set_properties(text, area="text")
        if paragraph:
            style.set_properties(paragraph, area="paragraph")
        doc.insert_style(style)
    cell = Style("table-cell", name="header-cell")
    cell.set_properties({"fo:background-color": "#dce3f0", "fo:border": "0.5pt solid #808080",
                         "fo:padding": "0.1cm"}, area="table-cell")
    doc.insert_style(cell, automatic=True)
    cell = Style("table-cell", name="body-cell")
    cell.set_properties({"fo:border": "0.5pt solid #808080", "fo:padding": "0.1cm"},
                        area="table-cell")
    doc.insert_style(cell, automatic=True)
    chart = Style("graphic", name="chart-frame", parent_style="Graphics")
    chart.set_properties({"style:horizontal-pos": "center", "style:horizontal-rel": "paragraph",
                          "style:wrap": "none"}, area="graphic")
    doc.insert_style(chart, automatic=True)
    footer = Paragraph(_("Page") + " ", style="Footer")
    footer.append(VarPageNumber(select_page="current"))
    footer.append(Span(" / "))
    footer.append(VarPageCount())
    doc.get_style("master-page", "Standard").set_page_footer(footer)


def _title_page(body, document: dict) -> None:
    body.append(Paragraph(document["title"], style="Title"))
    if document.get("subtitle"):
        body.append(Paragraph(document["subtitle"], style="Subtitle"))
    for label, value in document.get("meta", []):
        paragraph = Paragraph("", style="Meta")
        paragraph.append(Span(f"{label} : ", style="bold"))
        paragraph.append(Span(value))
        body.append(paragraph)
    body.append(Paragraph("", style="Page_20_Break"))


def _section(doc, body, section: dict, depth: int, tables) -> None:
    level = min(depth, 10)
    body.append(Header(level, f"{section['number']} {section['title']}".strip(),
                       style=f"Heading_20_{level}"))
    for block in section["blocks"]:
        _block(doc, body, block, tables)
    for child in section["sections"]:
        _section(doc, body, child, depth + 1, tables)


def _block(doc, body, block: dict, tables) -> None:
    kind = block["type"]
    if kind == "markdown":
        _markdown(body, block["source"])
    elif kind == "paragraph":
        body.append(_lines(Paragraph("", style="Text_20_body"), block["text"]))
    elif kind == "list":
        items = List()
        for item in block["items"]:
            items.append(ListItem(item))
        body.append(items)
    elif kind == "fields":
        for label, value in block["items"]:
            paragraph = Paragraph("", style="Text_20_body")
            paragraph.append(Span(f"{label} : ", style="bold"))
            body.append(_lines(paragraph, value))
    elif kind == "table":
        _table(body, block, next(tables))
    elif kind == "chart":
        _chart(doc, body, block)


def _lines(paragraph: Paragraph, text: str) -> Paragraph:
    for i, line in enumerate(str(text).split("\n")):
        if i:
            paragraph.append(LineBreak())
        if line:
            paragraph.append(Span(line))
    return paragraph


def _markdown(body, source: str) -> None:
    """Lists are rebuilt from the walker's flat items (nesting by level)."""
    stack: list[tuple[int, List]] = []
    for para in richtext.paragraphs(source):
        if para.kind != "li":
            stack.clear()
        if para.kind == "hr":
            body.append(Paragraph("* * *", style="Text_20_body"))
            continue
        style = {"quote": "Quotations", "pre": "Preformatted_20_Text"}.get(para.kind,
                                                                         "Text_20_body")
        paragraph = Paragraph("", style=style)
        for run in para.runs:
            _run(paragraph, run)
        if para.kind != "li":
            body.append(paragraph)
            continue
        while stack and stack[-1][0] > para.level:
            stack.pop()
        if not stack or stack[-1][0] < para.level:
            new = List(style="Numbering_20_1" if para.ordered else None)
            if stack:
                stack[-1][1].get_elements("text:list-item")[-1].append(new)
            else:
                body.append(new)
            stack.append((para.level, new))
        item = ListItem()
        item.append(paragraph)
        stack[-1][1].append(item)


def _run(paragraph: Paragraph, run: richtext.Run) -> None:
    if run.newline:
        paragraph.append(LineBreak())
    if run.href:
        paragraph.append(Link(run.href, text=run.text))
        return
    style = ("bold-italic" if run.bold and run.italic else "bold" if run.bold
             else "italic" if run.italic else "code" if run.code else None)
    for i, line in enumerate(run.text.split("\n")):
        if i:
            paragraph.append(LineBreak())
        if line:
            paragraph.append(Span(line, style=style))


def _table(body, block: dict, number: int) -> None:
    if block.get("caption"):
        body.append(Paragraph(block["caption"], style="Caption"))
    columns = block["columns"]
    table = Table(f"Tableau{number}")
    table.append(Column(repeated=max(len(columns), 1)))
    header = Row()
    for title in columns:
        header.append_cell(_cell(str(title), "header-cell", "Table_20_Heading"), clone=False)
    # A real header row: repeated at the top of each page the table spans.
    header_rows = HeaderRows()
    header_rows.append(header)
    table.append(header_rows)
    for values in block["rows"]:
        row = Row()
        for value in values:
            row.append_cell(_cell(cell_text(value), "body-cell", "Table_20_Contents"),
                            clone=False)
        table.append_row(row, clone=False)
    body.append(table)


def _cell(text: str, style: str, paragraph_style: str) -> Cell:
    cell = Cell(style=style)
    cell.append(_lines(Paragraph("", style=paragraph_style), text))
    return cell


def _chart(doc, body, block: dict) -> None:
    png = svg_to_png(block["svg"])
    if png is not None:
        uri = doc.add_file(io.BytesIO(png))
        frame = Frame.image_frame(uri, size=("16cm", _height(png, 16)), anchor_type="as-char",
                                  style="chart-frame")
        frame.svg_title = block["title"]
        frame.svg_description = block["alt"]
        paragraph = Paragraph("", style="Text_20_body")
        paragraph.append(frame)
        body.append(paragraph)
    body.append(Paragraph(block["title"], style="Caption"))
    if png is None:
        body.append(Paragraph(block["alt"], style="Text_20_body"))


def _height(png: bytes, width_cm: float) -> str:
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return f"{width_cm * height / max(width, 1):.2f}cm"
