"""Screenshots of the demo for the README, saved to docs/screenshots/.

Not a test: run it by hand from the repository's root, then look at the pictures.

    .venv/bin/python tests/browser/screenshots.py

It seeds a throw-away SQLite instance with `concert init` and `concert demo`, serves it
with `concert run`, and drives Debian's Chromium through Playwright.
"""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import expect, sync_playwright

from concert import demo

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EMAIL = "prefecture@demo.concert.test"


def concert(env: dict, *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "concert", *args], cwd=ROOT, env=env,
                            **popen)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_demo(instance: Path, log) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERT_")}
    env.update(
        CONCERT_INSTANCE=str(instance),
        CONCERT_DATABASE_URL=f"sqlite:///{instance / 'concert.db'}",
        CONCERT_SECRET_KEY=secrets.token_hex(16),
    )
    for command in ("init", "demo"):
        if concert(env, command, stdout=log, stderr=subprocess.STDOUT).wait() != 0:
            raise SystemExit(f"`concert {command}` failed:\n{Path(log.name).read_text()}")
    port = free_port()
    server = concert(env, "run", "--port", str(port), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _attempt in range(300):
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                return server, url
        except requests.ConnectionError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"the server did not start:\n{Path(log.name).read_text()}")


def shoot(page, name: str) -> None:
    path = OUT / f"{name}.png"
    # Settled: a transition still running at "load" would be caught half-way.
    page.screenshot(path=path, animations="disabled")
    print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} kB")


def take_screenshots(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        desktop = browser.new_context(locale="fr-FR", viewport=DESKTOP)
        page = desktop.new_page()
        page.goto(url + "/login")
        shoot(page, "login")

        page.get_by_label("Adresse e-mail").fill(EMAIL)
        page.get_by_label("Mot de passe", exact=True).fill(demo.PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes territoires")
        shoot(page, "home")

        page.goto(f"{url}/t/{demo.SLUG}/")
        page.wait_for_timeout(1000)  # the live connection settles (presence, typing)
        shoot(page, "workspace-desktop")
        for name in ("commitments", "consolidation", "members"):
            page.goto(f"{url}/t/{demo.SLUG}/{name}")
            shoot(page, name)
        page.goto(f"{url}/t/{demo.SLUG}/commitments/1")
        shoot(page, "commitment")
        for name in ("diagnostic", "contract", "workshops"):
            page.goto(f"{url}/t/{demo.SLUG}/{name}")
            shoot(page, name)

        # The demo's past workshop: its minutes; the upcoming one, opened live.
        page.get_by_role("link", name="Atelier de lancement : abords de la gare").first.click()
        shoot(page, "workshop-minutes")
        page.goto(f"{url}/t/{demo.SLUG}/workshops")
        page.get_by_role("link", name="Atelier prévention et jeunesse").first.click()
        page.get_by_role("button", name="Ouvrir l'atelier").click()
        page.wait_for_timeout(1000)
        shoot(page, "workshop-live")
        page.goto(page.url.split("?")[0].rstrip("/") + "/projector")
        page.wait_for_timeout(1000)
        shoot(page, "workshop-projector")

        phone = browser.new_context(locale="fr-FR", viewport=PHONE, is_mobile=True,
                                    has_touch=True, storage_state=desktop.storage_state())
        page = phone.new_page()
        page.goto(f"{url}/t/{demo.SLUG}/")
        page.wait_for_timeout(1000)
        shoot(page, "workspace-phone")
        browser.close()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="concert-screenshots-") as tmp:
        instance = Path(tmp)
        with open(instance / "server.log", "w") as log:
            server, url = serve_demo(instance, log)
            try:
                take_screenshots(url)
            finally:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    main()
