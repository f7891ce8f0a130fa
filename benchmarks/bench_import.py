"""Importing a large file: validate, locate offline, commit — on SQLite and PostgreSQL.

Run: .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--postgres URL]

The file is synthetic (benchmarks/synthetic.py): names, sectors, kinds, bilingual
descriptions, and a city and a country only, so every row is located with the offline
gazetteer. Each database is fresh. "Ours" is ``atlas import FILE`` run as a user runs
it (a new process, progress on stderr). The baseline, in the same run, is the naive way
to persist the same validated rows: one INSERT and one COMMIT per row, timed on a sample
and scaled to the file's size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_csv  # noqa: E402

ATLAS = ROOT / ".venv" / "bin" / "atlas"
BASELINE_SAMPLE = 2_000


def fresh_postgres(server_url: str, label: str) -> str:
    name = f"atlas_bench_{label}_{os.getpid()}"
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(server_url: str, url: str) -> None:
    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {sa.make_url(url).database} WITH (FORCE)")
    engine.dispose()


def run_import(url: str, path: Path) -> tuple[float, str]:
    env = {**os.environ, "ATLAS_DATABASE_URL": url}
    subprocess.run([str(ATLAS), "init"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run([str(ATLAS), "import", str(path)], env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def naive_insert_seconds(url: str, rows: int) -> float:
    """One INSERT + COMMIT per row for a sample of already-validated rows, scaled."""
    from synthetic import synthetic_frame

    from atlas_app.registry.store import Store

    store = Store(url)
    store.upgrade()
    records = synthetic_frame(BASELINE_SAMPLE, seed=11).drop(columns=["id"]).to_dict("records")
    started = time.perf_counter()
    for record in records:
        store.add_organisations([record])
    elapsed = time.perf_counter() - started
    store.dispose()
    return elapsed / BASELINE_SAMPLE * rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server where a scratch database may be created")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"synthetic-{args.rows}.csv"
        path.write_bytes(synthetic_csv(args.rows))
        print(f"file: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB "
              f"(city and country only; located offline)")
        targets = [("SQLite", lambda name: f"sqlite:///{folder}/{name}.db", None)]
        try:
            sa.create_engine(args.postgres).connect().close()
            targets.append(("PostgreSQL", lambda name: fresh_postgres(args.postgres, name),
                            args.postgres))
        except sa.exc.OperationalError:
            print("PostgreSQL: not reachable, skipped")
        for label, make_url, server in targets:
            url = make_url("ours")
            ours, last_line = run_import(url, path)
            base_url = make_url("naive")
            naive = naive_insert_seconds(base_url, args.rows)
            if server:
                drop_postgres(server, url)
                drop_postgres(server, base_url)
            print(f"{label:>10}: ours {ours:6.1f} s ({args.rows / ours:,.0f} rows/s; goal < 60 s)"
                  f" | naive row-by-row commit {naive:7.1f} s (from {BASELINE_SAMPLE:,} rows)"
                  f" | {naive / ours:5.1f}x")
            print(f"{'':>12}{last_line}")


if __name__ == "__main__":
    main()
