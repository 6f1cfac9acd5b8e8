"""The diagnostic's wiring, against a real server process and the real command, on both
databases: the API (import, read, entry, observations), the page and its forms, the CLI."""
from __future__ import annotations

import html
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import SSMSI, _server_env, browser_login

SLUG = "metropole"
DATA = SSMSI
BASE_2024 = DATA / "base_communale_2024.csv"
BASE_DEPARTMENTAL = DATA / "base_departementale_2024.csv"


def upload(api_as, path: Path = BASE_2024, **fields):
    with path.open("rb") as stream:
        return api_as.post(f"/territories/{SLUG}/diagnostic/import", data=fields,
                           files={"file": (path.name, stream, "text/csv")})


FOREIGN_LINES = 60_000  # of a commune outside the territory: a file read in many steps


def national_file(folder: Path) -> Path:
    """The sample file, then FOREIGN_LINES lines of Lyon (skipped by the territory)."""
    path = folder / "base_communale_nationale.csv"
    foreign = '"69123";"19";"Vols de véhicules";"véhicule";"diff";3120;6,0;NA;NA;520000;' \
              '"2019";290000;"2019"\n'
    path.write_bytes(BASE_2024.read_bytes() + foreign.encode() * FOREIGN_LINES)
    return path


def until_finished(read) -> tuple[object, list]:
    """Calls `read` (which answers the job's state, or None once it is over) until the job
    is over; returns the last answer and the states seen meanwhile."""
    seen = []
    deadline = time.monotonic() + 120
    while (state := read()) is not None:
        seen.append(state)
        assert time.monotonic() < deadline, seen[-1]
        time.sleep(0.2)
    return state, seen


def signed_in(server, person) -> requests.Session:
    session = requests.Session()
    assert browser_login(session, server.url, person.email).status_code == 302
    return session


# --- API ------------------------------------------------------------------------------

def test_import_answers_rows_and_skipped_then_everyone_reads(api, world):
    answer = upload(api(world.facilitator))
    assert answer.status_code == 201, answer.text
    assert {k: answer.json()[k] for k in ("rows", "skipped")} == {"rows": 16, "skipped": 2}
    for person in (world.facilitator, world.actor, world.observer):
        data = api(person).get(f"/territories/{SLUG}/diagnostic").json()
        assert data["import"]["rows"] == 16
        assert {i["indicator"] for i in data["indicators"]} == {
            "Coups et blessures volontaires", "Cambriolages de logement"}


def test_the_departmental_base_imports_beside_the_communal_one(api, world):
    assert upload(api(world.facilitator)).status_code == 201
    wrong = upload(api(world.facilitator), BASE_2024, kind="departmental")
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "file"
    answer = upload(api(world.facilitator), BASE_DEPARTMENTAL)  # told by its columns
    assert answer.status_code == 201, answer.text
    assert (answer.json()["rows"], answer.json()["import"]["kind"]) == (8, "departmental")
    data = api(world.observer).get(f"/territories/{SLUG}/diagnostic").json()
    assert data["import"]["kind"] == "communal"
    assert data["departmental_import"]["filename"] == BASE_DEPARTMENTAL.name
    assert data["departements"] == [{"code": "13", "label": "Bouches-du-Rhône (13)"}]
    item = next(i for i in data["indicators"] if i["indicator"] == "Coups et blessures volontaires")
    assert (item["unit_label"], item["evolution_years"]) == ("victimes", [2016, 2019])
    assert [(c["label"], c["rates"][0]) for c in item["comparisons"]] == [
        ("Bouches-du-Rhône (13)", 4.8), ("France", pytest.approx(4.44, abs=0.01))]
    assert upload(api(world.facilitator), BASE_2024, kind="autre").status_code == 422


def test_import_permissions_and_bad_input(api, world):
    assert upload(api(world.actor)).status_code == 403
    assert upload(api(world.observer)).status_code == 403
    # Refused before the upload is looked at: with no file at all, still 403, not 400.
    assert api(world.actor).post(f"/territories/{SLUG}/diagnostic/import",
                                 data={"other": "x"}).status_code == 403
    assert upload(api(world.outsider)).status_code == 404
    assert upload(api()).status_code == 401
    assert api(world.outsider).get(f"/territories/{SLUG}/diagnostic").status_code == 404
    no_file = api(world.facilitator).post(f"/territories/{SLUG}/diagnostic/import",
                                          data={"other": "x"})
    assert no_file.status_code == 400
    assert no_file.json()["error"]["code"] == "missing_file"
    bad = upload(api(world.facilitator), DATA / "malformed_year.csv")
    assert bad.status_code == 422
    assert bad.json()["error"]["message"].startswith("Ligne 5 : ")
    missing = upload(api(world.facilitator), DATA / "missing_column.csv")
    assert missing.status_code == 422 and "classe" in missing.json()["error"]["message"]
    assert api(world.actor).get(f"/territories/{SLUG}/diagnostic").json()["import"] is None


