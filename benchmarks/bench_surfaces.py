"""Staff, CLI and notebook surfaces at full size: each measured next to the way it was done
before (the whole registry read into pandas), in the same run, in fresh processes.

    .venv/bin/python benchmarks/synthetic.py --rows 1000000 --database sqlite:///var/bench/1m.db
    .venv/bin/python benchmarks/bench_surfaces.py --database sqlite:///var/bench/1m.db

Prints seconds and peak memory (MB above the interpreter's start) per surface, and the
ratio naive / ours. Nothing is asserted: speed is measured here, never in the tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
from atlas_app.registry.store import Store
from atlas_app.registry import lookups
from atlas_app.public.filters import Filters, apply_filters
from atlas_app.research.stats import compute_stats
from atlas_app.research.exports import csv_bytes
from atlas_app.research.notebook import Registry
from atlas_app.registry.schema import load_taxonomy
from atlas_app.settings import PACKAGE_DATA
store = Store({url!r})
store.revision()
before = rss()
started = time.perf_counter()
which = {which!r}
FR = Filters(countries=("FR",))
if which == "stats naive":
    result = compute_stats(store.frame(statuses=None))["total"]
elif which == "stats ours":
    result = lookups.registry_stats(store)["total"]
elif which == "export FR naive":
    result = len(csv_bytes(apply_filters(store.frame(("published",)), FR)))
elif which == "export FR ours":  # what `atlas export --country FR` does: streamed
    from atlas_app.research.exports import write_export
    from atlas_app.research.notebook import view_batches
    with open("/dev/null", "wb") as sink:
        result = write_export(sink, view_batches(store, FR), "csv", load_taxonomy(PACKAGE_DATA),
                              PACKAGE_DATA)
elif which == "notebook FR naive":  # the whole registry, then pandas
    result = len(apply_filters(store.frame(), FR))
elif which == "notebook FR ours":
    result = len(Registry(store, load_taxonomy(PACKAGE_DATA)).organisations(countries=["FR"]))
elif which == "staff search naive":  # folded text of every row, in pandas
    from atlas_app.text import fold
    frame = store.frame(statuses=None)
    hay = (frame["name"].fillna("") + " " + frame["city"].fillna("")).map(fold)
    result = int(hay.str.contains("montreal", regex=False).sum())
elif which == "staff search ours":
    result = len(lookups.find_organisations(store, "Montréal"))
elif which == "staff page naive":
    frame = store.frame(statuses=None)
    result = int((frame["status"] == "pending").sum())
elif which == "staff page ours":
    counts = lookups.status_counts(store)
    lookups.find_organisations(store, "")
    lookups.find_organisations(store, "lab")
    lookups.organisations_by_status(store, ("pending",))
    lookups.count_unlocated(store, ("todo", "offline_miss", "deferred", "not_found", "ambiguous"))
    store.unlocated(("todo", "offline_miss", "deferred", "not_found", "ambiguous"), limit=200)
    result = counts.get("pending", 0)
elif which == "citation naive":
    everything = store.frame()
    result = len(apply_filters(everything, FR))
elif which == "citation ours":
    result = Registry(store, load_taxonomy(PACKAGE_DATA)).citation(countries=["FR"]).text()[:20]
elif which.startswith("import 10 rows"):
    from atlas_app.cli import _locator
    from atlas_app.intake import pipeline
    from atlas_app.intake.pipeline import ImportOptions, prepare_import
    from atlas_app.settings import load_settings
    from tests.support.factories import make_registry, to_csv
    if which.endswith("naive"):  # what the check did before: every live organisation
        pipeline.duplicate_candidates = lambda store, hosts, places: \
            lookups.identities(store)
    settings = load_settings()
    prepared = prepare_import(to_csv(make_registry(10, seed=5)), "ten.csv", store,
                              load_taxonomy(PACKAGE_DATA), settings, ImportOptions(dry_run=True),
                              locator=_locator(settings, store))
    result = len(prepared.accepted)
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "result": str(result),
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before}}))
"""

SURFACES = ("stats", "export FR", "notebook FR", "staff page", "staff search", "citation",
            "import 10 rows")


def probe(url: str, which: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), url=url,
                                                             which=which)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--only", nargs="*", default=SURFACES, help="surfaces to measure")
    args = parser.parse_args()
    print("| surface | naive s | ours s | ratio | naive peak MB | ours peak MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for surface in args.only:
        naive, ours = probe(args.database, f"{surface} naive"), probe(args.database,
                                                                       f"{surface} ours")
        ratio = naive["seconds"] / max(ours["seconds"], 1e-6)
        print(f"| {surface} | {naive['seconds']:.2f} | {ours['seconds']:.3f} | "
              f"{ratio:,.0f}× | {naive['peak']:,.0f} | {ours['peak']:,.0f} |")


if __name__ == "__main__":
    main()
