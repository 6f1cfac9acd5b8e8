"""Avenants, governance, the pilot's measurements and the yearly evaluation through a real
server, on both databases: the typed API, its 4xx, and the events it broadcasts (checked
against their models by the `server` fixture)."""
from __future__ import annotations

from datetime import date

from tests.api.conftest import error

SLUG = "metropole"


def commitment(api, world, title: str, **fields) -> dict:
    response = api(world.facilitator).post(f"/territories/{SLUG}/commitments", json={
        "title": title, "party": "etat", "pilot": "DDSP 13", **fields})
    assert response.status_code == 201, response.text
    created = response.json()
    assert api(world.facilitator).patch(f"/commitments/{created['id']}",
                                        json={"status": "validated"}).status_code == 200
    return created


def test_avenants_only_once_signed_then_numbered(server, api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    patrols = commitment(api, world, "Patrouilles mixtes")
    error(fac.post(f"/territories/{SLUG}/contract/amendments", json={}), 409)
    assert fac.patch(f"/territories/{SLUG}", json={"phase": "signed"}).status_code == 200
    error(fac.post(f"/territories/{SLUG}/contract/amendments", json={}), 409)  # no change

    fac.patch(f"/commitments/{patrols['id']}", json={"pilot": "DDPN 13"})
    error(actor.post(f"/territories/{SLUG}/contract/amendments", json={}), 403)
    error(fac.post(f"/territories/{SLUG}/contract/amendments", json={"note": 5}), 422,
          field="note")
    response = fac.post(f"/territories/{SLUG}/contract/amendments", json={"note": "COPIL"})
    assert response.status_code == 201, response.text
    assert response.json()["number"] == 1 and response.json()["signed_version"] == 1
    assert response.json()["author"]["name"] == world.facilitator.name
    listed = actor.get(f"/territories/{SLUG}/contract/amendments").json()["items"]
    assert [(a["number"], a["note"]) for a in listed] == [(1, "COPIL")]
    error(api(world.outsider).get(f"/territories/{SLUG}/contract/amendments"), 404)


def test_governance_api(server, api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    body = {"chair": "Le préfet", "frequency": "deux fois par an",
            "composition": [{"organisation": "Parquet", "quality": "procureur"}],
            "clspd_link": "Formation plénière du CLSPD"}
    response = fac.put(f"/territories/{SLUG}/governance/copil", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Comité de pilotage (COPIL)"
    error(actor.put(f"/territories/{SLUG}/governance/copil", json=body), 403)
    error(fac.put(f"/territories/{SLUG}/governance/conseil", json=body), 404)
    error(fac.put(f"/territories/{SLUG}/governance/copil", json={"chairs": "x"}), 422,
          field="chairs")
    error(fac.put(f"/territories/{SLUG}/governance/copil",
                  json={"composition": [{"quality": "sans organisation"}]}), 422)
    items = actor.get(f"/territories/{SLUG}/governance").json()["items"]
    assert [i["kind"] for i in items] == ["copil", "comite_suivi"]
    assert items[0]["composition"] == [{"organisation": "Parquet", "quality": "procureur"}]
    assert items[1]["chair"] == ""


def test_the_pilot_records_its_measurements(server, api, world):
    created = commitment(api, world, "Patrouilles mixtes", indicators=[
        {"name": "Soirées", "baseline": 0, "target": 8, "frequency": "quarterly"}])
    indicator = created["indicators"][0]
    assert indicator["frequency"] == "quarterly"
    path = f"/commitments/{created['id']}/indicators/{indicator['id']}/measurements"
    pilot = api(world.actors[0])  # DDSP 13
    response = pilot.post(path, json={"date": "2026-10-01", "value": 4})
    assert response.status_code == 201, response.text
    assert response.json()["indicators"][0]["latest"] == 4
    error(api(world.actors[1]).post(path, json={"date": "2026-10-01", "value": 5}), 403)
    error(api(world.observer).post(path, json={"date": "2026-10-01", "value": 5}), 403)
    error(pilot.post(path, json={"date": "2026-10-01"}), 422, field="value")
    error(api(world.facilitator).patch(f"/commitments/{created['id']}", json={
        "indicators": [{"id": indicator["id"], "name": "Soirées", "frequency": "daily"}]}), 422)


def test_evaluation_years_synthesis_and_due_measurements(server, api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    year = date.today().year
    commitment(api, world, "Patrouilles mixtes", start_date="2020-01-01",
               indicators=[{"name": "Soirées", "frequency": "annual"}])
    response = fac.put(f"/territories/{SLUG}/evaluation/{year}/synthesis",
                       json={"body": "Bonne année."})
    assert response.status_code == 200, response.text
    assert response.json()["synthesis"] == "Bonne année."
    error(actor.put(f"/territories/{SLUG}/evaluation/{year}/synthesis", json={"body": "x"}), 403)
    error(fac.put(f"/territories/{SLUG}/evaluation/1999/synthesis", json={"body": "x"}), 404)
    error(fac.put(f"/territories/{SLUG}/evaluation/demain/synthesis", json={"body": "x"}), 400)
    items = actor.get(f"/territories/{SLUG}/evaluation").json()["items"]
    assert items == [{"year": year, "synthesis": "Bonne année.", "urls": {
        fmt: f"/t/{SLUG}/export/evaluation.{fmt}?year={year}"
        for fmt in ("pdf", "docx", "odt", "md")}}]
    due = actor.get(f"/territories/{SLUG}/evaluation/due").json()["items"]
    assert [(d["name"], d["due_on"], d["last_measured_on"]) for d in due] == [
        ("Soirées", "2021-01-01", None)]
