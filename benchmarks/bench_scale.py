"""The registry at a million organisations: loading, filtering, a map view, bytes sent.

Run (seed the registry once with benchmarks/synthetic.py):

    .venv/bin/python benchmarks/synthetic.py --rows 1000000 --database sqlite:///var/bench/1m.db
    .venv/bin/python benchmarks/bench_scale.py --database sqlite:///var/bench/1m.db

Every figure has a naive baseline measured in the same run:
* loading — ours: the compact index (RegistryIndex.load); baseline: the whole published
  registry as a DataFrame (Store.frame), which the pages used before. Each in a fresh
  process; seconds, memory after loading and peak memory.
* filtering — ours: RegistryIndex.mask (category codes + RE2 on folded text); baseline:
  pandas on the whole DataFrame (filters.apply_filters). Median of 5 runs, uncached.
* a map view (Python per rerun when the filters change, uncached) — ours: mask, server-side
  clusters for the view, JSON, and the strings streamlit-folium sends; baselines: the same
  organisations sent whole as compact rows (client-side clustering), folium's
  FastMarkerCluster with every point, and folium Markers in a MarkerCluster (built at
  ``--marker-sample`` organisations and scaled linearly: a million folium objects would
  take many minutes and gigabytes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILTERS = [
    ("country", dict(countries=("FR",))),
    ("sector", dict(sectors=("health",))),
    ("kind", dict(kinds=("solution",))),
    ("2 countries + 2 sectors", dict(countries=("DE", "IT"), sectors=("health", "finance"))),
    ("one word", dict(q="numerique")),
    ("rare word", dict(q="zzzz")),
    ("two words", dict(q="cooperativa milano")),
    ("all four", dict(countries=("FR", "BE"), sectors=("education",), kinds=("support",),
                      q="libre")),
]

LOADER = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from atlas_app.registry.store import Store
from atlas_app.public.index import RegistryIndex
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
store = Store({url!r})
before = rss()
started = time.perf_counter()
if {which!r} == "ours":
    loaded = RegistryIndex.load(store)
else:
    loaded = store.frame(statuses=("published",))
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "rows": len(loaded), "rss": rss() - before,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before}}))
"""


