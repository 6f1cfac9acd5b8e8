"""The act's API through a real server, on both databases: signatories, the act's settings,
the axes, a commitment's act fields; every refusal a 4xx with its field."""
from __future__ import annotations

from tests.api.conftest import error

SLUG = "metropole"
BASE = f"/territories/{SLUG}/contract"


def test_signatories_through_the_api(api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    response = fac.post(f"{BASE}/signatories", json={
        "role": "collectivite", "organisation": "la commune de Marseille",
        "person": "M. Antoine Ferrand", "quality": "maire de Marseille",
        "deliberation_date": "2026-10-19", "deliberation_number": "26/0412/VAT"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {"id": created["id"], "position": 0, "role": "collectivite",
                       "organisation": "la commune de Marseille",
                       "person": "M. Antoine Ferrand", "quality": "maire de Marseille",
                       "deliberation_date": "2026-10-19",
                       "deliberation_number": "26/0412/VAT"}
    assert actor.get(f"{BASE}/signatories").json()["items"] == [created]
    edited = fac.patch(f"{BASE}/signatories/{created['id']}", json={"person": "Mme Anne Petit"})
    assert edited.status_code == 200 and edited.json()["person"] == "Mme Anne Petit"
    document = actor.get(BASE).json()
    parties = next(s for s in document["sections"] if s["key"] == "parties")
    assert parties["blocks"][1]["text"].startswith(
        "la commune de Marseille, représentée par Mme Anne Petit, maire de Marseille, "
        "autorisée par délibération n° 26/0412/VAT du 19 octobre 2026")

    error(actor.post(f"{BASE}/signatories", json={"role": "etat", "organisation": "l'État"}),
          403)
    error(fac.post(f"{BASE}/signatories", json={"organisation": "l'État"}), 422, field="role")
    error(fac.post(f"{BASE}/signatories", json={"role": "roi", "organisation": "x"}), 422,
          field="role")
    error(fac.post(f"{BASE}/signatories", json={"role": "etat", "organisation": ""}), 422,
          field="organisation")
    error(fac.patch(f"{BASE}/signatories/{created['id']}", json={"deliberation_date": "hier"}),
          422, field="deliberation_date")
    error(fac.patch(f"{BASE}/signatories/{created['id']}", json={"qualite": "x"}), 422,
          field="qualite")
    error(fac.post(f"{BASE}/signatories", data="[]"), 400)
    error(api(world.outsider).get(f"{BASE}/signatories"), 404)
    error(fac.patch(f"{BASE}/signatories/99999", json={"person": "x"}), 404)
    assert fac.delete(f"{BASE}/signatories/{created['id']}").status_code == 204
    error(fac.delete(f"{BASE}/signatories/{created['id']}"), 404)


def test_act_settings_through_the_api(api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    defaults = actor.get(f"{BASE}/act").json()
    assert defaults["visas_default"] is True and len(defaults["visas"]) == 4
    assert defaults["court"] == "tribunal administratif de Marseille"
    assert (defaults["notice_months"], defaults["place"], defaults["ends_on"]) == (3, "", None)
    changed = fac.patch(f"{BASE}/act", json={"place": "Marseille", "signed_on": "2027-01-08",
                                             "originals": 4, "visas": ["Vu le code pénal ;"]})
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"visas_default": False} == {
        **defaults, "place": "Marseille", "signed_on": "2027-01-08", "originals": 4,
        "visas": ["Vu le code pénal ;"], "visas_default": False}
    markdown = actor.get(BASE).json()
    signatures = next(s for s in markdown["sections"] if s["key"] == "signatures")
    assert signatures["blocks"][0]["text"] == (
        "Fait à Marseille, le 8 janvier 2027, en 4 exemplaires originaux.")
    error(actor.patch(f"{BASE}/act", json={"place": "Aix"}), 403)
    for body, field in (({"originals": 0}, "originals"), ({"notice_months": "six"},
                        "notice_months"), ({"ends_on": "2032-13-01"}, "ends_on"),
                        ({"visas": [1]}, "visas"), ({"tribunal": "x"}, "tribunal")):
        error(fac.patch(f"{BASE}/act", json=body), 422, field=field)


def test_axes_and_a_commitments_act_fields_through_the_api(api, world):
    fac, actor = api(world.facilitator), api(world.actor)
    axes = actor.get(f"{BASE}/axes").json()["items"]
    assert axes[0] == {"key": "tranquillite", "label": "Tranquillité publique",
                       "commitments": 0}
    assert len(axes) == 15
    framework = fac.post(f"{BASE}/frameworks", json={"kind": "pvd", "name":
                         "Petites villes de demain — Martigues"}).json()
    response = fac.post(f"/territories/{SLUG}/commitments", json={
        "title": "Rodéos motorisés", "party": "etat", "axis": "routes", "financing": "FIPD",
        "target_area": "QRR Marseille nord", "framework": framework["id"],
        "indicators": [{"name": "Rodéos signalés", "baseline": 40, "target": 10,
                        "reference_year": 2026, "source": "DDPN"}]})
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["axis"], created["financing"], created["target_area"],
            created["framework"]) == ("routes", "FIPD", "QRR Marseille nord", framework["id"])
    assert created["indicators"][0]["reference_year"] == 2026
    assert next(a for a in actor.get(f"{BASE}/axes").json()["items"]
                if a["key"] == "routes")["commitments"] == 1

    error(fac.patch(f"/commitments/{created['id']}", json={"axis": "inconnu"}), 422,
          field="axis")
    error(fac.patch(f"/commitments/{created['id']}", json={"framework": 99999}), 404,
          field="framework")
    error(fac.patch(f"/commitments/{created['id']}", json={
        "indicators": [{"name": "x", "reference_year": "deux mille"}]}), 422,
        field="indicators")

    kept = [{"key": "routes", "label": "Sécurité routière, rodéos urbains"}]
    answer = fac.put(f"{BASE}/axes", json={"axes": kept + [{"label": "Grands événements"}]})
    assert answer.status_code == 200, answer.text
    assert [a["label"] for a in answer.json()["items"]] == [
        "Sécurité routière, rodéos urbains", "Grands événements"]
    error(fac.put(f"{BASE}/axes", json={"axes": [{"label": "Grands événements"}]}), 409,
          field="axes")
    error(fac.put(f"{BASE}/axes", json={}), 422, field="axes")
    error(fac.put(f"{BASE}/axes", json={"axes": [{"label": ""}]}), 422, field="axes")
    error(actor.put(f"{BASE}/axes", json={"axes": None}), 403)
    assert len(fac.put(f"{BASE}/axes", json={"axes": None}).json()["items"]) == 15
