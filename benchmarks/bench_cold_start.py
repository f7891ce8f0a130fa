"""Cold start (issue 20): the first visitor after a server starts waits for the public
index. Measured in fresh processes, next to building it from the registry (today's first
visit) in the same run.

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
print(json.dumps({{"seconds": loaded, "rss": rss(), "n": len(index), "hits": hits,
                  "first_search": first_search}}))
"""


def probe(url: str, which: str, folder: str) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(ROOT), url=url,
                                                             which=which, folder=folder)],
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
    print(f"{build['n']:,} published organisations")
    print("| first visit after a start | seconds | resident MB | first search s |")
    print("| --- | ---: | ---: | ---: |")
    for label, row in (("index built from the registry (before)", build),
                       ("first start, building and saving the snapshot", saving),
                       ("next starts: snapshot mapped (ours)", mapped)):
        print(f"| {label} | {row['seconds']:.2f} | {row['rss']:,.0f} | "
              f"{row['first_search']:.3f} |")
    print(f"ratio before / ours: {build['seconds'] / max(mapped['seconds'], 1e-6):,.0f}×")


if __name__ == "__main__":
    main()
