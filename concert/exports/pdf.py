"""Document → PDF: WeasyPrint lays out the HTML renderer's page with its print stylesheet.
Nothing is fetched from the network or the disk: only data: URLs (the charts) are read."""
from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .html import render_text


def render(document: dict) -> bytes:
    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=render_text(document), url_fetcher=fetcher).write_pdf()
