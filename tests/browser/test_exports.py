"""The Exporter menu of the commitments page: keyboard-reachable, passes axe (WCAG 2.1 AA)
open, and its links download the list a member sees, with the page's filters."""
from __future__ import annotations

import csv
import io

from playwright.sync_api import expect

from .test_accessibility import axe_source  # noqa: F401  (fixture)
from .test_workshops import run_axe

SLUG = "metropole"


def test_the_export_menu_downloads_the_filtered_list(server, world, api, new_context, sign_in,
                                                     axe_source):  # noqa: F811
    facilitator = api(world.facilitator)
    for title, party in (("Patrouilles à la gare Saint-Charles", "etat"),
                         ("Médiateurs de nuit", "collectivite")):
        answer = facilitator.post(f"/territories/{SLUG}/commitments",
                                  json={"title": title, "party": party, "source_posts": []})
        assert answer.status_code == 201, answer.text
    # bypass_csp: for the axe script only (see test_accessibility)
    page = sign_in(new_context(accept_downloads=True, bypass_csp=True).new_page(), world.actor)
    page.goto(f"{server.url}/t/{SLUG}/commitments?party=etat")
    menu = page.get_by_text("Exporter", exact=True)
    menu.focus()
    page.keyboard.press("Enter")
    csv_link = page.get_by_role("link", name="CSV (.csv)")
    expect(csv_link).to_be_visible()
    with page.expect_download() as download:
        csv_link.click()
    assert download.value.suggested_filename.startswith(f"engagements-{SLUG}-")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[1] for row in rows[1:]] == ["Patrouilles à la gare Saint-Charles"]
    run_axe(page, axe_source, "commitments page with the export menu open")
