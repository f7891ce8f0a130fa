"""Faults: processes killed mid-import or mid-export, and concurrent writers (HOSTILE 30, 31,
39, 41). Seeded, repeated kill points; nothing committed is ever lost or half-written."""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from atlas_app.registry.store import Store
from atlas_app.registry.tables import import_batches
from tests.support.factories import make_registry, to_csv

pytestmark = pytest.mark.slow  # real subprocesses and servers

ROOT = Path(__file__).resolve().parent.parent


def atlas(*args, env):
    return [sys.executable, "-m", "atlas_app.cli", *map(str, args)]


def consistent(store: Store) -> int:
    """Every organisation belongs to a committed upload, and every upload is whole."""
    with store.engine.connect() as conn:
        batches = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(import_batches.c.row_count),
                                                          0))).scalar()
    assert store.count() == batches
    return store.count()


def test_killing_imports_at_random_points_never_leaves_half_an_upload(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.db'}"
    env = {**os.environ, "ATLAS_DATABASE_URL": url}
    subprocess.run(atlas("init", env=env), env=env, cwd=ROOT, check=True, capture_output=True)
    store = Store(url)
    rng = random.Random(1234)
    for attempt in range(5):
        path = tmp_path / f"upload{attempt}.csv"
        path.write_bytes(to_csv(make_registry(1500, seed=attempt)))
        before = consistent(store)
        proc = subprocess.Popen(atlas("import", path, env=env), env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = consistent(store)
        assert after in (before, before + 1500)
    store.dispose()


def test_killing_an_export_never_leaves_a_truncated_file_in_place(tmp_path, taxonomy, settings):
    url = f"sqlite:///{tmp_path / 'export.db'}"
    env = {**os.environ, "ATLAS_DATABASE_URL": url}
    subprocess.run(atlas("init", env=env), env=env, cwd=ROOT, check=True, capture_output=True)
    source = tmp_path / "all.csv"
    source.write_bytes(to_csv(make_registry(3000)))
    subprocess.run(atlas("import", source, env=env), env=env, cwd=ROOT, check=True,
                   capture_output=True)
    target = tmp_path / "out" / "export.csv"
    rng = random.Random(99)
    for _attempt in range(5):
        proc = subprocess.Popen(atlas("export", "-o", target, env=env), env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if target.exists():
            rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
            assert len(rows) == 3000, "an export in place is always complete"


def test_two_uploads_at_once_while_the_public_browses(tmp_path):
    """SQLite: both commit whole, no "database is locked", readers keep reading."""
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    env = {**os.environ, "ATLAS_DATABASE_URL": url}
    subprocess.run(atlas("init", env=env), env=env, cwd=ROOT, check=True, capture_output=True)
    files = []
    for n in range(2):
        path = tmp_path / f"staff{n}.csv"
        path.write_bytes(to_csv(make_registry(2000, seed=50 + n)))
        files.append(path)
    store = Store(url)
    stop, reads, errors = threading.Event(), [], []

    def browse():
        while not stop.is_set():
            try:
                reads.append(len(store.frame()))
            except Exception as exc:  # the point is to see any
                errors.append(exc)

    reader = threading.Thread(target=browse)
    reader.start()
    procs = [subprocess.Popen(atlas("import", f, env=env), env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f in files]
    outputs = [p.communicate(timeout=300) for p in procs]
    stop.set()
    reader.join()
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err
    assert errors == []
    assert consistent(store) == 4000
    assert set(reads) <= {0, 2000, 4000} and reads
    store.dispose()


BULK = """
import sys
from atlas_app.registry.store import Store
from atlas_app.staff.edits import set_status
from atlas_app.staff.uploads import undo_upload
store = Store(sys.argv[1])
if sys.argv[2] == "publish":
    set_status(store, range(1, int(sys.argv[3]) + 1), "published", "ana@example.org")
else:
    undo_upload(store, 1, "ana@example.org")
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("action", ["publish", "undo"])
def test_killing_a_bulk_publish_or_an_undo_leaves_before_or_after(tmp_path, request, backend,
                                                                 action):
    """Issue 14: SIGKILL in the middle of a bulk change: the registry is either before or
    after, and the audit says which."""
    from atlas_app.staff.edits import recent_changes

    url = f"sqlite:///{tmp_path / 'bulk.db'}" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    store = Store(url)
    store.upgrade()
    n = 4000
    rows = [dict(name=f"Org {i}", kind="support", sector="health", country="FR",
                 city="Paris", tags=[], status="pending", location_precision="none",
                 location_source="none") for i in range(n)]
    store.add_organisations(rows, filename="bulk.csv", sha256="x")
    rng = random.Random(7)
    for _attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-c", BULK, url, action, str(n)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        target = "published" if action == "publish" else "archived"
        changed = int((store.frame(statuses=None)["status"] == target).sum())
        assert changed in (0, n), f"{changed} of {n}: half a bulk change"
        audited = len(recent_changes(store, limit=n + 10))
        assert audited == changed, "the audit says exactly what happened"
        if changed:
            break
    store.dispose()
