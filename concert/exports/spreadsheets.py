"""Renderers of the assembled commitment list (documents/commitment_list.py), one per
format in FORMATS.

Formula injection: a text cell that starts with = + - @ (or a tab / carriage return) would
be run as a formula by spreadsheet software. In CSV such a cell gets a leading apostrophe
(the OWASP advice: the spreadsheet shows the text, the apostrophe tells what happened);
XLSX and ODS cells are typed as text, so their content is kept exactly as written."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..documents import commitment_list as cl
from ..documents.model import cell_text
from ..services import commitment_list
from ..services.errors import NotFound
from . import Format, markdown, packagexml

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    text = cl.text(value)
    if not isinstance(value, (float, date)) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_bytes(listing: dict) -> bytes:
    """UTF-8 with BOM, `;`, CRLF, every field quoted when it holds `;`, quotes or newlines:
    what French spreadsheet software opens without an import dialog."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(cl.headers())
    for cells in listing["rows"]:
        writer.writerow([_csv_cell(v) for v in cells])
    return out.getvalue().encode("utf-8-sig")


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def json_bytes(listing: dict) -> bytes:
    data = {key: listing[key] for key in ("territory", "generated_at", "filters", "items")}
    return json.dumps(data, ensure_ascii=False, indent=1, default=_json_default).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------