def load_in_new_process(url: str, which: str) -> dict:
    out = subprocess.run([sys.executable, "-c", LOADER.format(root=str(ROOT), url=url,
                                                              which=which)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def timed(function, runs: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def streamlit_folium_bytes(base, layer) -> int:
    from streamlit_folium import _get_feature_group_string, _get_map_string

    return len((_get_map_string(base) + _get_feature_group_string(layer, base)).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--marker-sample", type=int, default=20_000)
    args = parser.parse_args()

    import folium
    import numpy as np
    from folium.plugins import FastMarkerCluster, MarkerCluster
    from streamlit_folium import _get_map_string

    from atlas_app.maps.elements import build_base_map, build_data_layer, json_for_script
    from atlas_app.public.filters import Filters, apply_filters
    from atlas_app.public.index import RegistryIndex
    from atlas_app.public.viewport import Viewport
    from atlas_app.registry.schema import load_taxonomy
    from atlas_app.registry.store import Store
    from atlas_app.settings import PACKAGE_DATA

    taxonomy = load_taxonomy(PACKAGE_DATA)
    print("## Loading (each in a new process)")
    ours = load_in_new_process(args.database, "ours")
    base = load_in_new_process(args.database, "baseline")
    print(f"rows: {ours['rows']:,}")
    print(f"ours     {ours['seconds']:6.1f} s, memory {ours['rss']:6.0f} MB (peak "
          f"{ours['peak']:6.0f} MB)")
    print(f"baseline {base['seconds']:6.1f} s, memory {base['rss']:6.0f} MB (peak "
          f"{base['peak']:6.0f} MB) | ours uses {base['rss'] / ours['rss']:.1f}x less memory, "
          f"loads {base['seconds'] / ours['seconds']:.1f}x faster")

    store = Store(args.database)
    index = RegistryIndex.load(store)
    frame = store.frame(statuses=("published",))

    print("\n## Filtering (median of 5, uncached; goal < 100 ms)")
    worst = 0.0
    for label, kwargs in FILTERS:
        f = Filters(**kwargs)
        t_ours, mask = timed(lambda: index.mask(f), 5)
        t_base, shown = timed(lambda: apply_filters(frame, f), 1)  # noqa: F821 (del after the loop)
        assert int(mask.sum()) == len(shown), (label, int(mask.sum()), len(shown))
        worst = max(worst, t_ours)
        print(f"{label:>24}: {int(mask.sum()):>9,} rows | ours {t_ours * 1000:7.1f} ms | "
              f"baseline {t_base * 1000:8.0f} ms | {t_base / t_ours:6.0f}x")
    print(f"{'worst':>24}: ours {worst * 1000:.1f} ms")
    del frame

    print("\n## A map view after a filter change (Python, uncached; goal < 200 ms)")
    lang = "en"
    views = [("Europe, no filter", Filters(), None),
             ("France, fitted", Filters(countries=("FR",)), None),
             ("Paris at zoom 12", Filters(), Viewport(12, 48.80, 2.25, 48.92, 2.45)),
             ("a sector, Berlin z9", Filters(sectors=("health",)),
              Viewport(9, 52.2, 12.8, 52.8, 14.0))]
    for label, f, view in views:
        def sent(payload: dict) -> int:
            base_map = build_base_map(asset_base="static")
            layer = build_data_layer(None, taxonomy, asset_base="static",
                                     payload_json=json_for_script(payload))
            return streamlit_folium_bytes(base_map, layer)

        def ours_view():
            return sent(index.payload(index.mask(f), view.window() if view else None,
                                      taxonomy, lang, fit=view is None))
        t_ours, b_ours = timed(ours_view, 3)

        def whole_rows():
            mask = index.mask(f)
            rows = index._rows(np.flatnonzero(mask & index.located), list(taxonomy.sectors))
            return sent({"sectors": [], "rows": rows, "clusters": None, "fit": None})
        t_rows, b_rows = timed(whole_rows, 1)

        def fast_marker_cluster():
            mask = index.mask(f) & index.located
            points = np.column_stack([index.frame["latitude"].to_numpy()[mask],
                                      index.frame["longitude"].to_numpy()[mask]]).tolist()
            fmap = folium.Map(location=(50, 10), zoom_start=4, tiles=None)
            FastMarkerCluster(points).add_to(fmap)
            return len(_get_map_string(fmap).encode())
        t_fast, b_fast = timed(fast_marker_cluster, 1)
        print(f"{label:>22}: ours {t_ours * 1000:6.0f} ms, {b_ours / 1e3:7.1f} kB | "
              f"whole rows {t_rows:5.1f} s, {b_rows / 1e6:6.1f} MB | FastMarkerCluster "
              f"{t_fast:5.1f} s, {b_fast / 1e6:6.1f} MB | {t_rows / t_ours:5.0f}x / "
              f"{t_fast / t_ours:5.0f}x faster, {b_rows / b_ours:6.0f}x / "
              f"{b_fast / b_ours:6.0f}x fewer bytes")

    sample = index.select(index.mask(Filters()) & index.located).head(args.marker_sample)
    located = int(index.located.sum())

    def marker_cluster():
        fmap = folium.Map(location=(50, 10), zoom_start=4, tiles=None)
        cluster = MarkerCluster().add_to(fmap)
        for row in sample.itertuples():
            folium.CircleMarker((row.latitude, row.longitude), radius=7, fill=True,
                                popup=folium.Popup(row.name), tooltip=row.name).add_to(cluster)
        return len(_get_map_string(fmap).encode())
    t_marker, b_marker = timed(marker_cluster, 1)
    scale = located / len(sample)
    print(f"{'MarkerCluster':>22}: {len(sample):,} organisations in {t_marker:.1f} s, "
          f"{b_marker / 1e6:.1f} MB → at {located:,}: about {t_marker * scale:,.0f} s and "
          f"{b_marker * scale / 1e9:.1f} GB (scaled linearly)")


if __name__ == "__main__":
    main()
