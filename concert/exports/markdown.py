"""Document → Markdown: facilitator Markdown as written, the rest as plain Markdown."""
from __future__ import annotations

from flask_babel import gettext as _

from ..documents.model import cell_text


def _heading(level: int, text: str) -> str:
    return f"{'#' * min(level, 6)} {text}"


def _cell(value) -> str:
    return cell_text(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def table(caption: str, columns: list[str], rows: list[list]) -> list[str]:
    lines = [f"*{caption}*", ""] if caption else []
    lines.append("| " + " | ".join(_cell(c) for c in columns) + " |")
    lines.append("|" + "|".join(" --- " for _c in columns) + "|")
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _block(block: dict) -> list[str]:
    kind = block["type"]
    if kind == "markdown":
        return [block["source"].strip()]
    if kind == "paragraph":
        return [block["text"]]
    if kind == "list":
        return [f"- {item}" for item in block["items"]]
    if kind == "fields":
        return [f"- **{label}** : {value}" for label, value in block["items"]]
    if kind == "table":
        return table(block["caption"], block["columns"], block["rows"])
    if kind == "chart":
        label = _("Graphique")
        return [f"*{label} : {block['title']}* — {block['alt']}"]
    return []


def _section(section: dict, depth: int, out: list[str]) -> None:
    out += [_heading(depth + 1, f"{section['number']} {section['title']}".strip()), ""]
    for block in section["blocks"]:
        lines = _block(block)
        if lines and lines != [""]:
            out += lines + [""]
    for child in section["sections"]:
        _section(child, depth + 1, out)


def render(document: dict) -> bytes:
    out = [_heading(1, document["title"]), ""]
    if document.get("subtitle"):
        out += [f"**{document['subtitle']}**", ""]
    if document.get("meta"):
        out += [f"- {label} : {value}" for label, value in document["meta"]] + [""]
    out += [_heading(2, _("Sommaire")), ""]
    out += _toc(document["sections"], 0) + [""]
    for section in document["sections"]:
        _section(section, 1, out)
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")


def _toc(sections: list[dict], depth: int) -> list[str]:
    lines = []
    for section in sections:
        lines.append(f"{'  ' * depth}- " + f"{section['number']} {section['title']}".strip())
        lines += _toc(section["sections"], depth + 1)
    return lines

