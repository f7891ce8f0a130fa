"""Steps a person takes in Chromium (Playwright), shared by the browser tests."""

from __future__ import annotations

import time

from tests.support.apptest import PASSWORD as STAFF_PASSWORD

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
