"""Steps a person takes in Chromium (Playwright), shared by the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support.apptest import PASSWORD as STAFF_PASSWORD

ROOT = Path(__file__).resolve().parent.parent.parent

NAMES = "window.atlasLayer.data.rows.map(r => r[4])"


def map_frame(page):
    page.wait_for_selector("iframe[title*='st_folium'], iframe[src*='st_folium']",
                           timeout=30_000)
    for _ in range(150):
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate("document.querySelectorAll('.marker-cluster, "
                                      ".leaflet-interactive').length") > 0:
                        return frame
                except Exception:
                    pass
        time.sleep(0.2)
    raise AssertionError("the map never drew any cluster or marker")


def map_names(page) -> list[str]:
    """The organisation names in the public map's data layer, once it has drawn."""
    for _ in range(150):
        for frame in page.frames:
            try:
                names = frame.evaluate("window.atlasLayer ? " + NAMES + " : []")
            except Exception:
                continue
            if names:
                return names
        page.wait_for_timeout(200)
    return []


def sign_in_staff(page, base_url: str) -> None:
    """Sign in as the fixture's staff member through the sign-in page."""
    page.goto(f"{base_url}/signin")
    page.get_by_label("E-mail address").fill("ana@example.org")
    page.get_by_role("textbox", name="Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as ana@example.org.").wait_for(timeout=15_000)


@contextmanager
def atlas_server(folder, rows: list[dict], taxonomy):
    """A real Streamlit server on 127.0.0.1 over a fresh SQLite registry of ``rows``
    (offline basemap, no tiles); yields its base URL."""
    from atlas_app.intake.pipeline import ImportOptions, import_bytes
    from atlas_app.registry.store import Store
    from atlas_app.settings import Settings
    from tests.support.factories import to_csv

    url = f"sqlite:///{folder / 'atlas.db'}"
    store = Store(url)
    store.upgrade()
    import_bytes(to_csv(rows), "b.csv", store, taxonomy, Settings(database_url=url),
                 ImportOptions())
    store.dispose()
    with serve(url) as base:
        yield base


@contextmanager
def serve(database_url: str, **env: str):
    """``atlas serve`` on a free port of 127.0.0.1 over ``database_url`` (no tiles, extra
    ``ATLAS_*`` settings from ``env``); yields its base URL once it answers."""
    from tests.support.services import free_port

    port = free_port()
    env = {**os.environ, "ATLAS_DATABASE_URL": database_url, "ATLAS_TILE_URL": "", **env}
    proc = subprocess.Popen([sys.executable, "-m", "atlas_app.cli", "serve", "--port",
                             str(port), "--address", "127.0.0.1"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            proc.kill()
            raise AssertionError("the Streamlit server did not answer: "
                                 + proc.stdout.read().decode()[-2000:])
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def chromium_browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    from tests.support.services import chromium

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()
