"""Any filter combination at a million organisations (issue 20): the word index
(atlas_app/public/words.py, ours) against scanning every search text (before), in the
same process, on the same index.

    .venv/bin/python benchmarks/bench_search.py --database sqlite:///var/bench/1m.db

Each view is timed 5 times, the word index's memory of recent words emptied before each
run (a word searched for the first time); "again" is the same view once remembered.
The answers are checked equal. Nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas_app.public.arrow import contains, give_back_memory  # noqa: E402
from atlas_app.public.filters import Filters, query_words  # noqa: E402
from atlas_app.public.index import RegistryIndex  # noqa: E402
from atlas_app.public.words import WordIndex  # noqa: E402
from atlas_app.registry.store import Store  # noqa: E402

VIEWS = [
    ("country", Filters(countries=("FR",))),
    ("sector and kind", Filters(sectors=("health",), kinds=("support",))),
    ("one common word", Filters(q="numérique")),
    ("one rare word", Filters(q="lyon")),
    ("a word found nowhere", Filters(q="zzqx")),
    ("two words", Filters(q="inclusion numerique")),
    ("three words", Filters(q="tech for good")),
    ("four words", Filters(q="solidarité numérique lyon association")),
    ("country and a word", Filters(countries=("DE",), q="digital")),
    ("everything", Filters(countries=("FR", "BE"), sectors=("education",),
                           kinds=("support",), q="formation")),
    ("a two-letter word", Filters(q="de")),
    ("a single letter", Filters(q="e")),
]


def resident_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def scanned(index: RegistryIndex, filters: Filters) -> np.ndarray:
    """The mask as the index answered it before the word index: every word a scan."""
    mask = np.ones(len(index), dtype=bool)
    for column, values in (("country", filters.countries), ("sector", filters.sectors),
                           ("kind", filters.kinds)):
        if values:
            mask &= index._codes_in(column, values)
    for word in sorted(query_words(filters.q), key=len, reverse=True):
        rows = np.flatnonzero(mask)
        if not len(rows):
            break
        if len(rows) > len(index) // 4:
            mask &= contains(index.search, word)
        else:
            mask[rows[~contains(index._search_rows(rows), word)]] = False
    return mask


def timed(function, before=None, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    index = RegistryIndex.load(Store(args.database))
    before_words = resident_mb()
    started = time.perf_counter()
    words = WordIndex.build(index.search)
    build = time.perf_counter() - started
    index.words = words
    give_back_memory()
    print(f"{len(index):,} organisations; word index: {len(words.tokens):,} distinct words, "
          f"{len(words._rows):,} (word, organisation) pairs, {words.table.nbytes / 1e6:.0f} MB "
          f"(search texts {index.search.nbytes / 1e6:.0f} MB); built in {build:.1f} s; "
          f"resident {before_words:.0f} → {resident_mb():.0f} MB\n")
    print("| view | organisations | scan every text (before) ms | word index (ours) ms | "
          "ours, remembered ms | × |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    forget = words._remembered.clear
    for label, filters in VIEWS:
        before, expected = timed(lambda f=filters: scanned(index, f))
        ours, found = timed(lambda f=filters: index.mask(f), before=forget)
        again, _ = timed(lambda f=filters: index.mask(f))
        assert np.array_equal(expected, found), label
        print(f"| {label} (`{filters.q or ''}`) | {int(found.sum()):,} | {before * 1000:.1f} | "
              f"{ours * 1000:.1f} | {again * 1000:.1f} | {before / max(ours, 1e-9):.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
