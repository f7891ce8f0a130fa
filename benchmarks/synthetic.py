"""Seeded synthetic registries for benchmarks, never shipped as data.

Organisations are spread like people: each one sits in a GeoNames settlement (Europe,
500+ inhabitants) drawn with probability proportional to its population, jittered by up
to ~1 km, with sectors, kinds and bilingual descriptions of realistic length (the seed
registry's averages: name 13, description 65 + 74 characters). ``synthetic_csv`` writes
the same organisations as an import file (city and country only, to be located offline).

    .venv/bin/python benchmarks/synthetic.py --rows 1000000 --database sqlite:///var/bench/1m.db
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas_app.registry.schema import FIELD_NAMES  # noqa: E402

SECTORS = ["education", "digital-inclusion", "health", "environment", "employment",
           "democracy", "culture-media", "finance", "open-tech", "ess-networks", "solidarity"]
FORMS = ["Association", "Coopérative", "Fondation", "Collectif", "Réseau", "Verein",
         "Stiftung", "Cooperativa", "Fundación", "Stichting", "Spółdzielnia", "Trust"]
TOPICS = ["Numérique", "Digital", "Solidaire", "Libre", "Civic Tech", "Data", "Inclusion",
          "Commons", "Open Source", "Lab", "Connect", "Skills"]
WORDS_EN = ("helps social economy organisations with digital tools training open source "
            "software data inclusion volunteers cooperatives communities privacy skills "
            "accessible services local networks").split()
WORDS_FR = ("accompagne les structures de l'économie sociale et solidaire dans leur "
            "transition numérique formation logiciels libres données inclusion bénévoles "
            "coopératives territoires accessibilité").split()


@functools.lru_cache(maxsize=1)
def places() -> pd.DataFrame:
    """European GeoNames settlements (the app's own offline gazetteer)."""
    from atlas_app.places.gazetteer import Gazetteer
    from atlas_app.settings import load_settings

    settings = load_settings()
    gazetteer = Gazetteer.load(settings.cache_dir, settings.data_dir)
    return pd.DataFrame(gazetteer.settlements(),
                        columns=["geonameid", "name", "country", "admin1", "latitude",
                                 "longitude", "population"])


def _sentences(rng, words: list[str], n: int, length: int) -> np.ndarray:
    vocabulary = np.array(words, dtype=object)
    picks = rng.integers(0, len(vocabulary), size=(n, length))
    return np.array([" ".join(row) for row in vocabulary[picks]], dtype=object)


def synthetic_frame(n: int, seed: int = 42) -> pd.DataFrame:
    """``n`` published, located organisations as the store's frame would hold them."""
    rng = np.random.default_rng(seed)
    towns = places()
    weights = towns["population"].to_numpy(dtype=float) + 500.0
    town = rng.choice(len(towns), size=n, p=weights / weights.sum())
    jitter = rng.normal(0, 0.006, size=(n, 2))
    frame = pd.DataFrame({name: None for name in FIELD_NAMES}, index=range(n))
    frame["id"] = np.arange(1, n + 1)
    cities = towns["name"].to_numpy()[town]
    frame["name"] = [f"{FORMS[i % len(FORMS)]} {TOPICS[(i // 7) % len(TOPICS)]} {c} {i}"
                     for i, c in enumerate(cities)]
    frame["country"] = towns["country"].to_numpy()[town]
    frame["city"] = cities
    frame["latitude"] = (towns["latitude"].to_numpy()[town] + jitter[:, 0]).round(5)
    frame["longitude"] = (towns["longitude"].to_numpy()[town] + jitter[:, 1]).round(5)
    frame["sector"] = rng.choice(SECTORS, size=n)
    frame["kind"] = rng.choice(["support", "solution"], size=n)
    frame["status"] = "published"
    frame["location_precision"] = "locality"
    frame["location_source"] = "gazetteer"
    frame["tags"] = [[] for _ in range(n)]
    frame["description_en"] = _sentences(rng, WORDS_EN, n, 9)
    frame["description_fr"] = _sentences(rng, WORDS_FR, n, 8)
    frame["created_at"] = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc) + pd.to_timedelta(
        rng.integers(0, 5 * 365, size=n), unit="D")
    return frame


def synthetic_csv(n: int, seed: int = 7) -> bytes:
    """An import file of ``n`` organisations with city and country only (no coordinates);
    one description each, so that 100,000 rows stay under the 20 MB upload limit."""
    frame = synthetic_frame(n, seed)
    columns = ["name", "kind", "sector", "country", "city", "description_en"]
    return frame[columns].to_csv(index=False).encode()


def seed_database(url: str, n: int, seed: int = 42, chunk: int = 50_000,
                  revision: str = "head") -> None:
    """Fill an empty registry at ``url`` with ``n`` synthetic organisations, its schema at
    ``revision`` (an earlier one to time a migration at scale)."""
    from atlas_app.registry.store import Store

    store = Store(url)
    store.upgrade(revision)
    if store.count():
        raise SystemExit(f"{url} already holds {store.count():,} organisations")
    frame = synthetic_frame(n, seed).drop(columns=["id"])
    records = frame.to_dict("records")
    started = time.perf_counter()
    for start in range(0, n, chunk):
        store.add_organisations(records[start:start + chunk])
        print(f"  {min(start + chunk, n):,} / {n:,} ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
    store.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", required=True, help="SQLAlchemy URL of an empty registry")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--revision", default="head",
                        help="the schema revision to create (default: the latest)")
    args = parser.parse_args()
    seed_database(args.database, args.rows, args.seed, revision=args.revision)


if __name__ == "__main__":
    main()
