"""How long a schema migration takes on a large registry (issue 19: migration 0011).

Run, after building a registry at the revision before the migration::

    .venv/bin/python benchmarks/synthetic.py --rows 1000000 --revision 0010 \
        --database sqlite:///$PWD/var/bench/1m-0010.db
    .venv/bin/python benchmarks/bench_migration.py --to 0011 \
        --database sqlite:///$PWD/var/bench/1m-0010.db

A SQLite file is copied first (the original stays at the earlier revision for the next
run); a PostgreSQL database is migrated in place, so build it again before another run.
Prints the time of the upgrade alone and checks that nothing was lost on the way: the
count, the highest id, the staff search's triggers and the new values being accepted.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas_app.registry.store import Store  # noqa: E402


def facts(store: Store) -> dict:
    with store.engine.connect() as conn:
        out = {"rows": conn.execute(sa.text("SELECT count(*) FROM organisations")).scalar(),
               "max id": conn.execute(sa.text("SELECT max(id) FROM organisations")).scalar()}
        if store.engine.dialect.name == "sqlite":
            out["triggers"] = conn.execute(sa.text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'organisations'")).scalar()
            out["indexes"] = conn.execute(sa.text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'organisations'")).scalar()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="SQLAlchemy URL at the revision before")
    parser.add_argument("--to", default="0011", help="the revision to upgrade to")
    args = parser.parse_args()
    url = sa.engine.make_url(args.database)
    if url.get_backend_name() == "sqlite":
        source = Path(url.database)
        copy = source.with_name(f"{source.stem}-migrated{source.suffix}")
        with sqlite3.connect(source) as conn:  # everything in the file, not in its WAL
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        t = time.perf_counter()
        shutil.copyfile(source, copy)
        print(f"copied {source.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - t:.1f} s")
        url = url.set(database=str(copy))
    store = Store(url.render_as_string(hide_password=False))
    before = store.schema_revision()
    start = facts(store)
    t = time.perf_counter()
    store.upgrade(args.to)
    took = time.perf_counter() - t
    end = facts(store)
    print(f"{store.engine.dialect.name}: {before} → {store.schema_revision()} on "
          f"{start['rows']:,} organisations: {took:.1f} s")
    print(f"  before {start}\n  after  {end}")
    with store.engine.begin() as conn:  # the widened check accepts the new precisions
        conn.execute(sa.text("UPDATE organisations SET location_precision = 'district' "
                             "WHERE id = (SELECT min(id) FROM organisations)"))
    store.dispose()
    if start != end:
        raise SystemExit("the migration changed the rows, the ids or the triggers")


if __name__ == "__main__":
    main()
