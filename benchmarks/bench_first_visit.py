"""A first visit as a person makes it (issue 20): bytes transferred, something useful on
screen, the dots on the map — straight from the app and through the shipped proxy
(deploy/nginx.conf, which compresses), on a desktop connection and on emulated slow 4G
(1.6 Mbit/s down, 750 kbit/s up, 150 ms), in Debian's Chromium.

    .venv/bin/python benchmarks/bench_first_visit.py --database sqlite:///var/bench/1m.db \
        --before /tmp/before   # git worktree add /tmp/before <commit to compare with>

"Name and tagline shown": the atlas's heading is on screen — through the proxy, its first
paint (deploy/nginx.conf puts it in the page); "app drawn": Streamlit's own heading.
Bytes: what went over the wire for HTTP (``encodedDataLength``), and the WebSocket
frames received (as the page sees them, i.e. uncompressed). Every visit is a new browser context (empty cache). The app is warmed
first (its index loaded), so this is a visitor's wait, not a server start. Nothing is
asserted.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_test import start_app  # noqa: E402

from tests.support.services import free_port  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8,
           "uploadThroughput": 750_000 / 8}
DOTS = "document.querySelectorAll('.marker-cluster, .leaflet-interactive').length"


def start_proxy(app_port: int, folder: Path, checkout: Path = ROOT
                ) -> tuple[subprocess.Popen, int]:
    port = free_port()
    conf = (checkout / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace(
        "server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};")
    folder.chmod(0o777)
    (folder / "nginx.conf").write_text(conf, encoding="utf-8")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-g", "daemon off;"])
    time.sleep(1)
    return proc, port


def visit(browser, url: str, throttle: dict | None) -> dict:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    sent = {"http": 0, "ws": 0}
    cdp.on("Network.loadingFinished",
           lambda e: sent.__setitem__("http", sent["http"] + e.get("encodedDataLength", 0)))
    # Binary frames arrive base64-encoded (and already inflated, if compressed).
    cdp.on("Network.webSocketFrameReceived", lambda e: sent.__setitem__(
        "ws", sent["ws"] + len(e["response"].get("payloadData", "")) * 3 // 4))
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.get_by_role("heading", name="Social Tech Atlas").first.wait_for(timeout=120_000)
    useful = time.perf_counter() - started
    # The app's own heading (drawn by Streamlit), not the proxy's first paint.
    page.locator("[data-testid='stApp'] h1").first.wait_for(timeout=120_000)
    drawn = time.perf_counter() - started
    dots = None
    deadline = time.time() + 180
    while time.time() < deadline and dots is None:
        for frame in page.frames:
            if "st_folium" in frame.url:
                try:
                    if frame.evaluate(DOTS):
                        dots = time.perf_counter() - started
                except Exception:  # noqa: BLE001 — still loading
                    pass
        page.wait_for_timeout(50)
    page.wait_for_timeout(3000)  # late chunks and the map's data layer
    context.close()
    return {"useful": useful, "drawn": drawn, "dots": dots, "http_mb": sent["http"] / 1e6,
            "ws_mb": sent["ws"] / 1e6}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--before", type=Path,
                        help="a checkout of the code to compare with (e.g. `git worktree add "
                             "/tmp/before <commit>`): its app and its deploy/nginx.conf, same run")
    args = parser.parse_args()
    setups = [(f"before ({args.before.name})", args.before)] if args.before else []
    print("| first visit | HTTP MB transferred | WebSocket MB (uncompressed) | "
          "name and tagline shown s | app drawn s | dots on the map s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, checkout in [*setups, ("ours", None)]:
        app_port = free_port()
        app = start_app(args.database, app_port, checkout)
        with tempfile.TemporaryDirectory() as folder:
            proxy, proxy_port = start_proxy(app_port, Path(folder), checkout or ROOT)
            try:
                with sync_playwright() as p:
                    browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                                args=FLAGS)
                    visit(browser, f"http://127.0.0.1:{app_port}/", None)  # warm the index
                    for label, port in (("app alone", app_port),
                                        ("through deploy/nginx.conf", proxy_port)):
                        for network, throttle in (("desktop", None), ("slow 4G", SLOW_4G)):
                            r = visit(browser, f"http://127.0.0.1:{port}/", throttle)
                            dots = f"{r['dots']:.1f}" if r["dots"] is not None else "> 180"
                            print(f"| {name}: {label}, {network} | {r['http_mb']:.2f} | "
                                  f"{r['ws_mb']:.2f} | {r['useful']:.1f} | {r['drawn']:.1f} | "
                                  f"{dots} |", flush=True)
                    browser.close()
            finally:
                proxy.terminate()
                app.terminate()

if __name__ == "__main__":
    main()
