"""The public map at 1k, 10k and 100k organisations: ours against naive folium, same run.

Run: .venv/bin/python benchmarks/bench_map.py [--sizes 1000,10000,100000]

For each size it measures
* Python time per rerun: building the map and turning it into what streamlit-folium sends
  (ours: the fixed base map + the data layer; naive: a folium CircleMarker with a Popup
  and a Tooltip per organisation in a MarkerCluster, the usual folium recipe);
* bytes sent for the map;
* time until clusters are visible in headless Chromium, loading the same HTML from a
  local server with the same locally served Leaflet files (ours: up to 5,000
  organisations clustered in the browser by Supercluster, above that the first view
  aggregated on the server; the baseline clusters with Leaflet.markercluster — run
  `npm install` in assets/ first, the baseline's plugin is taken from there).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import folium  # noqa: E402
from folium.plugins import MarkerCluster  # noqa: E402
from streamlit_folium import _get_feature_group_string, _get_map_string  # noqa: E402
from synthetic import synthetic_frame  # noqa: E402

from atlas_app.maps.elements import (
    CLUSTER_CSS,
    MAP_CSS,
    MAP_JS,
    _local,
    build_base_map,
    build_data_layer,  # noqa: E402
    build_map,
)
from atlas_app.registry.schema import load_taxonomy  # noqa: E402
from atlas_app.settings import PACKAGE_DATA  # noqa: E402

STATIC = ROOT / "atlas_app" / "ui" / "static"
# The naive baseline uses folium's MarkerCluster plugin (Leaflet.markercluster), which the
# app no longer ships: take it from the npm packages (cd assets && npm install).
MARKERCLUSTER_JS = ROOT / "assets" / "node_modules" / "leaflet.markercluster" / "dist" / \
    "leaflet.markercluster.js"
NAIVE_LIMIT_SECONDS = 120


def ours(frame, taxonomy) -> tuple[float, int, str]:
    t = time.perf_counter()
    base = build_base_map(asset_base="static")
    layer = build_data_layer(frame, taxonomy, asset_base="static")
    sent = _get_map_string(base) + _get_feature_group_string(layer, base)
    elapsed = time.perf_counter() - t
    page = build_map(frame, taxonomy, asset_base="static").get_root().render()
    return elapsed, len(sent.encode()), page


def naive(frame, taxonomy) -> tuple[float, int, str]:
    colours = {s.id: s.colour for s in taxonomy.sectors}
    t = time.perf_counter()
    fmap = folium.Map(location=(50, 10), zoom_start=4, tiles=None, prefer_canvas=True)
    fmap.options.update(maxZoom=18)
    fmap.default_js, fmap.default_css = _local(MAP_JS, "static"), _local(MAP_CSS, "static")
    cluster = MarkerCluster()
    cluster.default_js = [("markercluster", "static/leaflet.markercluster.js")]
    cluster.default_css = _local(CLUSTER_CSS, "static")
    cluster.add_to(fmap)
    for row in frame.itertuples():
        folium.CircleMarker((row.latitude, row.longitude), radius=7,
                            fill_color=colours[row.sector], fill=True,
                            popup=folium.Popup(row.name), tooltip=row.name).add_to(cluster)
    sent = _get_map_string(fmap)
    elapsed = time.perf_counter() - t
    return elapsed, len(sent.encode()), fmap.get_root().render()


def time_to_clusters(browser, base_url: str, name: str, limit: float = 300) -> float:
    """Seconds until a cluster shows; ``inf`` when none did within ``limit``."""
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    start = time.perf_counter()
    try:
        page.goto(f"{base_url}/{name}", timeout=limit * 1000)
        page.wait_for_selector(".marker-cluster", timeout=limit * 1000)
        elapsed = time.perf_counter() - start
    except Exception:  # noqa: BLE001 — a timeout is the measurement
        elapsed = float("inf")
    page.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    taxonomy = load_taxonomy(PACKAGE_DATA)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        shutil.copytree(STATIC, Path(folder) / "static")
        shutil.copy(MARKERCLUSTER_JS, Path(folder) / "static")
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=folder)
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        print(f"{'size':>8} | {'Python per rerun':>26} | {'bytes sent':>26} | "
              f"{'clusters visible in Chromium':>30}")
        skip_naive = False
        for n in (int(s) for s in args.sizes.split(",")):
            frame = synthetic_frame(n)
            t_ours, b_ours, page_ours = ours(frame, taxonomy)
            (Path(folder) / f"ours-{n}.html").write_text(page_ours)
            c_ours = time_to_clusters(browser, base_url, f"ours-{n}.html")
            if skip_naive:
                print(f"{n:>8,} | ours {t_ours:6.2f} s, naive skipped | ours {b_ours / 1e6:6.2f} MB"
                      f"{'':>12} | ours {c_ours:5.2f} s")
                continue
            t_naive, b_naive, page_naive = naive(frame, taxonomy)
            (Path(folder) / f"naive-{n}.html").write_text(page_naive)
            c_naive = time_to_clusters(browser, base_url, f"naive-{n}.html")
            print(f"{n:>8,} | ours {t_ours:5.2f} s, naive {t_naive:6.2f} s ({t_naive / t_ours:5.1f}x)"
                  f" | ours {b_ours / 1e6:5.2f} MB, naive {b_naive / 1e6:6.2f} MB"
                  f" ({b_naive / b_ours:3.1f}x) | ours {c_ours:5.2f} s, naive {c_naive:6.2f} s"
                  f" ({c_naive / c_ours:4.1f}x)")
            skip_naive = t_naive > NAIVE_LIMIT_SECONDS
        browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
