"""Cold start and a staff edit (issue 20). The first visitor after a server starts waits
for the public index: measured in fresh processes, next to building it from the registry
(the first visit before) in the same run. Then one organisation is edited (through the
staff use case) and the serving index is brought up to date in place, next to a full
rebuild — the time until the change shows, and the memory held meanwhile.

    .venv/bin/python benchmarks/bench_cold_start.py --database sqlite:///var/bench/1m.db

Prints seconds and resident memory after loading (MB). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
from atlas_app.registry.store import Store
from atlas_app.public.index import RegistryIndex
from atlas_app.public.snapshot import load_index
from atlas_app.public.filters import Filters
store = Store({url!r})
revision = store.revision()
started = time.perf_counter()
if {which!r} == "build":
    index = RegistryIndex.load(store)
else:
    index = load_index(store, revision, {folder!r})
loaded = time.perf_counter() - started
t = time.perf_counter()
hits = int(index.mask(Filters(q="lab")).sum())
first_search = time.perf_counter() - t
result = {{"seconds": loaded, "rss": rss(), "n": len(index), "hits": hits,
          "first_search": first_search}}
if {which!r} == "snapshot" and {edit!r}:
    from atlas_app.public.updates import updated_index
    from atlas_app.staff.edits import update_organisation
    org_id = int(index.frame["id"].iloc[len(index) // 2])
    org = store.get_organisation(org_id)
    update_organisation(store, org_id, dict(org, name=org["name"] + " (edited)"),
                        "bench@example.org", expected=org)
    before = rss()
    t = time.perf_counter()
    updated = updated_index(store, index, store.revision())
    result["update"] = time.perf_counter() - t
    result["update_rss"] = rss() - before
    assert updated is not None and (updated.frame["id"] == org_id).sum() == 1
    t = time.perf_counter()
    RegistryIndex.load(store)
    result["rebuild"] = time.perf_counter() - t
    result["rebuild_rss"] = rss() - before
print(json.dumps(result))
"""


def probe(url: str, which: str, folder: str, edit: bool = False) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), url=url,
                                                             which=which, folder=folder,
                                                             edit=edit)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        build = probe(args.database, "build", folder)
        saving = probe(args.database, "snapshot", folder)  # builds once and saves
        mapped = probe(args.database, "snapshot", folder)
        edited = probe(args.database, "snapshot", folder, edit=True)
    print(f"{build['n']:,} published organisations")
    print("| first visit after a start | seconds | resident MB | first search s |")
    print("| --- | ---: | ---: | ---: |")
    for label, row in (("index built from the registry (before)", build),
                       ("first start, building and saving the snapshot", saving),
                       ("next starts: snapshot mapped (ours)", mapped)):
        print(f"| {label} | {row['seconds']:.2f} | {row['rss']:,.0f} | "
              f"{row['first_search']:.3f} |")
    print(f"ratio before / ours: {build['seconds'] / max(mapped['seconds'], 1e-6):,.0f}×")
    print()
    print("| a staff edit reaches the serving index | seconds | memory added MB |")
    print("| --- | ---: | ---: |")
    print(f"| full rebuild (before) | {edited['rebuild']:.2f} | {edited['rebuild_rss']:,.0f} |")
    print(f"| applied in place (ours) | {edited['update']:.3f} | {edited['update_rss']:,.0f} |")
    print(f"ratio: {edited['rebuild'] / max(edited['update'], 1e-6):,.0f}×")


if __name__ == "__main__":
    main()