def test_entry_and_observation_through_the_api(api, world):
    saved = api(world.actor).put(f"/territories/{SLUG}/diagnostic/entry",
                                 json={"staff": "120 agents", "hours": "24 h/24"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["organisation"] == "DDSP 13"
    assert api(world.observer).put(f"/territories/{SLUG}/diagnostic/entry",
                                   json={"staff": "2"}).status_code == 403
    assert api(world.actor).put(f"/territories/{SLUG}/diagnostic/entry",
                                json={"x": "2"}).status_code == 422
    note = api(world.facilitator).post(f"/territories/{SLUG}/diagnostic/observations",
                                       json={"body": "Effectifs *tendus*",
                                             "entry": saved.json()["id"]})
    assert note.status_code == 201 and "<em>tendus</em>" in note.json()["html"]
    assert api(world.actor).post(f"/territories/{SLUG}/diagnostic/observations",
                                 json={"body": "x"}).status_code == 403
    data = api(world.observer).get(f"/territories/{SLUG}/diagnostic").json()
    assert data["entries"][0]["staff"] == "120 agents"
    assert data["observations"][0]["entry"] == saved.json()["id"]


def test_asynchronous_import_reports_progress_then_the_result(api, world, tmp_path):
    path = national_file(tmp_path)
    client = api(world.facilitator)
    with path.open("rb") as stream:
        started = client.post(f"/territories/{SLUG}/diagnostic/import",
                              headers={"Prefer": "respond-async"},
                              files={"file": (path.name, stream, "text/csv")})
    assert started.status_code == 202, started.text
    assert started.json()["size"] == path.stat().st_size
    location = started.headers["Location"]
    assert location.endswith(f"/territories/{SLUG}/diagnostic/imports/{started.json()['id']}")
    path = location.removeprefix("/api/v1")
    states = []

    def read():
        states.append(client.get(path).json())
        return states[-1] if states[-1]["status"] == "running" else None

    until_finished(read)
    last = states[-1]
    assert last["status"] == "done", last
    assert (last["lines"], last["kept"], last["skipped"]) == (19 + FOREIGN_LINES, 16,
                                                              2 + FOREIGN_LINES)
    assert last["bytes_read"] == last["size"] and last["import"]["rows"] == 16
    lines = [state["lines"] for state in states]
    assert lines == sorted(lines)  # progress only moves forward
    assert client.get(f"/territories/{SLUG}/diagnostic").json()["import"]["rows"] == 16
    # Only the territory's importers follow its jobs.
    assert api(world.actor).get(path).status_code == 403
    assert api(world.outsider).get(path).status_code == 404


def test_asynchronous_import_of_a_bad_file_ends_with_its_error(api, world):
    client = api(world.facilitator)
    with (DATA / "malformed_year.csv").open("rb") as stream:
        started = client.post(f"/territories/{SLUG}/diagnostic/import",
                              headers={"Prefer": "respond-async"},
                              files={"file": ("bad.csv", stream, "text/csv")})
    assert started.status_code == 202
    path = started.headers["Location"].removeprefix("/api/v1")
    until_finished(lambda: client.get(path).json()["status"] == "running" or None)
    final = client.get(path).json()
    assert final["status"] == "failed"
    assert final["error"] == "Ligne 5 : année « dix-neuf » invalide."
    assert client.get(f"/territories/{SLUG}/diagnostic").json()["import"] is None


# --- page -----------------------------------------------------------------------------

def test_page_follows_a_long_import_to_its_result(server, world, csrf_from, tmp_path):
    path = national_file(tmp_path)
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic")
    with path.open("rb") as stream:
        sent = session.post(f"{server.url}/t/{SLUG}/diagnostic/import",
                            data={"csrf_token": csrf_from(page.text)},
                            files={"file": (path.name, stream, "text/csv")},
                            allow_redirects=False)
    assert sent.status_code == 303, sent.text
    status_url = server.url + sent.headers["Location"]
    assert re.search(rf"/t/{SLUG}/diagnostic/imports/\d+$", status_url)

    def read():
        answer = session.get(status_url, allow_redirects=False)
        if answer.status_code == 303:
            return None
        # Still running: the progress, and a refresh for browsers without JavaScript.
        assert answer.status_code == 200 and 'data-status="running"' in answer.text
        assert '<progress id="import-progress"' in answer.text
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in answer.text
        return re.search(r"Import en cours : ([\d\s\u202f\u00a0]+) lignes lues", answer.text)

    until_finished(read)
    done = session.get(status_url)  # the diagnostic, with the result
    assert done.url.startswith(f"{server.url}/t/{SLUG}/diagnostic")
    assert "Import terminé : 16 lignes du territoire conservées, 60002 lignes d'autres " \
           "communes ignorées." in html.unescape(done.text)
    assert "base_communale_nationale.csv" in done.text and "<svg" in done.text


def test_page_shows_a_running_import_with_its_progress(server, world, ctx):
    from concert.services import accounts, diagnostic
    from concert.services.access import access

    job = diagnostic.start_import_job(
        access(accounts.find_user(world.facilitator.email), SLUG), "nationale.csv", 1000)
    diagnostic._save_job(job.id, bytes_read=400, lines=12000, kept=3, skipped=11996)
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic/imports/{job.id}",
                       allow_redirects=False)
    assert page.status_code == 200
    assert '<progress id="import-progress" max="1000" value="400">40 %</progress>' in page.text
    assert re.search(r'<p role="status" id="import-lines">Import en cours : 12.000 lignes lues, '
                     r"3 lignes du territoire conservées.</p>", page.text), page.text
    assert '<meta http-equiv="refresh"' in page.text and "js/import.js" in page.text
    other = signed_in(server, world.actor)
    assert other.get(f"{server.url}/t/{SLUG}/diagnostic/imports/{job.id}",
                     allow_redirects=False).status_code == 403


def test_page_shows_table_and_chart_and_the_upload_form_works(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic")
    assert page.status_code == 200
    assert "Aucune donnée quantitative" in page.text
    with BASE_2024.open("rb") as stream:
        done = session.post(f"{server.url}/t/{SLUG}/diagnostic/import",
                            data={"csrf_token": csrf_from(page.text)},
                            files={"file": (BASE_2024.name, stream, "text/csv")})
    assert done.status_code == 200 and "Import terminé" in done.text
    assert "<svg" in done.text and 'role="img"' in done.text
    assert "non diffusé" in done.text and "Total du territoire" in done.text
    assert "base_communale_2024.csv" in done.text
    assert "Communes du territoire : Marseille (13055), Aix-en-Provence (13001)." in done.text
    assert '<th scope="row">Marseille (13055)</th>' in done.text
    assert "nombre de victimes" in done.text and "+10,7 % de 2016 à 2019" in done.text
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic")
    with BASE_DEPARTMENTAL.open("rb") as stream:
        compared = session.post(f"{server.url}/t/{SLUG}/diagnostic/import",
                                data={"csrf_token": csrf_from(page.text),
                                      "kind": "departmental"},
                                files={"file": (BASE_DEPARTMENTAL.name, stream, "text/csv")})
    assert compared.status_code == 200 and "Import terminé" in compared.text
    assert '<th scope="row">Bouches-du-Rhône (13) — taux pour 1 000 habitants</th>' in (
        compared.text)
    assert "base_communale_2024.csv" in compared.text  # both imports are named


def test_page_refuses_a_malformed_upload_and_a_missing_token(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic")
    with (DATA / "malformed_fields.csv").open("rb") as stream:
        refused = session.post(f"{server.url}/t/{SLUG}/diagnostic/import",
                               data={"csrf_token": csrf_from(page.text)},
                               files={"file": ("bad.csv", stream, "text/csv")})
    assert refused.status_code == 422 and "Ligne 7 : 11 champs au lieu de 13." in refused.text
    with BASE_2024.open("rb") as stream:
        no_token = session.post(f"{server.url}/t/{SLUG}/diagnostic/import",
                                files={"file": ("a.csv", stream, "text/csv")})
    assert no_token.status_code == 400
    assert "Aucune donnée quantitative" in session.get(
        f"{server.url}/t/{SLUG}/diagnostic").text


def test_page_entry_form_for_actors_read_only_for_observers(server, world, csrf_from):
    actor = signed_in(server, world.actor)
    page = actor.get(f"{server.url}/t/{SLUG}/diagnostic")
    assert "Décrire les moyens et méthodes de DDSP 13" in page.text
    assert "Importer une base du SSMSI" not in page.text
    saved = actor.post(f"{server.url}/t/{SLUG}/diagnostic/entry", data={
        "csrf_token": csrf_from(page.text), "staff": "120 agents", "equipment": "",
        "hours": "", "partnerships": "", "schemes": "", "notes": ""})
    assert saved.status_code == 200 and "120 agents" in saved.text
    observer = signed_in(server, world.observer)
    read = observer.get(f"{server.url}/t/{SLUG}/diagnostic")
    assert "120 agents" in read.text and "Décrire les moyens" not in read.text
    assert observer.post(f"{server.url}/t/{SLUG}/diagnostic/entry", data={
        "csrf_token": csrf_from(read.text), "staff": "x"}).status_code == 403
    outsider = signed_in(server, world.outsider)
    assert outsider.get(f"{server.url}/t/{SLUG}/diagnostic").status_code == 404


def test_facilitator_adds_an_observation_from_the_page(server, world, csrf_from):
    session = signed_in(server, world.facilitator)
    page = session.get(f"{server.url}/t/{SLUG}/diagnostic")
    done = session.post(f"{server.url}/t/{SLUG}/diagnostic/observations", data={
        "csrf_token": csrf_from(page.text), "entry": "",
        "body": "La **nuit** concentre les faits."})
    assert done.status_code == 200 and "<strong>nuit</strong>" in done.text


# --- command line ---------------------------------------------------------------------

def test_cli_imports_and_prints_rows_and_skipped(runner, world):
    result = runner("diagnostic-import", SLUG, str(BASE_2024))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["kind: communal", "rows: 16", "skipped: 2"]
    # Not a terminal: the progress as lines on standard error.
    assert result.stderr.splitlines() == ["100 % : 19 lignes lues, 16 conservées, 2 ignorées"]
    departmental = runner("diagnostic-import", SLUG, str(BASE_DEPARTMENTAL), "--kind",
                          "departmental")
    assert departmental.returncode == 0, departmental.stderr
    assert departmental.stdout.splitlines() == ["kind: departmental", "rows: 8", "skipped: 8"]
    wrong = runner("diagnostic-import", SLUG, str(BASE_2024), "--kind", "departmental")
    assert wrong.returncode != 0 and "Code_departement" in wrong.stderr
    refused = runner("diagnostic-import", SLUG, str(DATA / "malformed_year.csv"))
    assert refused.returncode != 0 and "Ligne 5 : année « dix-neuf » invalide." in refused.stderr
    assert runner("diagnostic-import", "inconnu", str(BASE_2024)).returncode != 0


def test_demo_seeds_a_diagnostic_once(runner, ctx):
    import sqlalchemy as sa

    from concert.db import db
    from concert.models.diagnostic import (
        DelinquencyFigure, DiagnosticImport, DiagnosticObservation, QualitativeEntry,
        ReferenceFigure,
    )

    for _ in range(2):
        assert runner("demo").returncode == 0
    db.session.rollback()

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    assert count(DiagnosticImport) == 2  # the communal base and the departmental one
    assert count(ReferenceFigure, ReferenceFigure.area == "13") > 0
    assert count(ReferenceFigure, ReferenceFigure.area == "FR") > 0
    assert count(DelinquencyFigure) > 100
    assert count(DelinquencyFigure, DelinquencyFigure.published.is_(False)) > 0
    assert count(QualitativeEntry) == 2 and count(DiagnosticObservation) == 1


def test_cli_shows_a_progress_bar_on_a_terminal(world, database_url, instance_path, tmp_path):
    path = national_file(tmp_path)
    terminal, child_side = pty.openpty()
    result = subprocess.run(
        [sys.executable, "-m", "concert", "diagnostic-import", SLUG, str(path)],
        stdout=subprocess.PIPE, stderr=child_side, text=True, timeout=120,
        env=_server_env(database_url, instance_path))
    os.close(child_side)
    shown = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the terminal's other side is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(terminal)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["kind: communal", "rows: 16",
                                        f"skipped: {2 + FOREIGN_LINES}"]
    bar = shown.decode()
    assert "Lecture" in bar and "100%" in bar
    assert f"{19 + FOREIGN_LINES:,} lignes lues, 16 conservées" in bar
