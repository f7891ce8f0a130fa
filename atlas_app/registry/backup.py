"""Backups that restore: a consistent online copy of the registry, and its restoration.

SQLite uses SQLite's online backup API (consistent while the app keeps writing);
PostgreSQL uses ``pg_dump --format=custom`` and ``pg_restore``. A backup is written next
to its target and renamed into place, so a full disk or a crash never leaves a truncated
file where the previous backup was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from atlas_app.errors import StoreError, UsageError
from atlas_app.registry.store import Store


def _temporary_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    return Path(name)


def _finish(tmp: Path, path: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _pg_dsn(store: Store) -> str:
    return store.url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(store: Store, path: Path) -> int:
    """Write a consistent backup of the registry to ``path``; return its size in bytes."""
    path = Path(path)
    tmp = None
    try:
        tmp = _temporary_beside(path)
        if store.dialect == "sqlite":
            raw = store.engine.raw_connection()
            try:
                target = sqlite3.connect(tmp)
                try:
                    raw.driver_connection.backup(target)
                finally:
                    target.close()
            finally:
                raw.close()
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}", _pg_dsn(store)])
        _finish(tmp, path)
        tmp = None
        return path.stat().st_size
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot write the backup {path}: {getattr(exc, 'strerror', None) or exc}"
                         " — the previous backup, if any, is unchanged") from exc
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _run(argv: list[str]) -> None:
    if shutil.which(argv[0]) is None:
        raise UsageError(f"{argv[0]} is not installed: install the PostgreSQL client tools "
                         f"(Debian: apt-get install postgresql-client)")
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise StoreError(f"{argv[0]} failed: {result.stderr.strip()[:500]}")


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise UsageError(f"{path} is damaged (integrity check failed)")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path} is not a SQLite backup of the atlas: {exc}") from exc
    if not {"organisations", "alembic_version"} <= tables:
        raise UsageError(f"{path} is not a backup of the atlas (no registry tables)")


def restore(store: Store, path: Path, *, force: bool = False) -> int:
    """Restore a backup into the store's database; return the number of organisations.

    Refuses to overwrite a registry that holds organisations unless ``force``.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"no backup at {path}")
    try:
        existing = store.count()
    except (StoreError, sa.exc.SQLAlchemyError):
        existing = 0
    if existing and not force:
        raise UsageError(f"the registry already holds {existing:,} organisations — restore "
                         "into an empty database, or use --force to replace them")
    if store.dialect == "sqlite":
        _check_sqlite_backup(path)
        raw = store.engine.raw_connection()
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
                source.backup(raw.driver_connection)
        finally:
            raw.close()
        store.engine.dispose()
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_pg_dsn(store)}", str(path)])
    store.upgrade()
    return store.count()
