"""The wheel carries everything the app needs at run time: templates, static files,
migrations, translations, the commune names generated at set-up and the `concert` command."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# One worker builds the wheel once for the whole module (pytest-xdist, --dist loadgroup).
pytestmark = pytest.mark.xdist_group("wheel")


def _can_build_without_network() -> bool:
    """setuptools builds wheels on its own from 70.1, before that with the `wheel` package."""
    import setuptools

    version = tuple(int(part) for part in setuptools.__version__.split(".")[:2])
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not _can_build_without_network():
        pytest.skip("building needs setuptools>=70.1 or the `wheel` package: pip install wheel")
    # Build from a copy: an in-tree build leaves build/ behind, and a stale build/lib
    # would put deleted files into the next wheel.
    source = tmp_path_factory.mktemp("source") / "concert"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "build", "dist", "instance", "*.egg-info",
        "__pycache__", ".pytest_cache", "bench", "tests"))
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    [built] = out.glob("concert-*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_ships_templates_static_files_migrations_translations_and_data(names):
    for required in [
        "concert/templates/base.html",
        "concert/static/css/concert.css",
        "concert/migrations/env.py",
        "concert/migrations/script.py.mako",
        "concert/translations/en/LC_MESSAGES/messages.mo",
        "concert/data/communes.tsv",
        "concert/data/departements.tsv",
        "concert/exports/document.typ",
        "concert/exports/print.css",
    ]:
        assert required in names, f"{required} missing from the wheel"
    assert any(n.startswith("concert/migrations/versions/") and n.endswith(".py") for n in names)


def test_the_wheel_ships_every_template_migration_and_static_file_of_the_checkout(names):
    for folder, package in [("templates", "concert/templates"), ("static", "concert/static"),
                            ("migrations/versions", "concert/migrations/versions")]:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            relative = path.relative_to(ROOT / folder).as_posix()
            assert f"{package}/{relative}" in names, f"{folder}/{relative} missing from the wheel"


def test_the_wheel_declares_the_concert_command(wheel, names):
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(entry_points).decode()
    section = text.split("[console_scripts]", 1)[1].split("[", 1)[0]
    scripts = dict(
        (part.strip() for part in line.split("=", 1))
        for line in section.splitlines() if "=" in line
    )
    assert scripts.get("concert") == "concert.cli:main"


PROBE = """
import json, concert, concert.communes, concert.migrate
app = concert.create_app()
client = app.test_client()
english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
css = client.get("/static/css/concert.css")
print(json.dumps({
    "package": concert.__file__,
    "templates": app.template_folder,
    "static": app.static_folder,
    "migrations": concert.migrate._script_location(),
    "english": "<h1>Sign in</h1>" in english,
    "css": css.status_code,
    "commune": concert.communes.label("13055"),
}))
"""


def test_the_unpacked_wheel_runs_from_anywhere(wheel, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERT_")}
    env.update(PYTHONPATH=str(site), CONCERT_INSTANCE=str(tmp_path / "instance"),
               CONCERT_SECRET_KEY="packaging-test")

    def run(*args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, *args], cwd=elsewhere, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    found = json.loads(run("-c", PROBE).stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(site)
    for key in ("templates", "static", "migrations"):
        assert Path(found[key]).is_relative_to(site / "concert"), (key, found[key])
    assert found["css"] == 200
    assert found["english"], "the English catalogue did not ship"
    assert found["commune"] == "Marseille (13055)", "the commune names did not ship"

    # The shipped migrations create the schema from nothing.
    assert "Base de données à jour." in run("-m", "concert", "init").stdout
    assert (tmp_path / "instance" / "concert.db").is_file()
