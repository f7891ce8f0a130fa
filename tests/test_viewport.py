"""The registry index: filters equal to the reference, clusters that add up, bounded
answers whatever the view (HOSTILE: a client sending absurd bounds)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from atlas_app.public.arrow import fold_array
from atlas_app.public.filters import Filters, apply_filters
from atlas_app.public.index import CLIENT_LIMIT, RegistryIndex
from atlas_app.public.viewport import MAX_VIEW_CELLS, Viewport, spread_duplicates
from atlas_app.text import fold
from tests.support.factories import make_registry

TRICKY = ["Écoute Sociale", "ÉCOLE  numérique\tlibre", "Straße der Zukunft", "Łódź Hub",
          "Ὀδυσσεύς", "ΟΔΟΣ", "Ærø Øko", "Ça ira", "İstanbul", "ﬁlm ﬂow", "  spaced  out ",
          "Cœur", "Dvořák & Co", "naïve café", "Ελληνικά", "Москва", ""]


def registry_frame(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rows = make_registry(n, seed)
    frame = pd.DataFrame(rows)
    frame["id"] = range(1, n + 1)
    frame["tags"] = frame["tags"].map(lambda t: t.split(";") if t else [])
    for column in ("latitude", "longitude"):
        frame[column] = pd.to_numeric(frame[column].replace("", None))
    frame["created_at"] = pd.Timestamp("2024-05-01", tz="UTC")
    return frame


@pytest.fixture(scope="module")
def registry():
    return registry_frame()


@pytest.mark.parametrize("text", TRICKY)
def test_arrow_folding_equals_python_folding(text):
    import pyarrow as pa

    assert fold_array(pa.array([text])).to_pylist()[0].split() == fold(text).split()


@pytest.mark.parametrize("filters", [
    Filters(), Filters(countries=("FR",)), Filters(countries=("FR", "DE"), kinds=("support",)),
    Filters(sectors=("health", "education")), Filters(q="Civic"), Filters(q="open 1"),
    Filters(q="cafe"), Filters(q="nothing-like-this"), Filters(countries=("XX",)),
    Filters(countries=("PT",), sectors=("finance",), kinds=("solution",), q="data"),
    Filters(q="ASSOCIATIONS numerique")])
def test_mask_matches_the_reference_filters(registry, filters, word_lookups):
    expected = set(apply_filters(registry, filters)["id"])
    index = RegistryIndex.from_frame(registry)
    assert set(index.select(index.mask(filters))["id"]) == expected


def test_search_reaches_descriptions_and_tags_with_accents(word_lookups):
    frame = registry_frame(5)
    frame.loc[0, "description_fr"] = "Réseau d'entraide numérique"
    frame.loc[1, "tags"] = ["économie", "Straße"]
    index = RegistryIndex.from_frame(frame)
    assert list(index.select(index.mask(Filters(q="ENTRAIDE")))["id"]) == [1]
    assert list(index.select(index.mask(Filters(q="economie strasse")))["id"]) == [2]


def test_tags_read_from_the_database_text_are_searchable():
    frame = registry_frame(3)
    frame["tags"] = ['["\\u00e9conomie"]', "[]", '["plain"]']  # as SQLite stores JSON
    index = RegistryIndex.from_frame(frame)
    assert list(index.select(index.mask(Filters(q="économie")))["id"]) == [1]
    assert list(index.select(index.mask(Filters(q="plain")))["id"]) == [3]


def test_a_small_selection_goes_to_the_browser_whole(registry, taxonomy):
    index = RegistryIndex.from_frame(registry)
    payload = index.payload(index.mask(Filters()), None, taxonomy, "en", fit=True)
    located = registry["latitude"].notna().sum()
    assert payload["clusters"] is None and len(payload["rows"]) == located
    (south, west), (north, east) = payload["fit"]
    assert south == registry["latitude"].min() and east == registry["longitude"].max()


def big_frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"id": np.arange(1, n + 1), "name": [f"Org {i}" for i in range(n)],
                          "city": "Somewhere", "country": rng.choice(["FR", "DE", "IT"], n),
                          "sector": rng.choice(["health", "education"], n),
                          "kind": "support", "latitude": rng.uniform(36, 60, n),
                          "longitude": rng.uniform(-8, 25, n),
                          "description_en": "", "description_fr": None, "tags": "[]"})
    frame.loc[::97, ["latitude", "longitude"]] = np.nan
    return frame


@pytest.fixture(scope="module")
def big():
    return RegistryIndex.from_frame(big_frame(CLIENT_LIMIT * 6))


@pytest.mark.parametrize("view", [Viewport(4, 34, -25, 72, 45), Viewport(7, 45, 2, 49, 9),
                                  Viewport(11, 48.6, 2.0, 48.9, 2.6)])
def test_clusters_and_dots_account_for_every_organisation_in_the_window(big, taxonomy, view):
    mask = big.mask(Filters(countries=("FR", "DE")))
    payload = big.payload(mask, view.window(), taxonomy)
    window = view.window()
    px, py = big.x * window.cells, big.y * window.cells
    with np.errstate(invalid="ignore"):
        inside = mask & big.located & (px >= window.x0) & (px < window.x1) & \
            (py >= window.y0) & (py < window.y1)
    assert payload["clusters"] is not None
    assert sum(c[2] for c in payload["clusters"]) + len(payload["rows"]) == inside.sum()
    assert all(c[2] > 1 for c in payload["clusters"])
    ids = {r[0] for r in payload["rows"]}
    assert ids <= set(big.frame["id"][inside])


def test_the_answer_stays_small_whatever_the_registry(big, taxonomy):
    payload = big.payload(big.mask(Filters()), None, taxonomy, fit=True)
    assert len(json.dumps(payload)) < 60_000
    assert payload["fit"] is not None


def test_zoomed_in_far_the_organisations_come_one_by_one(big, taxonomy):
    mask = big.mask(Filters())
    row = int(np.flatnonzero(big.located)[0])
    lat, lon = big.frame["latitude"][row], big.frame["longitude"][row]
    view = Viewport(16, lat - 0.002, lon - 0.004, lat + 0.002, lon + 0.004)
    payload = big.payload(mask, view.window(), taxonomy)
    assert payload["clusters"] == [] and int(big.frame["id"][row]) in {r[0] for r in payload["rows"]}


@pytest.mark.parametrize("state", [None, {}, {"bounds": None, "zoom": 3},
                                   {"bounds": {"_southWest": {"lat": None, "lng": None},
                                               "_northEast": {"lat": None, "lng": None}},
                                    "zoom": 4},
                                   {"bounds": {"_southWest": {"lat": "x", "lng": 1},
                                               "_northEast": {"lat": 2, "lng": 3}}, "zoom": 4}])
def test_missing_or_junk_map_state_means_no_viewport(state):
    assert Viewport.from_map_state(state) is None


def test_an_absurd_view_cannot_ask_for_a_huge_grid(big, taxonomy):
    state = {"bounds": {"_southWest": {"lat": -85, "lng": -180},
                        "_northEast": {"lat": 85, "lng": 180}}, "zoom": 99}
    view = Viewport.from_map_state(state)
    assert view.zoom == 18
    window = view.window()
    assert window.size <= 4 * MAX_VIEW_CELLS
    big.payload(big.mask(Filters()), window, taxonomy)  # answers, small


def test_a_click_finds_its_organisation():
    frame = registry_frame(3)
    frame["name"] = ["A", "B", "A"]
    frame["latitude"], frame["longitude"] = [48.85, 48.86, 48.87], [2.35, 2.35, 2.35]
    index = RegistryIndex.from_frame(frame)
    everyone = index.mask(Filters())
    assert index.clicked(everyone, "B", None) == 2
    assert index.clicked(everyone, "A", {"lat": 48.87, "lng": 2.35}) == 3
    assert index.clicked(everyone, None, {"lat": 48.86, "lng": 2.35}) is None  # a cluster
    assert index.clicked(everyone, "Nobody", {"lat": 0, "lng": 0}) is None
    assert index.clicked(index.mask(Filters(q="nothing")), "A", None) is None


def test_the_list_is_in_name_order_and_limited(registry):
    index = RegistryIndex.from_frame(registry)
    mask = index.mask(Filters(countries=("FR",)))
    listed = index.by_name(mask, 25)
    expected = sorted(registry[registry["country"] == "FR"]["name"], key=fold)[:25]
    assert list(listed["name"]) == expected


def test_organisations_sharing_a_point_are_spread_apart():
    points = spread_duplicates([(48.85, 2.35)] * 5 + [(45.0, 4.0)])
    assert len(set(points)) == 6 and points[0] == (48.85, 2.35) and points[-1] == (45.0, 4.0)


def test_an_empty_registry_has_an_empty_index(taxonomy):
    index = RegistryIndex.from_frame(registry_frame(1).iloc[0:0])
    assert len(index) == 0
    assert index.payload(index.mask(Filters()), None, taxonomy)["rows"] == []


def test_a_small_index_is_rebuilt_at_once_and_a_large_one_in_the_background():
    import threading
    import time

    from atlas_app.public.index import LiveIndex

    release = threading.Event()
    built = []

    def load(revision):
        built.append(1)
        if len(built) > 1:
            release.wait(10)
        return RegistryIndex.from_frame(registry_frame(30))

    live = LiveIndex(load, sync_below=10)
    first = live.get(1)
    assert first.revision == 1 and live.get(1) is first
    stale = live.get(2)  # large (30 ≥ 10): the old index serves while the new one builds
    assert stale is first
    release.set()
    for _ in range(100):
        if live.get(2) is not first:
            break
        time.sleep(0.05)
    assert live.get(2).revision == 2 and len(built) == 2

    small = LiveIndex(lambda revision: RegistryIndex.from_frame(registry_frame(5)),
                      sync_below=10)
    assert small.get(1).revision == 1 and small.get(2).revision == 2


def test_a_large_selection_is_fitted_without_its_outliers(taxonomy):
    frame = big_frame(5000)
    frame.loc[0, ["latitude", "longitude"]] = (64.2, -51.7)  # Nuuk
    index = RegistryIndex.from_frame(frame)
    south, west, north, east = index.fit_bounds(index.mask(Filters()))
    assert west > -10 and north < 61
    small = RegistryIndex.from_frame(frame.head(50))
    assert small.fit_bounds(small.mask(Filters()))[1] == -51.7


def test_the_index_loads_from_both_databases(store):
    from tests.support.factories import record

    store.add_organisations([
        record(name="Café Numérique", tags=["économie", "Straße"], latitude=48.85,
               longitude=2.35, location_precision="exact", location_source="provided",
               description_fr="Réseau d'entraide"),
        record(name="Hidden", status="pending"),
        record(name="Nowhere Lab", city="Lyon", country="FR", sector="education",
               kind="solution")])
    index = RegistryIndex.load(store)
    assert len(index) == 2 and list(index.frame["name"]) == ["Café Numérique", "Nowhere Lab"]
    assert list(index.located) == [True, False]
    assert index.frame["year"].notna().all()
    for words, expected in (("economie", ["Café Numérique"]), ("strasse entraide",
                                                               ["Café Numérique"]),
                            ("nowhere", ["Nowhere Lab"]), ("hidden", [])):
        assert list(index.select(index.mask(Filters(q=words)))["name"]) == expected
    assert list(index.select(index.mask(Filters(kinds=("solution",))))["name"]) == ["Nowhere Lab"]


def test_an_empty_registry_loads_as_an_empty_index(store):
    assert len(RegistryIndex.load(store)) == 0


def test_clusters_that_would_overlap_on_screen_become_one(taxonomy):
    # Two towns a few hundred metres apart, on either side of a grid line at zoom 6, and
    # one organisation just beside them: the grid alone draws two clusters and a dot
    # on top of each other.
    view = Viewport(6, 40, -5, 55, 20)
    cells = view.window().cells
    border = math.ceil((2.35 + 180) / 360 * cells) / cells * 360 - 180  # a cell edge
    n = CLIENT_LIMIT + 100
    frame = big_frame(n)
    frame["latitude"] = 48.85
    frame["longitude"] = np.where(np.arange(n) % 2, border - 0.01, border + 0.01)
    frame.loc[0, ["latitude", "longitude"]] = (48.86, border + 0.03)
    frame.loc[1:3, ["latitude", "longitude"]] = (30.0, 60.0)  # out of view
    index = RegistryIndex.from_frame(frame)
    payload = index.payload(index.mask(Filters()), view.window(), taxonomy)
    assert len(payload["clusters"]) == 1 and payload["rows"] == []
    assert payload["clusters"][0][2] == n - 3
