"""The diagnostic page in Chromium: a facilitator imports the SSMSI file through the form and
reads the table and chart; the page meets WCAG 2.1 AA (axe) and fits a phone's width."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import SSMSI
from tests.browser.test_accessibility import (
    PHONE, VIEWPORTS, WCAG_21_AA, axe_source, describe,  # noqa: F401  (fixture)
)

SAMPLE = SSMSI / "base_communale_2024.csv"


def import_sample(page, base: str) -> None:
    page.goto(base + "/t/metropole/diagnostic")
    page.get_by_text("Importer une base du SSMSI (communale ou départementale)").click()
    page.get_by_label("Fichier CSV d'une base SSMSI").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("Import terminé : 16 lignes")).to_be_visible()


def test_facilitator_imports_and_reads_table_and_chart(server, world, page, sign_in):
    sign_in(page, world.facilitator)
    import_sample(page, server.url)
    # The unit of the SSMSI's count (victimes), and the evolution with its years.
    chart = page.get_by_role("img", name=re.compile(
        "^Coups et blessures volontaires — nombre de victimes sur le territoire"))
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile(r"\+10,7 % de 2016 à 2019"))
    table = page.get_by_role("table", name="Coups et blessures volontaires", exact=False)
    expect(table.get_by_role("row", name="Aix-en-Provence (13001)")).to_contain_text("non diffusé")
    expect(table.get_by_role("row", name="Total du territoire")).to_contain_text(re.compile(r"4\s502"))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_diagnostic_page_meets_wcag_21_aa(server, world, new_context, sign_in, axe_source,
                                         viewport):
    page = new_context(viewport=viewport, bypass_csp=True).new_page()
    sign_in(page, world.facilitator)
    import_sample(page, server.url)
    page.add_script_tag(path=str(axe_source))
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )["violations"]
    if violations:
        pytest.fail(f"axe on the diagnostic:\n{describe(violations)}", pytrace=False)
    if viewport is PHONE:  # WCAG 1.4.10 (Reflow), which axe does not check
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_long_import_is_followed_to_its_result(server, world, page, sign_in, tmp_path):
    """A file that takes longer than the form's wait: the status page (its script following
    the progress) ends on the diagnostic with the result."""
    from tests.api.test_diagnostic import national_file

    sign_in(page, world.facilitator)
    page.goto(server.url + "/t/metropole/diagnostic")
    page.get_by_text("Importer une base du SSMSI (communale ou départementale)").click()
    page.get_by_label("Fichier CSV d'une base SSMSI").set_input_files(
        str(national_file(tmp_path)))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("Import terminé : 16 lignes")).to_be_visible(timeout=120_000)
    expect(page).to_have_url(re.compile(r"/t/metropole/diagnostic#indicators$"))
