"""Take the README's screenshot: start the app on the configured database, open the map in
Debian's chromium and save docs/screenshot.png.

Run after `make init`:  .venv/bin/python docs/take_screenshot.py [URL-query]
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshot.png"


def main() -> None:
    query = sys.argv[1] if len(sys.argv) > 1 else "?lang=en&org=5"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "atlas_app.cli", "serve", "--port",
                               str(port), "--address", "127.0.0.1"], cwd=ROOT,
                              env={**os.environ, "ATLAS_TILE_URL": ""},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/{query}")
            page.wait_for_selector("iframe[src*='st_folium']", timeout=60_000)
            page.wait_for_timeout(6000)
            page.screenshot(path=str(OUT))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"saved {OUT}")


if __name__ == "__main__":
    main()
