"""The pages of the evaluation against a real server, without JavaScript: the pilot's
measurement form, "mesure attendue", the governance forms, the years and their syntheses,
the avenants page."""
from __future__ import annotations

import html
from datetime import date

import requests

from tests.conftest import _csrf_from, browser_login

SLUG = "metropole"


def signed_in(server, person) -> requests.Session:
    session = requests.Session()
    assert browser_login(session, server.url, person.email).status_code == 302
    return session


def submit(session, page_url: str, action_url: str, data: dict):
    token = _csrf_from(session.get(page_url).text)
    return session.post(action_url, data={"csrf_token": token, **data}, allow_redirects=False)


def validated(api, world, **fields) -> dict:
    fac = api(world.facilitator)
    created = fac.post(f"/territories/{SLUG}/commitments", json={
        "title": "Patrouilles mixtes", "party": "etat", "pilot": "DDSP 13", **fields}).json()
    assert fac.patch(f"/commitments/{created['id']}",
                     json={"status": "validated"}).status_code == 200
    return created


def test_the_pilot_records_a_measurement_from_the_page(server, api, world):
    commitment = validated(api, world, start_date="2020-01-01", indicators=[
        {"name": "Soirées de patrouille", "baseline": 0, "target": 8, "frequency": "annual"}])
    page = f"{server.url}/t/{SLUG}/commitments/{commitment['id']}"
    pilot = signed_in(server, world.actors[0])
    text = pilot.get(page).text
    assert "mesure attendue" in text and "Nouvelle mesure" in text
    assert "Modifier l'engagement" not in text  # a pilot measures, facilitators edit
    response = submit(pilot, page, page + "/measurements", {
        "indicator": str(commitment["indicators"][0]["id"]),
        "date": date.today().isoformat(), "value": "3"})
    assert response.status_code == 302
    assert "mesure attendue" not in pilot.get(page).text

    other = signed_in(server, world.actors[1])
    assert "Nouvelle mesure" not in other.get(page).text
    token = _csrf_from(other.get(f"{server.url}/t/{SLUG}/evaluation").text)
    refused = other.post(page + "/measurements", data={
        "csrf_token": token, "indicator": str(commitment["indicators"][0]["id"]),
        "date": date.today().isoformat(), "value": "9"}, allow_redirects=False)
    assert refused.status_code == 403
    latest = api(world.actor).get(f"/commitments/{commitment['id']}").json()
    assert [m["value"] for m in latest["indicators"][0]["measurements"]] == [3]


def test_governance_page(server, world):
    page = f"{server.url}/t/{SLUG}/governance"
    fac = signed_in(server, world.facilitator)
    response = submit(fac, page, page, {
        "kind": "copil", "copil-chair": "Le préfet et la maire",
        "copil-composition": "Parquet de Marseille : procureur de la République\nDDPN 13",
        "copil-frequency": "deux fois par an", "copil-clspd_link": "", "copil-missions": ""})
    assert response.status_code == 302
    text = html.unescape(fac.get(page).text)
    assert "Parquet de Marseille : procureur de la République\nDDPN 13" in text
    actor = signed_in(server, world.actor)
    shown = html.unescape(actor.get(page).text)
    assert "Le préfet et la maire" in shown and "Parquet de Marseille — procureur" in shown
    assert submit(actor, f"{server.url}/t/{SLUG}/evaluation", page,
                  {"kind": "copil", "copil-chair": "x"}).status_code == 403


def test_evaluation_page_years_and_synthesis(server, world):
    year = date.today().year
    page = f"{server.url}/t/{SLUG}/evaluation"
    fac = signed_in(server, world.facilitator)
    text = fac.get(page).text
    assert f"/t/{SLUG}/export/evaluation.pdf?year={year}" in text
    assert submit(fac, page, f"{page}/{year}/synthesis",
                  {f"y{year}-body": "Une année de **mise en place**."}).status_code == 302
    shown = signed_in(server, world.observer).get(page).text
    assert "<strong>mise en place</strong>" in shown
    assert "Aucune mesure n&#39;est attendue à ce jour." in shown or \
        "Aucune mesure n'est attendue à ce jour." in shown


def test_amendments_page_before_and_after_signature(server, api, world):
    commitment = validated(api, world)
    page = f"{server.url}/t/{SLUG}/amendments"
    fac = signed_in(server, world.facilitator)
    assert "pas encore signé" in html.unescape(fac.get(page).text)
    api(world.facilitator).patch(f"/territories/{SLUG}", json={"phase": "signed"})
    api(world.facilitator).patch(f"/commitments/{commitment['id']}", json={"pilot": "DDPN 13"})
    text = html.unescape(fac.get(page).text)
    assert "La rubrique « Pilote » de l'engagement n° 1 est remplacée par : « DDPN 13 »." in text
    assert submit(fac, page, page, {"note": "COPIL"}).status_code == 302
    text = html.unescape(fac.get(page).text)
    assert "Avenant n° 1" in text and f"/t/{SLUG}/export/amendment.pdf?number=1" in text
    assert "aucun avenant à établir" in text