def xlsx_bytes(listing: dict) -> bytes:
    """openpyxl makes the package (sheets, column widths, frozen header, filters, styles);
    the rows are written as SpreadsheetML text into its sheets (see packagexml): openpyxl's
    cells, even write-only, cost seconds per hundred thousand."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    workbook.properties.title = _("Engagements") + " — " + listing["territory"]["name"]
    sheets = [*cl.sheets(listing), (_("Indicateurs"), cl.indicator_rows(listing))]
    columns_of = [cl.COLUMNS] * (len(sheets) - 1) + [cl.INDICATOR_COLUMNS]
    worksheets = []
    for (title, rows), columns in zip(sheets, columns_of):
        worksheet = workbook.create_sheet(title[:31])
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        if rows:
            worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
        worksheets.append(worksheet)

    def style(**properties) -> int:
        cell = WriteOnlyCell(worksheets[0])
        for name, value in properties.items():
            setattr(cell, name, value)
        return cell.style_id

    top = Alignment(vertical="top", wrap_text=True)
    styles = {
        "header": style(font=Font(bold=True, color="FFFFFF"),
                        fill=PatternFill("solid", fgColor="1F3A93"),
                        alignment=Alignment(vertical="center", wrap_text=True)),
        "value": style(alignment=top),
        "date": style(alignment=top, number_format="DD/MM/YYYY"),
        "datetime": style(alignment=top, number_format="DD/MM/YYYY HH:MM"),
    }
    buffer = io.BytesIO()
    workbook.save(buffer)
    bodies = {}
    for number, ((_title, rows), columns) in enumerate(zip(sheets, columns_of), start=1):
        letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
        xml = [_xlsx_row(1, letters, cl.headers(columns), styles,
                         header=True)]
        xml += [_xlsx_row(index, letters, values, styles)
                for index, values in enumerate(rows, start=2)]
        bodies[f"xl/worksheets/sheet{number}.xml"] = (
            "<sheetData></sheetData>", f"<sheetData>{''.join(xml)}</sheetData>")
    return packagexml.replace_parts(buffer.getvalue(), bodies)


def _xlsx_row(number: int, letters: list[str], values, styles: dict, header: bool = False) -> str:
    from openpyxl.utils.datetime import to_excel

    cells = []
    for letter, value in zip(letters, values):
        ref = f"{letter}{number}"
        if value is None or value == "":
            cells.append(f'<c r="{ref}" s="{styles["value"]}"/>')
        elif header or isinstance(value, str):
            # An inline string: text stays text, even "=…" (never a formula).
            cells.append(f'<c r="{ref}" s="{styles["header" if header else "value"]}" '
                         f't="inlineStr"><is><t xml:space="preserve">'
                         f"{packagexml.escape(value)}</t></is></c>")
        elif isinstance(value, bool):
            cells.append(f'<c r="{ref}" s="{styles["value"]}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, (datetime, date)):
            kind = "datetime" if isinstance(value, datetime) else "date"
            cells.append(f'<c r="{ref}" s="{styles[kind]}"><v>{to_excel(value)}</v></c>')
        else:
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            cells.append(f'<c r="{ref}" s="{styles["value"]}"><v>{shown}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


# --- ODS -------------------------------------------------------------------------------

def ods_bytes(listing: dict) -> bytes:
    from odfdo import Document, Element, Style

    document = Document("spreadsheet")
    body = document.body
    body.clear()
    header_style = Style("table-cell", name="header")
    header_style.set_properties({"fo:background-color": "#1f3a93", "fo:wrap-option": "wrap",
                                 "style:vertical-align": "middle"}, area="table-cell")
    header_style.set_properties({"fo:font-weight": "bold", "fo:color": "#ffffff"}, area="text")
    document.insert_style(header_style, automatic=True)
    body_style = Style("table-cell", name="body")
    body_style.set_properties({"fo:wrap-option": "wrap", "style:vertical-align": "top"},
                              area="table-cell")
    document.insert_style(body_style, automatic=True)
    date_style = _date_style(document, "date-fr", with_time=False)
    datetime_style = _date_style(document, "datetime-fr", with_time=True)
    for name, style in (("date", date_style), ("datetime", datetime_style)):
        cell_style = Style("table-cell", name=name, parent_style="Default",
                           data_style=style)
        cell_style.set_attribute("style:data-style-name", style)
        cell_style.set_properties({"style:vertical-align": "top"}, area="table-cell")
        document.insert_style(cell_style, automatic=True)
    widths: dict[int, str] = {}

    def column_style(width: int) -> str:
        if width not in widths:
            style = Style("table-column", name=f"col{width}")
            style.set_properties({"style:column-width": f"{width * 0.21:.2f}cm"},
                                 area="table-column")
            document.insert_style(style, automatic=True)
            widths[width] = style.name
        return widths[width]

    names, sheets_xml = [], []
    for title, columns, rows in (
            [(t, cl.COLUMNS, r) for t, r in cl.sheets(listing)]
            + [(_("Indicateurs"), cl.INDICATOR_COLUMNS, cl.indicator_rows(listing))]):
        parts = [f'<table:table table:name="{_xml_attr(title)}">']
        parts += [f'<table:table-column table:style-name="{column_style(width)}"/>'
                  for width in (column.width for column in columns)]
        parts.append("<table:table-row>")
        parts += [_ods_cell(label, "header") for label in cl.headers(columns)]
        parts.append("</table:table-row>")
        for values in rows:
            parts.append("<table:table-row>")
            parts += [_ods_cell(value) for value in values]
            parts.append("</table:table-row>")
        parts.append("</table:table>")
        sheets_xml.append("".join(parts))
        names.append(title)
    _freeze_first_row(document, names)
    body.append(Element.from_tag(f'<table:table table:name="{_MARKER}"/>'))
    buffer = io.BytesIO()
    document.save(buffer)
    return packagexml.replace_in_content(
        buffer.getvalue(), f'<table:table table:name="{_MARKER}"/>', "".join(sheets_xml))


_MARKER = "concert-sheets"
_xml_text = packagexml.escape


def _ods_cell(value, style: str = "body") -> str:
    if value is None or value == "":
        return f'<table:table-cell table:style-name="{style}"/>'
    if isinstance(value, datetime):
        return (f'<table:table-cell table:style-name="datetime" office:value-type="date" '
                f'office:date-value="{value.replace(microsecond=0).isoformat()}">'
                f'<text:p>{value.strftime("%d/%m/%Y %H:%M")}</text:p></table:table-cell>')
    if isinstance(value, date):
        return (f'<table:table-cell table:style-name="date" office:value-type="date" '
                f'office:date-value="{value.isoformat()}">'
                f'<text:p>{value.strftime("%d/%m/%Y")}</text:p></table:table-cell>')
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (f'<table:table-cell table:style-name="{style}" office:value-type="float" '
                f'office:value="{value!r}"><text:p>{cell_text(value)}</text:p>'
                '</table:table-cell>')
    lines = "".join(f"<text:p>{_xml_text(line)}</text:p>" for line in str(value).split("\n"))
    return (f'<table:table-cell table:style-name="{style}" office:value-type="string">'
            f'{lines}</table:table-cell>')


def _date_style(document, name: str, *, with_time: bool) -> str:
    from odfdo import Element

    xml = (f'<number:date-style style:name="{name}">'
           '<number:day number:style="long"/><number:text>/</number:text>'
           '<number:month number:style="long"/><number:text>/</number:text>'
           '<number:year number:style="long"/>')
    if with_time:
        xml += ('<number:text> </number:text><number:hours number:style="long"/>'
                '<number:text>:</number:text><number:minutes number:style="long"/>')
    xml += "</number:date-style>"
    document.insert_style(Element.from_tag(xml), automatic=True)
    return name


def _freeze_first_row(document, names: list[str]) -> None:
    """LibreOffice keeps frozen panes in settings.xml, per sheet."""
    from odfdo import Element

    entries = "".join(
        f'<config:config-item-map-entry config:name="{_xml_attr(name)}">'
        '<config:config-item config:name="VerticalSplitMode" config:type="short">2</config:config-item>'
        '<config:config-item config:name="VerticalSplitPosition" config:type="int">1</config:config-item>'
        '<config:config-item config:name="ActiveSplitRange" config:type="short">2</config:config-item>'
        '<config:config-item config:name="PositionTop" config:type="int">0</config:config-item>'
        '<config:config-item config:name="PositionBottom" config:type="int">1</config:config-item>'
        '</config:config-item-map-entry>' for name in names)
    view = Element.from_tag(
        '<config:config-item-set config:name="ooo:view-settings">'
        '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
        '<config:config-item config:name="ViewId" config:type="string">view1</config:config-item>'
        f'<config:config-item-map-named config:name="Tables">{entries}</config:config-item-map-named>'
        f'<config:config-item config:name="ActiveTable" config:type="string">{_xml_attr(names[0])}</config:config-item>'
        '</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set>')
    settings = document.get_part("settings.xml").get_element("//office:settings")
    for existing in settings.get_elements("config:config-item-set"):
        if existing.get_attribute("config:name") == "ooo:view-settings":
            settings.delete(existing)
    settings.append(view)


_xml_attr = packagexml.escape


# --- Markdown --------------------------------------------------------------------------

def markdown_bytes(listing: dict) -> bytes:
    return markdown.render(commitment_list.as_document(listing))


FORMATS = {
    "csv": Format("text/csv; charset=utf-8", "csv", csv_bytes),
    "xlsx": Format("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx",
                   xlsx_bytes),
    "ods": Format("application/vnd.oasis.opendocument.spreadsheet", "ods", ods_bytes),
    "json": Format("application/json", "json", json_bytes),
    "md": Format("text/markdown; charset=utf-8", "md", markdown_bytes),
}


def render(listing: dict, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise NotFound(_l("Format d'export inconnu."))
    return FORMATS[fmt].render(listing)
