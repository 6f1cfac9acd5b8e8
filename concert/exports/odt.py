"""Document → ODT (odfdo): outline headings with the Heading styles, a table of contents,
tables with a header row, charts as PNG frames with their description, page numbers."""
from __future__ import annotations

import io
import itertools
import re

from flask_babel import gettext as _
from odfdo import TOC, Document, Paragraph, Span, Style, VarPageCount, VarPageNumber

from . import packagexml, richtext
from .charts import svg_to_png
from ..documents.model import cell_text, language_tag

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
    meta.language = language_tag(document)
    body = doc.body
    body.clear()
    _title_page(body, document)
    toc = TOC(_("Sommaire"))
    body.append(toc)
    body.append(Paragraph("", style="Page_20_Break"))
    _fill_contents(toc, doc, document["sections"])
    body.append(Paragraph(_MARKER))
    parts: list[str] = []
    tables = itertools.count(1)  # every table needs its own name
    for section in document["sections"]:
        _section_xml(doc, parts, section, 1, tables)
    buffer = io.BytesIO()
    doc.save(buffer)
    return packagexml.replace_in_content(
        buffer.getvalue(), f"<text:p>{_MARKER}</text:p>", "".join(parts))


def _fill_contents(toc: TOC, doc, sections: list[dict]) -> None:
    """The entries, from the model (the body is added as text, see packagexml): odfdo's
    own fill would also number them, and ours already carry the section numbers. A word
    processor updating the index finds the same outline headings."""
    toc.fill(doc)  # the index's structure and entry styles

    def entries(items: list[dict], depth: int) -> None:
        for item in items:
            toc.body.append(Paragraph(f"{item['number']} {item['title']}".strip(),
                                      style=f"odfto_toc_level_{min(depth, 10)}"))
            entries(item["sections"], depth + 1)

    entries(sections, 1)


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


# The body is written as ODF XML text (see packagexml).

_SPACES = re.compile(r"^ +| +$| {2,}")
_MARKER = "concert-body-marker"
_escape = packagexml.escape


def _spaces(match: re.Match) -> str:
    """ODF collapses spaces: leading, trailing and repeated ones are written as text:s."""
    count = len(match.group(0))
    at_edge = match.start() == 0 or match.end() == len(match.string)
    kept, extra = ("", count) if at_edge else (" ", count - 1)
    return kept + ("<text:s/>" if extra == 1 else f'<text:s text:c="{extra}"/>')


def _text(text: str) -> str:
    """Plain text as ODF inline content: spaces kept, newlines as line breaks."""
    return "<text:line-break/>".join(
        _SPACES.sub(_spaces, _escape(line)).replace("\t", "<text:tab/>")
        for line in str(text).split("\n"))


def _span(text: str, style: str | None) -> str:
    if not text:
        return ""
    if style is None:
        return f"<text:span>{_text(text)}</text:span>"
    return f'<text:span text:style-name="{style}">{_text(text)}</text:span>'


def _p(content: str, style: str = "Text_20_body") -> str:
    return f'<text:p text:style-name="{style}">{content}</text:p>'


def _section_xml(doc, parts: list[str], section: dict, depth: int, tables) -> None:
    level = min(depth, 10)
    title = f"{section['number']} {section['title']}".strip()
    parts.append(f'<text:h text:style-name="Heading_20_{level}" text:outline-level="{level}">'
                 f"{_text(title)}</text:h>")
    for block in section["blocks"]:
        _block(doc, parts, block, tables)
    for child in section["sections"]:
        _section_xml(doc, parts, child, depth + 1, tables)


def _block(doc, parts: list[str], block: dict, tables) -> None:
    kind = block["type"]
    if kind == "markdown":
        _markdown(parts, block["source"])
    elif kind == "paragraph":
        parts.append(_p(_text(block["text"])))
    elif kind == "list":
        parts.append("<text:list>" + "".join(
            f"<text:list-item>{_p(_text(item))}</text:list-item>" for item in block["items"])
            + "</text:list>")
    elif kind == "fields":
        parts += [_p(_span(f"{label} : ", "bold") + _text(value))
                  for label, value in block["items"]]
    elif kind == "table":
        _table(parts, block, next(tables))
    elif kind == "chart":
        _chart(doc, parts, block)


