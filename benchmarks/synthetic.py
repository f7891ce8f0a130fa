"""Seeded synthetic registries for benchmarks: realistic spread over European cities
and sectors. Never shipped as data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas_app.schema import FIELD_NAMES

CITIES = [("FR", "Paris", 48.857, 2.352, 10), ("FR", "Lyon", 45.764, 4.836, 3),
          ("DE", "Berlin", 52.52, 13.405, 8), ("DE", "München", 48.137, 11.575, 3),
          ("ES", "Madrid", 40.417, -3.704, 6), ("ES", "Barcelona", 41.387, 2.17, 5),
          ("IT", "Roma", 41.903, 12.496, 6), ("IT", "Milano", 45.464, 9.19, 5),
          ("PT", "Lisboa", 38.722, -9.139, 4), ("BE", "Bruxelles", 50.85, 4.352, 4),
          ("NL", "Amsterdam", 52.368, 4.904, 4), ("PL", "Warszawa", 52.23, 21.012, 4),
          ("AT", "Wien", 48.208, 16.374, 3), ("SE", "Stockholm", 59.329, 18.069, 2),
          ("GB", "London", 51.507, -0.128, 8), ("IE", "Dublin", 53.35, -6.26, 2),
          ("GR", "Athína", 37.984, 23.728, 2), ("CZ", "Praha", 50.075, 14.438, 2),
          ("RO", "Bucureşti", 44.426, 26.103, 2), ("FI", "Helsinki", 60.17, 24.938, 1)]
SECTORS = ["education", "digital-inclusion", "health", "environment", "employment",
           "democracy", "culture-media", "finance", "open-tech", "ess-networks", "solidarity"]


def synthetic_frame(n: int, seed: int = 42) -> pd.DataFrame:
    """``n`` published, located organisations as the store's frame would hold them."""
    rng = np.random.default_rng(seed)
    weights = np.array([c[4] for c in CITIES], dtype=float)
    city = rng.choice(len(CITIES), size=n, p=weights / weights.sum())
    spread = rng.normal(0, 0.35, size=(n, 2))
    frame = pd.DataFrame({name: None for name in FIELD_NAMES}, index=range(n))
    frame["id"] = np.arange(1, n + 1)
    frame["name"] = [f"Organisation {i} {SECTORS[i % len(SECTORS)]}" for i in range(n)]
    frame["country"] = [CITIES[c][0] for c in city]
    frame["city"] = [CITIES[c][1] for c in city]
    frame["latitude"] = [CITIES[c][2] for c in city] + spread[:, 0]
    frame["longitude"] = [CITIES[c][3] for c in city] + spread[:, 1]
    frame["sector"] = rng.choice(SECTORS, size=n)
    frame["kind"] = rng.choice(["support", "solution"], size=n)
    frame["status"] = "published"
    frame["tags"] = [[] for _ in range(n)]
    frame["description_en"] = "A synthetic organisation for benchmarks."
    return frame
