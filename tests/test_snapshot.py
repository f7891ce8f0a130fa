"""The public index saved beside the database (issue 20: cold start): a new process maps
the saved index of the current revision instead of reading the registry, and never uses
one that belongs to another revision or another registry."""

from __future__ import annotations

import numpy as np
import pandas as pd

from atlas_app.public import snapshot
from atlas_app.public.filters import Filters
from atlas_app.public.index import RegistryIndex
from atlas_app.public.words import WordIndex
from atlas_app.staff.edits import set_status
from tests.support.factories import record

VIEWS = [Filters(), Filters(countries=("FR",)), Filters(sectors=("health", "education")),
         Filters(q="numerique"), Filters(kinds=("solution",), q="lab paris")]


def _registry(store, n=200):
    rows = []
    for i in range(n):
        rows.append(record(
            name=f"{'Café Numérique' if i % 7 == 0 else 'Open Lab'} {i}",
            city="Paris" if i % 2 else "Köln",
            country="FR" if i % 2 else "DE", sector=("health", "education", "finance")[i % 3],
            kind=("support", "solution")[i % 2], tags=["data"] if i % 4 == 0 else [],
            latitude=None if i % 6 == 0 else 48.0 + i / 100,
            longitude=None if i % 6 == 0 else 2.0 + i / 100,
            location_precision="none" if i % 6 == 0 else "exact",
            location_source="none" if i % 6 == 0 else "provided",
            description_fr=None if i % 3 else "Une coopérative numérique."))
    store.add_organisations(rows)


def _same(a: RegistryIndex, b: RegistryIndex) -> None:
    pd.testing.assert_frame_equal(a.frame, b.frame)
    for view in VIEWS:
        assert np.array_equal(a.mask(view), b.mask(view)), view
        pd.testing.assert_frame_equal(a.by_name(a.mask(view), 50), b.by_name(b.mask(view), 50))
    assert a.countries() == b.countries()


def test_a_saved_index_is_the_built_one_and_is_used_next_time(store, tmp_path, monkeypatch,
                                                             word_lookups):
    _registry(store)
    revision = store.revision()
    built = RegistryIndex.load(store)
    mapped_from = []
    from_table = RegistryIndex.from_table.__func__
    monkeypatch.setattr(RegistryIndex, "from_table", classmethod(
        lambda cls, table, words=None: mapped_from.append(table) or from_table(cls, table, words)))
    first = snapshot.load_index(store, revision, tmp_path)
    _same(built, first)
    # Served from the file it has just written, not from the arrays it built.
    assert len(mapped_from) == 1 and mapped_from[0].num_rows == len(built)
    [saved] = tmp_path.glob("index-*.arrow")
    assert saved.name == f"index-{store.instance()}-r{revision}.arrow"
    [words] = tmp_path.glob("words-*.arrow")  # the word index, beside it
    assert words == snapshot.words_path(saved)
    for path in (saved, words):
        assert path.stat().st_mode & 0o077 == 0, "readable by its owner only"

    def no_database(*_args):
        raise AssertionError("the registry was read although a snapshot exists")

    def no_word_build(*_args):
        raise AssertionError("the words were indexed again although they were saved")

    monkeypatch.setattr(RegistryIndex, "load", classmethod(no_database))
    monkeypatch.setattr(WordIndex, "build", classmethod(no_word_build))
    mapped = snapshot.load_index(store, revision, tmp_path)
    assert mapped.revision == revision
    _same(built, mapped)
    assert mapped.mask(Filters(q="köln")).sum() == built.mask(Filters(q="koln")).sum() > 0


def test_a_new_revision_replaces_the_snapshot(store, tmp_path):
    _registry(store, 20)
    first = snapshot.load_index(store, store.revision(), tmp_path)
    set_status(store, [1, 2, 3], "archived", "ana@example.org")
    second = snapshot.load_index(store, store.revision(), tmp_path)
    assert len(second) == len(first) - 3
    assert [p.name for p in tmp_path.glob("index-*.arrow")] == \
        [f"index-{store.instance()}-r{store.revision()}.arrow"]


def test_a_damaged_snapshot_is_rebuilt(store, tmp_path):
    _registry(store, 20)
    revision = store.revision()
    good = snapshot.load_index(store, revision, tmp_path)
    path = snapshot.snapshot_path(tmp_path, store.instance(), revision)
    damaged = path.read_bytes()[:100]
    path.unlink()  # a new file: ``good`` maps the old one (as a running server would)
    path.write_bytes(damaged)
    _same(good, snapshot.load_index(store, revision, tmp_path))
    assert path.stat().st_size > 100, "saved again"


def test_another_registry_at_the_same_revision_is_never_mixed_up(tmp_path):
    from atlas_app.registry.store import Store

    folder = tmp_path / "cache"
    indexes = []
    for round_ in range(2):
        db = tmp_path / "atlas.db"
        db.unlink(missing_ok=True)
        store = Store(f"sqlite:///{db}")
        store.upgrade()
        store.add_organisations([record(name=f"Round {round_}")])
        indexes.append(snapshot.load_index(store, store.revision(), folder))
        store.dispose()
    assert [list(i.frame["name"]) for i in indexes] == [["Round 0"], ["Round 1"]]


def test_saving_into_a_file_that_is_not_a_folder_fails_quietly(sqlite_store, tmp_path):
    _registry(sqlite_store, 5)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    index = snapshot.load_index(sqlite_store, sqlite_store.revision(), blocker)
    assert len(index) == 5 and blocker.read_text() == "x"
