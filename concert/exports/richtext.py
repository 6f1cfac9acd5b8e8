"""Sanitised HTML (services.security.render_markdown) → paragraphs of styled runs, for the
word processors (DOCX, ODT). Only the sanitiser's allow-listed tags can occur; the text of
anything else (e.g. a Markdown heading, stripped by the sanitiser) is kept as a paragraph."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..services.security import render_markdown

_STYLES = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "code": "code"}


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None
    newline: bool = False  # a <br>: a line break before this run's text


@dataclass
class Paragraph:
    kind: str = "p"            # "p", "li", "quote", "pre", "hr"
    level: int = 0             # list nesting (1 = top-level item)
    ordered: bool = False
    number: int = 0            # position in an ordered list
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(("\n" if r.newline else "") + r.text for r in self.runs)


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[Paragraph] = []
        self.current: Paragraph | None = None
        self.marks: list[str] = []
        self.href: str | None = None
        self.lists: list[list] = []  # [ordered, counter]
        self.quote = 0
        self.pre = 0
        self.pending_break = False

    def _open(self, kind: str) -> Paragraph:
        level = len(self.lists)
        paragraph = Paragraph(kind=kind, level=level)
        if kind == "li" and self.lists:
            self.lists[-1][1] += 1
            paragraph.ordered, paragraph.number = self.lists[-1][0], self.lists[-1][1]
        self.paragraphs.append(paragraph)
        self.current = paragraph
        self.pending_break = False
        return paragraph

    def _close(self) -> None:
        self.current = None

    def handle_starttag(self, tag, attrs):
        if tag in _STYLES:
            self.marks.append(_STYLES[tag])
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 0])
            self._close()
        elif tag == "li":
            self._open("li")
        elif tag == "p":
            if not (self.current is not None and self.current.kind == "li" and not self.current.runs):
                self._open("quote" if self.quote else "p")
        elif tag == "blockquote":
            self.quote += 1
            self._close()
        elif tag == "pre":
            self.pre += 1
            self._open("pre")
        elif tag == "br":
            self.pending_break = True
        elif tag == "hr":
            self._open("hr")
            self._close()

    def handle_endtag(self, tag):
        if tag in _STYLES and _STYLES[tag] in self.marks:
            self.marks.reverse()
            self.marks.remove(_STYLES[tag])
            self.marks.reverse()
        elif tag == "a":
            self.href = None
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._close()
        elif tag in ("li", "p"):
            self._close()
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._close()
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._close()

    def handle_data(self, data):
        if not self.pre:
            if self.current is None and not data.strip():
                return
            data = data.replace("\n", " ") if self.current is not None else data.strip()
        if self.current is None:
            self._open("quote" if self.quote else "p")
        if self.current.kind == "pre":
            data = data.rstrip("\n") if not self.current.runs else data
        if (not self.current.runs or self.pending_break) and not self.pre:
            data = data.lstrip()
        if not data and not self.pending_break:
            return
        self.current.runs.append(Run(
            data, bold="bold" in self.marks, italic="italic" in self.marks,
            code="code" in self.marks or bool(self.pre), href=self.href,
            newline=self.pending_break and bool(self.current.runs)))
        self.pending_break = False


def paragraphs(markdown_source: str) -> list[Paragraph]:
    """The facilitator's Markdown, sanitised by the one sanitiser, as paragraphs of runs."""
    walker = _Walker()
    walker.feed(render_markdown(markdown_source or ""))
    walker.close()
    return [p for p in walker.paragraphs if p.runs or p.kind == "hr"]
