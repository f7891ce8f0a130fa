"""Two app processes on one PostgreSQL: a change committed through one shows on the other
(caches are keyed by the registry revision kept in the database)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from atlas_app.intake.pipeline import import_bytes
from atlas_app.registry.store import Store
from atlas_app.settings import Settings
from atlas_app.staff.accounts import add_account
from tests.support.browser import STAFF_PASSWORD, map_names, sign_in_staff
from tests.support.factories import make_registry, to_csv
from tests.support.services import chromium, free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "atlas_app.cli", "serve", "--port", str(port),
                             "--address", "127.0.0.1"], cwd=ROOT,
                            env={**os.environ, "ATLAS_DATABASE_URL": url, "ATLAS_TILE_URL": ""},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("a replica did not start")


def test_a_write_through_one_replica_is_seen_by_the_other(postgres_url, taxonomy):
    chromium()
    store = Store(postgres_url)
    store.upgrade()
    import_bytes(to_csv(make_registry(20)), "seed.csv", store, taxonomy,
                 Settings(database_url=postgres_url))
    add_account(store, "ana@example.org", STAFF_PASSWORD)
    store.dispose()
    (a, url_a), (b, url_b) = serve(postgres_url), serve(postgres_url)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium(), args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            reader = browser.new_page(viewport={"width": 1300, "height": 1000})
            reader.goto(url_b)
            assert "Replica Coop" not in map_names(reader)
            assert reader.locator(".st-key-result-summary").inner_text().strip() == \
                "20 of 20 organisations"
            staff = browser.new_page(viewport={"width": 1300, "height": 1000})
            sign_in_staff(staff, url_a)
            staff.get_by_role("link", name="Staff workspace").click()
            staff.get_by_label("Name", exact=True).first.fill("Replica Coop")
            staff.get_by_label("City").first.fill("Lyon")
            staff.locator(".st-key-add-country").get_by_role("combobox").click()
            staff.keyboard.type("Franc")
            staff.get_by_role("option", name="France", exact=True).click()
            staff.get_by_text("Publish now").click()
            staff.get_by_role("button", name="Add the organisation").click()
            staff.get_by_text("Added as #21.").wait_for(timeout=15_000)
            # The same browser tab on replica B, rerun by a filter change, sees the write.
            reader.get_by_role("button", name="Health & care").click()
            reader.get_by_role("button", name="Health & care").click()
            expect(reader.locator(".st-key-result-summary")).to_have_text(
                "21 of 21 organisations")
            again = browser.new_page(viewport={"width": 1300, "height": 1000})
            again.goto(f"{url_b}/?q=replica")
            again.locator(".st-key-result-summary").get_by_text(
                "1 of 21 organisations").wait_for(timeout=15_000)
            assert "Replica Coop" in map_names(again), "located in Lyon, on B's map"
            browser.close()
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.wait(timeout=10)
