"""A few changes applied to the public index in place (issue 20): after any mix of staff
work, the updated index shows exactly what a full build would, on both databases."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pyarrow as pa
import pytest

from atlas_app.public import updates
from atlas_app.public.arrow import fold_array
from atlas_app.public.filters import Filters
from atlas_app.public.index import LiveIndex
from atlas_app.public.snapshot import load_index
from atlas_app.staff.edits import add_organisation, set_status, update_organisation
from tests.support.factories import record

ANA = "ana@example.org"
OLD = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
VIEWS = [Filters(), Filters(countries=("FR",)), Filters(sectors=("health",)),
         Filters(q="lab"), Filters(q="zebre"), Filters(kinds=("solution",), q="coop")]
SECTORS = ("health", "education", "finance", "culture-media")


def _org(rng, i, **overrides):
    values = dict(name=rng.choice([f"{rng.choice(['Open Lab', 'Coop', 'Zèbre'])} {i}",
                                   "Coop", "coop", "Zebre", "Ça va", "open lab 1"]),
                  city=rng.choice(["Paris", "Köln", "Lyon", "Gent"]),
                  country=rng.choice(["FR", "DE", "BE"]), sector=rng.choice(SECTORS),
                  kind=rng.choice(["support", "solution"]),
                  latitude=rng.uniform(43, 52), longitude=rng.uniform(-1, 8),
                  location_precision="exact", location_source="provided")
    if rng.random() < 0.2:
        values.update(latitude=None, longitude=None, location_precision="none",
                      location_source="none")
    values.update(overrides)
    return record(**values)


def _ids(index, view):
    return sorted(index.frame["id"].to_numpy()[index.mask(view)].tolist())


def _same_as_a_build(store, index):
    built = load_index(store, store.revision())
    assert len(index) == len(built)
    for view in VIEWS:
        assert _ids(index, view) == _ids(built, view), view
    by_id = index.frame.set_index("id").sort_index()
    fresh = built.frame.set_index("id").sort_index()
    for column in ("name", "city", "country", "sector", "kind"):
        assert by_id[column].astype(str).tolist() == fresh[column].astype(str).tolist(), column
    assert np.allclose(by_id["latitude"].to_numpy(), fresh["latitude"].to_numpy(),
                       equal_nan=True)
    assert sorted(index.countries()) == sorted(built.countries())
    for view in VIEWS:  # the list's order (names that fold the same may come in any order)
        assert _folded_names(index, view) == _folded_names(built, view), view


def _folded_names(index, view):
    return fold_array(pa.array(index.by_name(index.mask(view), 1000)["name"])).to_pylist()


@pytest.mark.parametrize("seed", [1, 2])
def test_staff_work_shows_in_the_updated_index_as_in_a_full_build(store, seed, word_lookups):
    rng = random.Random(seed)
    store.add_organisations([_org(rng, i, status=rng.choice(["published", "pending"]))
                             for i in range(60)])
    live = LiveIndex(lambda revision: load_index(store, revision), sync_below=1,
                     update=lambda current, revision: updates.updated_index(store, current,
                                                                            revision))
    index = live.get(store.revision())
    for step in range(25):
        index.name_order()  # a visitor saw the list: a patch carries its order over
        ids = index.frame["id"].tolist()
        action = rng.choice(["add", "edit", "archive", "publish", "hold", "import-old"])
        if action == "add":
            add_organisation(store, _org(rng, 1000 + step, status="published"), ANA)
        elif action == "edit" and ids:
            org = store.get_organisation(rng.choice(ids))
            update_organisation(store, org["id"], dict(org, name=f"Renamed Zèbre {step}",
                                                       city="Wien", country="AT",
                                                       sector="finance"), ANA, expected=org)
        elif action == "archive" and ids:
            set_status(store, rng.sample(ids, min(3, len(ids))), "archived", ANA)
        elif action in ("publish", "hold"):
            everyone = store.frame(statuses=None)["id"].tolist()
            set_status(store, rng.sample(everyone, 4),
                       "published" if action == "publish" else "pending", ANA)
        elif action == "import-old":  # a file that carries an old updated_at of its own
            store.add_organisations([_org(rng, 2000 + step, status="published",
                                          created_at=OLD, updated_at=OLD)])
        before = index
        index = live.get(store.revision())
        assert index.revision == store.revision()
        if before.revision != index.revision:
            assert index is not before
        _same_as_a_build(store, index)


def test_too_many_changes_fall_back_to_a_build(store, monkeypatch):
    rng = random.Random(3)
    store.add_organisations([_org(rng, i, status="published") for i in range(10)])
    index = load_index(store, store.revision())
    monkeypatch.setattr(updates, "PATCH_LIMIT", 5)
    store.add_organisations([_org(rng, 100 + i, status="published") for i in range(6)])
    assert updates.updated_index(store, index, store.revision()) is None
    store_small = updates.updated_index  # a handful still goes in place
    monkeypatch.setattr(updates, "PATCH_LIMIT", 50)
    assert len(store_small(store, index, store.revision())) == 16