def _markdown(parts: list[str], source: str) -> None:
    """Lists are rebuilt from the walker's flat items (nesting by level)."""
    open_lists: list[tuple[int, bool]] = []  # (level, ordered) of the lists still open

    def close_to(level: int) -> None:
        while open_lists and open_lists[-1][0] > level:
            open_lists.pop()
            parts.append("</text:list-item></text:list>")

    for para in richtext.paragraphs(source):
        if para.kind != "li":
            close_to(0)
        if para.kind == "hr":
            parts.append(_p("* * *"))
            continue
        style = {"quote": "Quotations", "pre": "Preformatted_20_Text"}.get(para.kind,
                                                                         "Text_20_body")
        content = _p("".join(_run(run) for run in para.runs), style)
        if para.kind != "li":
            parts.append(content)
            continue
        close_to(para.level)
        if open_lists and open_lists[-1] == (para.level, para.ordered):
            parts.append("</text:list-item><text:list-item>" + content)
        else:
            if open_lists and open_lists[-1][0] == para.level:  # ordered ↔ bulleted
                close_to(para.level - 1)
            style_attr = ' text:style-name="Numbering_20_1"' if para.ordered else ""
            parts.append(f"<text:list{style_attr}><text:list-item>" + content)
            open_lists.append((para.level, para.ordered))
    close_to(0)


def _run(run: richtext.Run) -> str:
    prefix = "<text:line-break/>" if run.newline else ""
    if run.href:
        return (f'{prefix}<text:a xlink:type="simple" xlink:href="{_escape(run.href)}">'
                f"{_text(run.text)}</text:a>")
    style = ("bold-italic" if run.bold and run.italic else "bold" if run.bold
             else "italic" if run.italic else "code" if run.code else None)
    return prefix + _span(run.text, style)


def _table(parts: list[str], block: dict, number: int) -> None:
    if block.get("caption"):
        parts.append(_p(_text(block["caption"]), "Caption"))
    columns = block["columns"]
    parts.append(f'<table:table table:name="Tableau{number}">'
                 f'<table:table-column table:number-columns-repeated="{max(len(columns), 1)}"/>'
                 # A real header row: repeated at the top of each page the table spans.
                 "<table:table-header-rows><table:table-row>")
    parts += [_cell(str(title), "header-cell", "Table_20_Heading") for title in columns]
    parts.append("</table:table-row></table:table-header-rows>")
    for values in block["rows"]:
        parts.append("<table:table-row>" + "".join(
            _cell(cell_text(value), "body-cell", "Table_20_Contents") for value in values)
            + "</table:table-row>")
    parts.append("</table:table>")


def _cell(text: str, style: str, paragraph_style: str) -> str:
    return (f'<table:table-cell table:style-name="{style}" office:value-type="string">'
            f"{_p(_text(text), paragraph_style)}</table:table-cell>")


def _chart(doc, parts: list[str], block: dict) -> None:
    png = svg_to_png(block["svg"])
    if png is not None:
        uri = doc.add_file(io.BytesIO(png))
        parts.append(_p(
            f'<draw:frame draw:style-name="chart-frame" text:anchor-type="as-char" '
            f'svg:width="16cm" svg:height="{_height(png, 16)}" draw:z-index="0">'
            f'<draw:image xlink:href="{_escape(uri)}" xlink:type="simple" xlink:show="embed" '
            f'xlink:actuate="onLoad"/><svg:title>{_escape(block["title"])}</svg:title>'
            f'<svg:desc>{_escape(block["alt"])}</svg:desc></draw:frame>'))
    parts.append(_p(_text(block["title"]), "Caption"))
    if png is None:
        parts.append(_p(_text(block["alt"])))


def _height(png: bytes, width_cm: float) -> str:
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    return f"{width_cm * height / max(width, 1):.2f}cm"
