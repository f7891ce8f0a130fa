"""Backups that restore, on SQLite and PostgreSQL; a full disk never costs the old backup."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from atlas_app.errors import UsageError
from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.registry.backup import backup, restore
from atlas_app.registry.store import Store
from atlas_app.registry.tables import import_batches, organisations, registry_meta
from tests.support.factories import make_registry, to_csv

ROOT = Path(__file__).resolve().parent.parent


def every_row(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {table.name: sorted(tuple(r) for r in conn.execute(sa.select(table)))
                for table in (organisations, import_batches, registry_meta)}


@pytest.fixture
def empty_target(request, tmp_path):
    """A second, empty database of the same kind as ``store``."""
    if request.node.callspec.params["store"] == "sqlite":
        target = Store(f"sqlite:///{tmp_path / 'restored.db'}")
        yield target
        target.dispose()
        return
    import psycopg
    from sqlalchemy import make_url

    from tests.support.services import POSTGRES_ADMIN_URL
    name = f"atlas_restore_{os.getpid()}_{request.node.callspec.id.replace('-', '_')}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    target = Store(make_url(POSTGRES_ADMIN_URL).set(database=name)
                   .render_as_string(hide_password=False))
    yield target
    target.dispose()
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restores_every_row_into_an_empty_database(store, taxonomy, settings, tmp_path,
                                                          empty_target):
    import_bytes(to_csv(make_registry(80)), "a.csv", store, taxonomy, settings)
    import_bytes(to_csv(make_registry(5, seed=9)), "b.csv", store, taxonomy, settings,
                 ImportOptions(status="pending"))
    path = tmp_path / "atlas.backup"
    assert backup(store, path) > 0
    assert restore(empty_target, path) == 85
    assert every_row(empty_target) == every_row(store)
    assert empty_target.schema_is_current()
    new_ids, _ = empty_target.add_organisations([dict(
        name="After", kind="support", sector="health", country="FR", city="Paris", tags=[],
        location_precision="none", location_source="none", status="published")])
    assert new_ids[0] > max(r[0] for r in every_row(store)["organisations"])


def test_restore_refuses_to_overwrite_a_registry(sqlite_store, taxonomy, settings, tmp_path):
    import_bytes(to_csv(make_registry(3)), "a.csv", sqlite_store, taxonomy, settings)
    path = tmp_path / "b.db"
    backup(sqlite_store, path)
    with pytest.raises(UsageError, match="already holds 3 organisations.*--force"):
        restore(sqlite_store, path)
    assert restore(sqlite_store, path, force=True) == 3


@pytest.mark.parametrize("content, message", [(b"not a database at all" * 100, "not a SQLite"),
                                              (None, "no backup at")])
def test_restore_rejects_what_is_not_a_backup(sqlite_store, tmp_path, content, message):
    path = tmp_path / "x.db"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UsageError, match=message):
        restore(sqlite_store, path)
    assert sqlite_store.count() == 0


def test_online_backup_is_consistent_while_writes_go_on(sqlite_store, taxonomy, settings,
                                                        tmp_path):
    import_bytes(to_csv(make_registry(50)), "a.csv", sqlite_store, taxonomy, settings)
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            n += 1
            import_bytes(to_csv(make_registry(20, seed=100 + n)), f"w{n}.csv", sqlite_store,
                         taxonomy, settings)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        for i in range(3):
            path = tmp_path / f"live{i}.db"
            backup(sqlite_store, path)
            copy = Store(f"sqlite:///{path}")
            assert copy.count() % 10 == 0  # whole uploads only (50 + 20k rows)
            with copy.engine.connect() as conn:
                batches = conn.execute(sa.select(sa.func.sum(import_batches.c.row_count))).scalar()
            assert copy.count() == batches
            copy.dispose()
    finally:
        stop.set()
        thread.join()


def test_a_full_disk_keeps_the_previous_backup(tmp_path, taxonomy, settings):
    """`atlas backup` runs with a file-size limit (the disk is "full" at 64 KiB)."""
    url = f"sqlite:///{tmp_path / 'big.db'}"
    store = Store(url)
    store.upgrade()
    import_bytes(to_csv(make_registry(400)), "big.csv", store, taxonomy, settings)
    target = tmp_path / "atlas.backup"
    target.write_bytes(b"previous backup")

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = subprocess.run([sys.executable, "-m", "atlas_app.cli", "backup", str(target)],
                            env={**os.environ, "ATLAS_DATABASE_URL": url}, cwd=ROOT,
                            capture_output=True, text=True, preexec_fn=limit_file_size)
    assert result.returncode == 2
    assert "cannot write the backup" in result.stderr and "unchanged" in result.stderr
    assert target.read_bytes() == b"previous backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".atlas")) == []
