"""Document → PDF: WeasyPrint lays out the HTML renderer's page with its print stylesheet.

The layout is long CPU work (about five pages a second, and its memory grows with the page
count), and a server process runs every live connection on one gevent loop: the layout
therefore runs in a child process (`python -m concert.exports.pdf`), which the loop waits
for without blocking, and which gives its memory back when it ends. A server process lays
out one PDF at a time; further requests queue. Nothing is fetched from the network or the
disk: WeasyPrint may read only data: URLs (the charts)."""
from __future__ import annotations

import subprocess
import sys
import threading

from .html import render_text

_ONE_AT_A_TIME = threading.BoundedSemaphore(1)  # gevent-aware once monkey-patched
TIMEOUT = 900  # seconds: about 4,000 pages


class PdfError(RuntimeError):
    pass


def render(document: dict) -> bytes:
    html = render_text(document).encode("utf-8")
    with _ONE_AT_A_TIME:
        child = subprocess.run([sys.executable, "-m", "concert.exports.pdf"], input=html,
                               capture_output=True, timeout=TIMEOUT, check=False)
    if child.returncode != 0:
        raise PdfError(child.stderr.decode("utf-8", "replace")[-2000:])
    return child.stdout


def _layout(html: bytes) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=html.decode("utf-8"), url_fetcher=fetcher).write_pdf()


if __name__ == "__main__":
    sys.stdout.buffer.write(_layout(sys.stdin.buffer.read()))
