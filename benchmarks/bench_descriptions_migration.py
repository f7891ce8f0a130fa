"""Migration 0013 (descriptions in a JSON map) on a large registry: how long the upgrade
takes, and that every text arrived.

A registry at revision 0012 is filled with ``benchmarks/synthetic.py``'s organisations (two
descriptions each, as 0012 stored them), then upgraded to 0013 and timed.

    .venv/bin/python benchmarks/bench_descriptions_migration.py --rows 1000000 \\
        --database sqlite:///var/bench/m13.db
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402

from atlas_app.registry.store import Store  # noqa: E402
from benchmarks.synthetic import synthetic_frame  # noqa: E402

COLUMNS = ("name", "kind", "sector", "tags", "country", "city", "latitude", "longitude",
           "description_en", "description_fr", "location_precision", "location_source",
           "status", "created_at", "updated_at")


def fill_at_0012(store: Store, n: int, chunk: int = 100_000) -> None:
    command.upgrade(store._alembic_config(), "0012")
    frame = synthetic_frame(n)
    frame["tags"] = "[]"
    frame["created_at"] = frame["updated_at"] = frame["created_at"].astype(str)
    insert = sa.text(f"INSERT INTO organisations ({', '.join(COLUMNS)}) VALUES "
                     f"({', '.join(':' + c for c in COLUMNS)})")
    records = frame[list(COLUMNS)].to_dict("records")
    for start in range(0, n, chunk):
        with store.engine.begin() as conn:
            conn.execute(insert, records[start:start + chunk])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", required=True, help="URL of an empty database")
    args = parser.parse_args()
    store = Store(args.database)
    started = time.perf_counter()
    fill_at_0012(store, args.rows)
    print(f"filled {args.rows:,} organisations at 0012 in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    store.upgrade()
    elapsed = time.perf_counter() - started
    with store.engine.connect() as conn:
        empty = conn.execute(sa.text("SELECT COUNT(*) FROM organisations WHERE "
                                     "CAST(descriptions AS TEXT) = '{}'")).scalar()
    print(f"upgrade 0012 → 0013 ({store.dialect}): {elapsed:.1f} s for {args.rows:,} "
          f"organisations; {empty:,} left without a description (expected 0)")
    store.dispose()


if __name__ == "__main__":
    main()
