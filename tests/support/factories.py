"""Seeded test data: one organisation with overrides, or a whole registry."""

from __future__ import annotations

import random

SECTORS = ("education", "digital-inclusion", "health", "environment", "employment",
           "democracy", "culture-media", "finance", "open-tech", "ess-networks", "solidarity")
PLACES = (("FR", "Paris", 48.8566, 2.3522), ("FR", "Lyon", 45.764, 4.8357),
          ("DE", "Berlin", 52.52, 13.405), ("ES", "Barcelona", 41.3874, 2.1686),
          ("PT", "Lisboa", 38.7223, -9.1393), ("BE", "Bruxelles", 50.8503, 4.3517),
          ("IT", "Roma", 41.9028, 12.4964), ("NL", "Amsterdam", 52.3676, 4.9041),
          ("PL", "Warszawa", 52.2297, 21.0122), ("AT", "Wien", 48.2082, 16.3738))
WORDS = ("civic", "digital", "open", "coop", "data", "social", "green", "learn", "care", "tech")


def make_organisation(**overrides) -> dict[str, str]:
    """A valid organisation row as text cells (what a file would hold)."""
    row = {"name": "Example Lab", "description_en": "Helps associations go digital.",
           "description_fr": "Aide les associations à passer au numérique.",
           "website": "https://example.org", "email": "", "kind": "support",
           "sector": "digital-inclusion", "tags": "training;inclusion", "legal_form": "",
           "country": "FR", "city": "Paris", "postcode": "", "address": "",
           "latitude": "", "longitude": ""}
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def make_registry(n: int, seed: int = 42, *, located_share: float = 0.8) -> list[dict[str, str]]:
    """``n`` distinct, valid organisations spread over countries and sectors."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        country, city, lat, lon = rng.choice(PLACES)
        located = rng.random() < located_share
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
        rows.append(make_organisation(
            name=name, website=f"https://org{i}.example.org",
            kind=rng.choice(("support", "solution")), sector=rng.choice(SECTORS),
            country=country, city=city, tags=";".join(rng.sample(WORDS, 2)),
            latitude=f"{lat + rng.uniform(-0.05, 0.05):.5f}" if located else "",
            longitude=f"{lon + rng.uniform(-0.05, 0.05):.5f}" if located else "",
            postcode=f"{rng.randint(0, 99999):05d}"))
    return rows


def to_csv(rows: list[dict[str, str]], sep: str = ",") -> bytes:
    """Rows as CSV bytes (UTF-8), header from the first row."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=sep,
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def record(**overrides):
    """An organisation as the store takes it (typed values), with overrides."""
    base = dict(name="Lab", kind="support", sector="health", country="FR", city="Paris",
                tags=["a"], location_precision="none", location_source="none",
                status="published")
    base.update(overrides)
    return base


def old_registry(tmp_path, request, backend: str, revision: str):
    """A registry on ``backend`` at an old schema ``revision``, holding "Org 1" and
    "Org 2" (ids 1 and 2; id 3 was given, then deleted): for migrations that copy the
    table, which must keep the ids, the highest id given and the search."""
    import sqlalchemy as sa
    from alembic import command

    from atlas_app.registry.store import Store

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    old = Store(url)
    command.upgrade(old._alembic_config(), revision)
    with old.engine.begin() as conn:
        for i in (1, 2, 3):
            conn.execute(sa.text(
                "INSERT INTO organisations (name, kind, sector, tags, country, city, "
                "location_precision, location_source, status, created_at, updated_at, "
                "search_key) VALUES (:name, 'support', 'health', '[]', 'FR', 'Lyon', 'none', "
                "'none', 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :key)"),
                {"name": f"Org {i}", "key": f"org {i} lyon"})
        conn.execute(sa.text("DELETE FROM organisations WHERE name = 'Org 3'"))
    return old
